package chime

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
)

// Fields lists every constant of type Field the package declares, each once, and their names are distinct: the
// wire layer's completeness test can only check the fields this list holds.
func TestFieldsListsEveryField(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, f := range pkgs["chime"].Files {
		ast.Inspect(f, func(n ast.Node) bool {
			d, ok := n.(*ast.GenDecl)
			if !ok || d.Tok != token.CONST {
				return true
			}
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Field" {
					for _, name := range vs.Names {
						declared = append(declared, name.Name)
					}
				}
			}
			return false
		})
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
