// Command wiregen writes chimed's generated wire layer (http/zz_*.go) from the embedded model:
//
//	go generate ./http   (runs: go run ../model/gen/wiregen -out .)
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chimed/chimed/model"
	"github.com/chimed/chimed/model/gen"
)

func main() {
	out := flag.String("out", ".", "directory of package http")
	flag.Parse()
	m, err := model.Load()
	if err == nil {
		var files map[string][]byte
		if files, err = gen.Files(m); err == nil {
			for name, src := range files {
				if err = os.WriteFile(filepath.Join(*out, name), src, 0o644); err != nil {
					break
				}
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wiregen:", err)
		os.Exit(1)
	}
}
