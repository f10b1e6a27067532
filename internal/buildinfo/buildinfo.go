// Package buildinfo reports what chimed was built from, as the Go toolchain recorded it in the binary
// (runtime/debug.ReadBuildInfo): the module version and, when the build ran in a VCS checkout, its revision.
package buildinfo

import "runtime/debug"

// Info describes the running binary.
type Info struct {
	Version   string // the module version, e.g. v1.2.3, or "(devel)" for a build from a working tree
	Revision  string // the VCS revision (commit), or "unknown"
	Time      string // the revision's commit time (RFC 3339), or "" when unknown
	Modified  bool   // the working tree had uncommitted changes
	GoVersion string // the Go toolchain that built the binary
}

// Read returns the build information of the running binary; fields it cannot learn are "unknown" (Version,
// Revision) or empty.
func Read() Info {
	i := Info{Version: "unknown", Revision: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return i
	}
	i.GoVersion = bi.GoVersion
	if v := bi.Main.Version; v != "" {
		i.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.time":
			i.Time = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}
