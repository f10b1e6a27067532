package gen

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// inputTypes writes the input-side structures, their binding (requests), body decoding and validation.
func (g *generator) inputTypes(b *bytes.Buffer) error {
	b.WriteString("import (\n\t\"encoding/json\"\n\t\"regexp\"\n)\n\n")
	requests := map[string]bool{}
	for _, op := range g.ops {
		if op.Input != nil {
			requests[op.Input.Shape] = true
		}
	}
	patterns := map[string]bool{}
	enums := map[string]bool{}
	for _, name := range sortedKeys(g.inputs) {
		g.structDecl(b, name)
		if requests[name] {
			if err := g.bindFunc(b, name); err != nil {
				return err
			}
		} else {
			g.decodeFunc(b, name)
		}
		g.validateFunc(b, name, patterns, enums)
	}
	ps := sortedKeys(patterns)
	if len(ps) > 0 {
		b.WriteString("// Patterns of the model (unanchored searches, as in Smithy), compiled once.\nvar (\n")
		for _, p := range ps {
			fmt.Fprintf(b, "\t%s = regexp.MustCompile(%q)\n", patternName(p), p)
		}
		b.WriteString(")\n\n")
	}
	for _, e := range sortedKeys(enums) {
		s := g.shape(e)
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(b, "// enum%s lists the values of the model's %s enum.\nfunc enum%s() []string { return []string{%s} }\n\n",
			e, e, e, strings.Join(vals, ", "))
		fmt.Fprintf(b, "func is%s(v string) bool {\n\tswitch v {\n\tcase %s:\n\t\treturn true\n\t}\n\treturn false\n}\n\n",
			e, strings.Join(vals, ", "))
	}
	b.WriteString("var _ json.RawMessage\nvar _ = regexp.MustCompile\n")
	return nil
}

// bindFunc writes the binding of a request shape: labels, query, headers, then body members.
func (g *generator) bindFunc(b *bytes.Buffer, name string) error {
	s := g.shape(name)
	var path string
	for _, op := range g.ops {
		if op.Input != nil && op.Input.Shape == name {
			p, _, _, err := route(op.HTTP.RequestURI)
			if err != nil {
				return err
			}
			if path != "" && path != p {
				return fmt.Errorf("request shape %s is used by two paths", name)
			}
			path = p
		}
	}
	lbl := labels(path)
	fmt.Fprintf(b, "// bind reads a %s from the request: path labels (decoded once), query, headers and body.\n", name)
	fmt.Fprintf(b, "func (in *%s) bind(c *call) error {\n", name)
	hasBody := false
	for _, mb := range s.Members {
		t := g.shape(mb.Shape)
		switch mb.Location {
		case "uri":
			idx := -1
			for i, l := range lbl {
				if l == mb.LocationName {
					idx = i
				}
			}
			if idx < 0 || t.Type != "string" {
				return fmt.Errorf("%s.%s: label %s not in %s or not a string", name, mb.Name, mb.LocationName, path)
			}
			fmt.Fprintf(b, "\tin.%s = &c.labels[%d]\n", mb.Name, idx)
		case "querystring", "header":
			get := fmt.Sprintf("c.q(%q)", mb.LocationName)
			if mb.Location == "header" {
				get = fmt.Sprintf("c.header(%q)", mb.LocationName)
			}
			switch t.Type {
			case "string":
				fmt.Fprintf(b, "\tin.%s = %s\n", mb.Name, get)
			case "integer", "long":
				fmt.Fprintf(b, "\tif v := %s; v != nil {\n\t\tn, err := parseInteger(%q, *v)\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\tin.%s = &n\n\t}\n",
					get, mb.LocationName, mb.Name)
			case "boolean":
				fmt.Fprintf(b, "\tif v := %s; v != nil {\n\t\tx, err := parseBoolean(%q, *v)\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\tin.%s = &x\n\t}\n",
					get, mb.LocationName, mb.Name)
			default:
				return fmt.Errorf("%s.%s: %s of type %s is not supported", name, mb.Name, mb.Location, t.Type)
			}
		case "":
			hasBody = true
		default:
			return fmt.Errorf("%s.%s: location %s is not supported", name, mb.Name, mb.Location)
		}
	}
	if hasBody {
		b.WriteString("\tobj, err := parseBody(c.body)\n\tif err != nil {\n\t\treturn err\n\t}\n")
		for _, mb := range s.Members {
			if mb.Location == "" {
				g.decodeMember(b, "in", mb.Name, mb.Shape, fmt.Sprintf("%q", mb.Name))
			}
		}
	}
	b.WriteString("\treturn nil\n}\n\n")
	return nil
}

// decodeFunc writes the decoder of a nested input structure.
func (g *generator) decodeFunc(b *bytes.Buffer, name string) {
	s := g.shape(name)
	fmt.Fprintf(b, "// decode%s reads a %s object; JSON null is absent (nil).\n", name, name)
	fmt.Fprintf(b, "func decode%s(raw json.RawMessage, path string) (*%s, error) {\n", name, name)
	b.WriteString("\tobj, err := parseObject(raw, path)\n\tif obj == nil || err != nil {\n\t\treturn nil, err\n\t}\n")
	fmt.Fprintf(b, "\tv := &%s{}\n", name)
	for _, mb := range s.Members {
		g.decodeMember(b, "v", mb.Name, mb.Shape, fmt.Sprintf("path + %q", "."+mb.Name))
	}
	b.WriteString("\treturn v, nil\n}\n\n")
}

// decodeMember writes the decoding of one body member (exact, case-sensitive name; absent or null: unset).
func (g *generator) decodeMember(b *bytes.Buffer, recv, name, shape, pathExpr string) {
	ret := "return err"
	if recv == "v" {
		ret = "return nil, err"
	}
	fmt.Fprintf(b, "\tif raw, ok := obj[%q]; ok {\n", name)
	fmt.Fprintf(b, "\t\tx, err := %s\n\t\tif err != nil {\n\t\t\t%s\n\t\t}\n\t\t%s.%s = x\n\t}\n",
		g.decodeExpr(shape, "raw", pathExpr, 0), ret, recv, name)
}

// decodeExpr is an expression decoding raw as shape, yielding (value, error).
func (g *generator) decodeExpr(shape, raw, pathExpr string, depth int) string {
	s := g.shape(shape)
	switch s.Type {
	case "string":
		return fmt.Sprintf("decodeString(%s, %s)", raw, pathExpr)
	case "boolean":
		return fmt.Sprintf("decodeBoolean(%s, %s)", raw, pathExpr)
	case "integer", "long":
		return fmt.Sprintf("decodeInteger(%s, %s)", raw, pathExpr)
	case "timestamp":
		return fmt.Sprintf("decodeTimestamp(%s, %s)", raw, pathExpr)
	case "structure":
		return fmt.Sprintf("decode%s(%s, %s)", shape, raw, pathExpr)
	case "list":
		elem := g.elemType(s.Member.Shape)
		item := fmt.Sprintf("it%d", depth)
		inner := g.decodeExpr(s.Member.Shape, item, fmt.Sprintf("elemPath(p%d, i%d)", depth, depth), depth+1)
		deref := "*"
		if g.shape(s.Member.Shape).Type == "list" {
			deref = ""
		}
		if g.shape(s.Member.Shape).Type == "structure" {
			deref = "*"
		}
		return fmt.Sprintf(`func(p%[1]d string) ([]%[2]s, error) {
			items, err := decodeList(%[3]s, p%[1]d)
			if items == nil || err != nil {
				return nil, err
			}
			out := make([]%[2]s, len(items))
			for i%[1]d, %[4]s := range items {
				x, err := %[5]s
				if err != nil {
					return nil, err
				}
				if x == nil {
					return nil, nullMember(elemPath(p%[1]d, i%[1]d))
				}
				out[i%[1]d] = %[6]sx
			}
			return out, nil
		}(%[7]s)`, depth, elem, raw, item, inner, deref, pathExpr)
	}
	return "nil, nil"
}

// validateFunc writes the validation of an input structure from the model's traits.
func (g *generator) validateFunc(b *bytes.Buffer, name string, patterns, enums map[string]bool) {
	s := g.shape(name)
	fmt.Fprintf(b, "// validate checks the %s traits of the model; prefix names the member's position in the request.\n", name)
	fmt.Fprintf(b, "func (v *%s) validate(prefix string) error {\n", name)
	for _, mb := range s.Members {
		wire := mb.Name
		if mb.LocationName != "" {
			wire = mb.LocationName
		}
		field := fmt.Sprintf("prefix + %q", wire)
		t := g.shape(mb.Shape)
		open, close := fmt.Sprintf("\tif v.%s != nil {\n", mb.Name), "\t}\n"
		if s.IsRequired(mb.Name) {
			open = fmt.Sprintf("\tif v.%s == nil {\n\t\treturn required(%s)\n\t} else {\n", mb.Name, field)
		}
		expr := "*v." + mb.Name
		if t.Type == "list" || t.Type == "structure" {
			expr = "v." + mb.Name
		}
		b.WriteString(open)
		g.checkValue(b, expr, mb.Shape, field, patterns, enums, 0, mb.Location == "uri")
		b.WriteString(close)
	}
	b.WriteString("\treturn nil\n}\n\n")
}

// checkValue writes the checks of one present value of shape.
func (g *generator) checkValue(b *bytes.Buffer, expr, shape, field string, patterns, enums map[string]bool, depth int, label bool) {
	s := g.shape(shape)
	switch s.Type {
	case "string":
		min, max := int64(-1), int64(-1)
		if s.Min != nil {
			min = *s.Min
		}
		if s.Max != nil {
			max = *s.Max
		}
		fmt.Fprintf(b, "\t\tif err := checkString(%s, %s, %d, %d, %v); err != nil {\n\t\t\treturn err\n\t\t}\n", field, expr, min, max, label)
		if s.Pattern != "" {
			test := fmt.Sprintf("%s.MatchString(%s)", patternName(s.Pattern), expr)
			if s.Pattern == `.*\S.*` {
				test = fmt.Sprintf("hasNonSpace(%s)", expr) // the same search without a regexp (it runs on every label)
			} else {
				patterns[s.Pattern] = true
			}
			fmt.Fprintf(b, "\t\tif !%s {\n\t\t\treturn badPattern(%s, %q)\n\t\t}\n", test, field, s.Pattern)
		}
		if len(s.Enum) > 0 {
			enums[shape] = true
			fmt.Fprintf(b, "\t\tif !is%s(%s) {\n\t\t\treturn badEnum(%s, enum%s())\n\t\t}\n", shape, expr, field, shape)
		}
	case "integer", "long":
		lo, hi := "minInteger", "maxInteger"
		if s.Min != nil {
			lo = fmt.Sprint(*s.Min)
		}
		if s.Max != nil {
			hi = fmt.Sprint(*s.Max)
		}
		fmt.Fprintf(b, "\t\tif err := checkRange(%s, %s, %s, %s); err != nil {\n\t\t\treturn err\n\t\t}\n", field, expr, lo, hi)
	case "structure":
		fmt.Fprintf(b, "\t\tif err := %s.validate(%s + \".\"); err != nil {\n\t\t\treturn err\n\t\t}\n", expr, field)
	case "list":
		min, max := int64(-1), int64(-1)
		if s.Min != nil {
			min = *s.Min
		}
		if s.Max != nil {
			max = *s.Max
		}
		fmt.Fprintf(b, "\t\tif err := checkCount(%s, len(%s), %d, %d); err != nil {\n\t\t\treturn err\n\t\t}\n", field, expr, min, max)
		it := fmt.Sprintf("i%d", depth)
		elem := g.shape(s.Member.Shape)
		itemExpr := fmt.Sprintf("%s[%s]", expr, it)
		if elem.Type == "structure" {
			itemExpr = "(&" + itemExpr + ")"
		}
		if elem.Type == "boolean" {
			return
		}
		fmt.Fprintf(b, "\t\tfor %s := range %s {\n", it, expr)
		g.checkValue(b, itemExpr, s.Member.Shape, fmt.Sprintf("elemPath(%s, %s)", field, it), patterns, enums, depth+1, false)
		b.WriteString("\t\t}\n")
	}
}

var _ = sort.Strings
