package gen

import (
	"bytes"
	"fmt"
)

// outputTypes writes the output-only structures and a reflection-free encoder for every output structure.
// Encoders write members in the model's order and omit what the struct tags omit, so their output is
// byte-for-byte what encoding/json gives for the same value (a test compares them).
func (g *generator) outputTypes(b *bytes.Buffer) error {
	for _, name := range sortedKeys(g.outputs) {
		if !g.inputs[name] {
			g.structDecl(b, name)
		}
		if err := g.appendFunc(b, name); err != nil {
			return err
		}
	}
	return nil
}

// appendFunc writes append<Name>: each member is written with a leading comma; the first comma becomes '{'.
func (g *generator) appendFunc(b *bytes.Buffer, name string) error {
	s := g.shape(name)
	pointers := g.inputs[name]
	fmt.Fprintf(b, "// append%s appends v as JSON.\nfunc append%s(b []byte, v *%s) []byte {\n\tstart := len(b)\n", name, name, name)
	for _, mb := range s.Members {
		t := g.goType(mb.Shape, pointers)
		key := fmt.Sprintf(`,"%s":`, mb.Name)
		sh := g.shape(mb.Shape)
		val := "v." + mb.Name
		switch {
		case sh.Type == "list":
			fmt.Fprintf(b, "\tif %s != nil {\n\t\tb = append(b, %q...)\n", val, key)
			g.appendList(b, val, mb.Shape, 0)
			b.WriteString("\t}\n")
		case sh.Type == "structure":
			fmt.Fprintf(b, "\tif %s != nil {\n\t\tb = append(b, %q...)\n\t\tb = append%s(b, %s)\n\t}\n", val, key, mb.Shape, val)
		case t[0] == '*':
			fmt.Fprintf(b, "\tif %s != nil {\n\t\tb = append(b, %q...)\n\t\tb = %s\n\t}\n", val, key, g.scalarAppend(sh.Type, "*"+val))
		case t == "isoTime":
			fmt.Fprintf(b, "\tif !%s.IsZero() {\n\t\tb = append(b, %q...)\n\t\tb = %s\n\t}\n", val, key, g.scalarAppend(sh.Type, val))
		case t == "string" && !s.IsRequired(mb.Name):
			fmt.Fprintf(b, "\tif %s != \"\" {\n\t\tb = append(b, %q...)\n\t\tb = %s\n\t}\n", val, key, g.scalarAppend(sh.Type, val))
		default:
			fmt.Fprintf(b, "\tb = append(b, %q...)\n\tb = %s\n", key, g.scalarAppend(sh.Type, val))
		}
	}
	b.WriteString("\tif len(b) == start {\n\t\treturn append(b, \"{}\"...)\n\t}\n\tb[start] = '{'\n\treturn append(b, '}')\n}\n\n")
	return nil
}

func (g *generator) scalarAppend(typ, expr string) string {
	switch typ {
	case "string":
		return fmt.Sprintf("appendJSONString(b, %s)", expr)
	case "boolean":
		return fmt.Sprintf("appendBool(b, %s)", expr)
	case "integer", "long":
		return fmt.Sprintf("appendInteger(b, %s)", expr)
	case "timestamp":
		return fmt.Sprintf("appendTimestamp(b, %s)", expr)
	}
	return "b"
}

func (g *generator) appendList(b *bytes.Buffer, expr, shape string, depth int) {
	s := g.shape(shape)
	el := g.shape(s.Member.Shape)
	it := fmt.Sprintf("i%d", depth)
	fmt.Fprintf(b, "\t\tb = append(b, '[')\n\t\tfor %s := range %s {\n\t\t\tif %s > 0 {\n\t\t\t\tb = append(b, ',')\n\t\t\t}\n", it, expr, it)
	item := fmt.Sprintf("%s[%s]", expr, it)
	switch el.Type {
	case "structure":
		fmt.Fprintf(b, "\t\t\tb = append%s(b, &%s)\n", s.Member.Shape, item)
	case "list":
		g.appendList(b, item, s.Member.Shape, depth+1)
	default:
		fmt.Fprintf(b, "\t\t\tb = %s\n", g.scalarAppend(el.Type, item))
	}
	b.WriteString("\t\t}\n\t\tb = append(b, ']')\n")
}

// encoderCases writes, for the tests, every output encoder with a way to fill a value of its type, so that a
// test can compare each encoder with encoding/json on the same values.
func (g *generator) encoderCases(b *bytes.Buffer) error {
	b.WriteString("// encoderCase is one generated output encoder: make fills a new value with fill and encodes it.\n")
	b.WriteString("type encoderCase struct {\n\tname string\n\tmake func(fill func(any)) (any, []byte)\n}\n\n")
	b.WriteString("func generatedEncoders() []encoderCase {\n\treturn []encoderCase{\n")
	for _, name := range sortedKeys(g.outputs) {
		fmt.Fprintf(b, "\t\t{%q, func(fill func(any)) (any, []byte) {\n\t\t\tvar v %s\n\t\t\tfill(&v)\n\t\t\treturn &v, append%s(nil, &v)\n\t\t}},\n", name, name, name)
	}
	b.WriteString("\t}\n}\n")
	return nil
}
