package chime_test

import (
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Section (§) and decision (D) numbers cited by the comments of this repository refer to docs/behavior.md
// (package doc of chime.go). TestDocCitations keeps that true: every citation in a Go comment, and every
// citation in a migration or a client suite, and every cross-reference inside docs/behavior.md itself, must name a section heading or a decision label of
// docs/behavior.md, and no Go file, migration or client suite may point at the external specifications the document replaced.

const behaviorDoc = "docs/behavior.md"

var (
	// A section citation: §4, §4.28, §9.3; a range §4.26–§4.30 (or §4.26–4.30); the en dash or a hyphen.
	sectionCite = regexp.MustCompile(`§\s?(\d+(?:\.\d+)*)(?:\s?[–-]\s?§?\s?(\d+(?:\.\d+)*))?`)
	// A decision citation: D7, D47; a range D20–D29. Where it starts is checked by hand (see decisionCites).
	decisionCite = regexp.MustCompile(`D(\d{1,3})(?:\s?[–-]\s?D(\d{1,3}))?`)
	// A section number of an outside standard: "RFC 5321 §4.1.3", "RFC 7644 §3.5.2".
	standardPrefix = regexp.MustCompile(`RFC\s?\d+\s*,?\s*$`)
	// Pointers to documents that are not in the repository. Written with character classes so that this file
	// does not match itself.
	externalSpec = regexp.MustCompile(`(?i)chime[-]api|spec[ ]part|\bspec[ ]§`)

	// The label a heading or a bold lead-in of docs/behavior.md starts with: "### §4.28 GetPhoneNumber …",
	// "### D21 — Number pools", "**D25 / D26 — Deletion queue.**", "- **D41 — Paging …**".
	headingLine = regexp.MustCompile(`^#{1,6}\s+(.*)$`)
	boldLine    = regexp.MustCompile(`^\s*(?:[-*]\s+)?\*\*(.*?)\*\*`)
	leadLabels  = regexp.MustCompile(`^(?:(?:§\d+(?:\.\d+)*|D\d+)(?:\s?[–-]\s?(?:§?\d+(?:\.\d+)*|D\d+))?(?:\s*(?:/|,|and)\s*|\s|$))+`)
)

func TestDocCitations(t *testing.T) {
	raw, err := os.ReadFile(behaviorDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	labels := docLabels(doc)
	if len(labels) < 100 {
		t.Fatalf("%s: only %d section and decision labels found; the heading format changed?", behaviorDoc, len(labels))
	}

	// The document's own cross-references.
	for i, line := range strings.Split(doc, "\n") {
		for _, c := range citations(line) {
			if !labels[c] {
				t.Errorf("%s:%d: cites %s, which is no heading or decision label of %s", behaviorDoc, i+1, c, behaviorDoc)
			}
		}
	}

	files := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "vendor", "node_modules", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go":
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			checkGoFile(t, path, src, labels)
		case ".sql", ".py", ".sh", ".js":
			// Migrations and the client suites: their comments and docstrings cite the same document.
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			checkTextFile(t, path, src, labels)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d Go files found; run the test from the module root", files)
	}
}

// checkGoFile reports the external-spec pointers anywhere in src and the citations of its comments that
// docs/behavior.md does not define.
func checkGoFile(t *testing.T, path string, src []byte, labels map[string]bool) {
	t.Helper()
	for i, line := range strings.Split(string(src), "\n") {
		if m := externalSpec.FindString(line); m != "" {
			t.Errorf("%s:%d: %q points at a document that is not in the repository; cite %s instead", path, i+1, m, behaviorDoc)
		}
	}
	fset := token.NewFileSet()
	file := fset.AddFile(path, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, func(token.Position, string) {}, scanner.ScanComments) // a file being edited may not parse
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return
		}
		if tok != token.COMMENT {
			continue
		}
		base := fset.Position(pos).Line
		for j, line := range strings.Split(lit, "\n") {
			for _, c := range citations(line) {
				if !labels[c] {
					t.Errorf("%s:%d: comment cites %s, which is no heading or decision label of %s", path, base+j, c, behaviorDoc)
				}
			}
		}
	}
}

// checkTextFile is checkGoFile for files other than Go: every line counts as a comment.
func checkTextFile(t *testing.T, path string, src []byte, labels map[string]bool) {
	t.Helper()
	for i, line := range strings.Split(string(src), "\n") {
		if m := externalSpec.FindString(line); m != "" {
			t.Errorf("%s:%d: %q points at a document that is not in the repository; cite %s instead", path, i+1, m, behaviorDoc)
		}
		for _, c := range citations(line) {
			if !labels[c] {
				t.Errorf("%s:%d: cites %s, which is no heading or decision label of %s", path, i+1, c, behaviorDoc)
			}
		}
	}
}

// citations returns the sections (§…) and decisions (D…) a line of text cites, ranges expanded.
func citations(line string) []string {
	var out []string
	for _, m := range sectionCite.FindAllStringSubmatchIndex(line, -1) {
		if standardPrefix.MatchString(line[:m[0]]) {
			continue
		}
		from := line[m[2]:m[3]]
		if m[4] < 0 {
			out = append(out, "§"+from)
			continue
		}
		out = append(out, expand("§", from, line[m[4]:m[5]])...)
	}
	for _, m := range decisionCite.FindAllStringSubmatchIndex(line, -1) {
		if m[0] > 0 && isWordByte(line[m[0]-1]) || m[1] < len(line) && isWordByte(line[m[1]]) {
			continue // part of an identifier, a hex number, a model name ("D17x", "0xD1", "AD2")
		}
		from := line[m[2]:m[3]]
		if m[4] < 0 {
			out = append(out, "D"+from)
			continue
		}
		out = append(out, expand("D", from, line[m[4]:m[5]])...)
	}
	return out
}

// expand lists a range: §4.26–§4.30 → §4.26 … §4.30, D23–D27 → D23 … D27. Ranges whose ends differ
// elsewhere than in the last number (§4.2–§5.1) yield their two ends.
func expand(prefix, from, to string) []string {
	fi, ti := strings.LastIndexByte(from, '.'), strings.LastIndexByte(to, '.')
	if from[:fi+1] != to[:ti+1] {
		return []string{prefix + from, prefix + to}
	}
	lo, err1 := strconv.Atoi(from[fi+1:])
	hi, err2 := strconv.Atoi(to[ti+1:])
	if err1 != nil || err2 != nil || hi < lo || hi-lo > 60 {
		return []string{prefix + from, prefix + to}
	}
	var out []string
	for n := lo; n <= hi; n++ {
		out = append(out, prefix+from[:fi+1]+strconv.Itoa(n))
	}
	return out
}

// docLabels returns the sections and decisions docs/behavior.md defines: the labels its headings start with
// and those of its bold lead-ins.
func docLabels(doc string) map[string]bool {
	labels := map[string]bool{}
	inCode := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		var text string
		if m := headingLine.FindStringSubmatch(line); m != nil {
			text = m[1]
		} else if m := boldLine.FindStringSubmatch(line); m != nil {
			text = m[1]
		} else {
			continue
		}
		for _, c := range citations(leadLabels.FindString(text)) {
			labels[c] = true
		}
	}
	return labels
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func TestCitationsParsing(t *testing.T) {
	for _, tc := range []struct {
		line string
		want string
	}{
		{"see §4.28 and D21", "§4.28 D21"},
		{"(§4.26–§4.30; D23–D25, D29)", "§4.26 §4.27 §4.28 §4.29 §4.30 D23 D24 D25 D29"},
		{"an address literal (RFC 5321 §4.1.3)", ""},
		{"0xD17, AD2, D17x, MD5, SHA256D1 and D3", "D3"},
		{"D47's order, (D9)", "D47 D9"},
		{"§9", "§9"},
	} {
		got := strings.Join(citations(tc.line), " ")
		if got != tc.want {
			t.Errorf("citations(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
	labels := docLabels("## §8 Decisions D1–D18\n### D25 / D26 — Queue\n- **D41 — Paging.** text D7\n**§4.28 — Reads.** x\n```\n### §99 in code\n```\n")
	for _, want := range []string{"§8", "D25", "D26", "D41", "§4.28"} {
		if !labels[want] {
			t.Errorf("docLabels: %s missing from %v", want, labels)
		}
	}
	for _, not := range []string{"D1", "D18", "D7", "§99"} {
		if labels[not] {
			t.Errorf("docLabels: %s is not a label", not)
		}
	}
}
