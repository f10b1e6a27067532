package chime

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Fields lists every constant of type Field the package declares, each once, and their names are distinct: the
// wire layer's completeness test can only check the fields this list holds.
func TestFieldsListsEveryField(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			d, ok := decl.(*ast.GenDecl)
			if !ok || d.Tok != token.CONST {
				continue
			}
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Field" {
					for _, n := range vs.Names {
						declared = append(declared, n.Name)
					}
				}
			}
		}
	}
	if len(declared) == 0 {
		t.Fatal("found no Field constants: the test no longer reads the package")
	}
	byValue := map[Field]bool{}
	for _, f := range Fields() {
		if byValue[f] {
			t.Errorf("Fields holds %q twice, or two fields share that name", f)
		}
		byValue[f] = true
	}
	if len(Fields()) != len(declared) {
		slices.Sort(declared)
		t.Errorf("%d Field constants are declared, Fields lists %d: %v", len(declared), len(Fields()), declared)
	}
}
