package scim

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Filters (RFC 7644 §3.4.2.2): comparisons eq, ne, co, sw, ew, gt, ge, lt, le and pr, combined with and, or,
// not and parentheses, with value paths such as emails[type eq "work"] (also followed by a sub-attribute, as
// identity providers send: emails[type eq "work"].value eq "…"). Attribute names and operators are
// case-insensitive; string comparisons are too, except for id and externalId (caseExact).

const (
	maxFilterLen   = 4096
	maxFilterDepth = 32
)

// filter matches a resource in its generic form (JSON decoded, keys lower-cased).
type filter interface {
	match(m map[string]any) bool
}

type andFilter struct{ l, r filter }
type orFilter struct{ l, r filter }
type notFilter struct{ f filter }

// cmpFilter compares the values at path (a value path when inner is set) with val.
type cmpFilter struct {
	path  []string // lower-cased attribute names, e.g. ["emails", "value"]
	inner filter   // the filter of a value path, over the members of path[0]
	op    string
	val   any // string, bool, float64 or nil
}

func (f andFilter) match(m map[string]any) bool { return f.l.match(m) && f.r.match(m) }
func (f orFilter) match(m map[string]any) bool  { return f.l.match(m) || f.r.match(m) }
func (f notFilter) match(m map[string]any) bool { return !f.f.match(m) }

func (f cmpFilter) match(m map[string]any) bool {
	vals := resolve(m, f.path, f.inner)
	if f.op == "pr" {
		for _, v := range vals {
			if v != nil && v != "" {
				return true
			}
		}
		return false
	}
	exact := len(f.path) == 1 && (f.path[0] == "id" || f.path[0] == "externalid")
	any := false
	for _, v := range vals {
		if compare(v, f.op, f.val, exact) {
			any = true
			break
		}
	}
	if f.op == "ne" {
		for _, v := range vals {
			if compare(v, "eq", f.val, exact) {
				return false
			}
		}
		return true
	}
	return any
}

// resolve returns the values at path in m, flattening multi-valued attributes; inner filters the members of the
// first attribute.
func resolve(m map[string]any, path []string, inner filter) []any {
	cur := []any{m}
	for i, name := range path {
		var next []any
		for _, c := range cur {
			obj, ok := c.(map[string]any)
			if !ok {
				continue
			}
			v, ok := obj[name]
			if !ok {
				continue
			}
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					if i == 0 && inner != nil {
						if em, ok := e.(map[string]any); !ok || !inner.match(em) {
							continue
						}
					}
					next = append(next, e)
				}
				continue
			}
			if i == 0 && inner != nil {
				if em, ok := v.(map[string]any); !ok || !inner.match(em) {
					continue
				}
			}
			next = append(next, v)
		}
		cur = next
	}
	return cur
}

func compare(v any, op string, want any, exact bool) bool {
	switch w := want.(type) {
	case nil:
		return op == "eq" && v == nil
	case bool:
		b, ok := v.(bool)
		if !ok {
			return false
		}
		return op == "eq" && b == w
	case float64:
		n, ok := v.(float64)
		if !ok {
			return false
		}
		switch op {
		case "eq":
			return n == w
		case "gt":
			return n > w
		case "ge":
			return n >= w
		case "lt":
			return n < w
		case "le":
			return n <= w
		}
		return false
	case string:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case bool: // active eq "true", as some clients send it
			s = strconv.FormatBool(x)
		default:
			return false
		}
		if !exact {
			s, w = strings.ToLower(s), strings.ToLower(w)
		}
		switch op {
		case "eq":
			return s == w
		case "co":
			return strings.Contains(s, w)
		case "sw":
			return strings.HasPrefix(s, w)
		case "ew":
			return strings.HasSuffix(s, w)
		case "gt":
			return s > w
		case "ge":
			return s >= w
		case "lt":
			return s < w
		case "le":
			return s <= w
		}
	}
	return false
}

// generic returns u in the form filters match: its JSON, with every key lower-cased.
func generic(u *User) map[string]any {
	b, _ := json.Marshal(u)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return lowerKeys(m).(map[string]any)
}

func lowerKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[strings.ToLower(k)] = lowerKeys(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = lowerKeys(e)
		}
	}
	return v
}

// token kinds of the filter lexer.
type ftoken struct {
	kind byte // '(' ')' '[' ']' 's' (string) 'w' (word)
	text string
}

func lexFilter(s string) ([]ftoken, error) {
	var toks []ftoken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("()[]", c) >= 0:
			toks = append(toks, ftoken{kind: c})
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return nil, badRequest(invalidFilter, "The filter has an unterminated string")
			}
			var str string
			if err := json.Unmarshal([]byte(s[i:j+1]), &str); err != nil {
				return nil, badRequest(invalidFilter, "The filter has a malformed string")
			}
			toks = append(toks, ftoken{kind: 's', text: str})
			i = j + 1
		default:
			j := i + 1 // a word: up to ASCII white space or punctuation (at least one byte: the loop always advances)
			for j < len(s) && strings.IndexByte(" \t\n\r()[]\"", s[j]) < 0 {
				j++
			}
			toks = append(toks, ftoken{kind: 'w', text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// parser is a recursive-descent parser of a filter.
type parser struct {
	toks  []ftoken
	pos   int
	depth int
}

// parseFilter parses a filter. Errors: 400 invalidFilter.
func parseFilter(s string) (filter, error) {
	if len(s) > maxFilterLen {
		return nil, badRequest(invalidFilter, "The filter is longer than %d characters", maxFilterLen)
	}
	toks, err := lexFilter(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, badRequest(invalidFilter, "The filter has unexpected text after a complete expression")
	}
	return f, nil
}

func (p *parser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == 'w' && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *parser) expect(kind byte) error {
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != kind {
		return badRequest(invalidFilter, "The filter is missing a %q", string(kind))
	}
	p.pos++
	return nil
}

func (p *parser) or() (filter, error) {
	if p.depth++; p.depth > maxFilterDepth {
		return nil, badRequest(invalidFilter, "The filter is nested more than %d levels deep", maxFilterDepth)
	}
	defer func() { p.depth-- }()
	l, err := p.and()
	for err == nil && p.peekWord("or") {
		p.pos++
		var r filter
		if r, err = p.and(); err == nil {
			l = orFilter{l, r}
		}
	}
	return l, err
}

func (p *parser) and() (filter, error) {
	l, err := p.not()
	for err == nil && p.peekWord("and") {
		p.pos++
		var r filter
		if r, err = p.not(); err == nil {
			l = andFilter{l, r}
		}
	}
	return l, err
}

func (p *parser) not() (filter, error) {
	negate := p.peekWord("not")
	if negate {
		p.pos++
	}
	var f filter
	var err error
	if p.pos < len(p.toks) && p.toks[p.pos].kind == '(' {
		p.pos++
		if f, err = p.or(); err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
	} else if negate {
		return nil, badRequest(invalidFilter, "not must be followed by a parenthesized filter")
	} else if f, err = p.attrExp(); err != nil {
		return nil, err
	}
	if negate {
		return notFilter{f}, nil
	}
	return f, nil
}

var compareOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true,
	"ge": true, "lt": true, "le": true}

func (p *parser) attrExp() (filter, error) {
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != 'w' {
		return nil, badRequest(invalidFilter, "The filter is missing an attribute name")
	}
	path, err := attrPath(p.toks[p.pos].text)
	if err != nil {
		return nil, err
	}
	p.pos++
	f := cmpFilter{path: path}
	if p.pos < len(p.toks) && p.toks[p.pos].kind == '[' {
		if len(path) != 1 {
			return nil, badRequest(invalidFilter, "A value filter follows a multi-valued attribute")
		}
		p.pos++
		if f.inner, err = p.or(); err != nil {
			return nil, err
		}
		if err := p.expect(']'); err != nil {
			return nil, err
		}
		if p.pos < len(p.toks) && p.toks[p.pos].kind == 'w' && strings.HasPrefix(p.toks[p.pos].text, ".") {
			sub := strings.ToLower(p.toks[p.pos].text[1:])
			if !validName(sub) {
				return nil, badRequest(invalidFilter, "The filter has a malformed sub-attribute")
			}
			f.path = append(f.path, sub)
			p.pos++
		} else if !p.atOperator() { // a bare value path: some member matches
			f.op = "pr"
			return f, nil
		}
	}
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != 'w' {
		return nil, badRequest(invalidFilter, "The filter is missing an operator after %s", strings.Join(path, "."))
	}
	f.op = strings.ToLower(p.toks[p.pos].text)
	p.pos++
	if f.op == "pr" {
		return f, nil
	}
	if !compareOps[f.op] {
		return nil, badRequest(invalidFilter, "The filter operator %q is not supported", truncate(f.op))
	}
	if p.pos >= len(p.toks) {
		return nil, badRequest(invalidFilter, "The filter is missing a value after %s", f.op)
	}
	t := p.toks[p.pos]
	p.pos++
	switch {
	case t.kind == 's':
		f.val = t.text
	case t.kind == 'w' && t.text == "true":
		f.val = true
	case t.kind == 'w' && t.text == "false":
		f.val = false
	case t.kind == 'w' && t.text == "null":
		f.val = nil
	case t.kind == 'w':
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, badRequest(invalidFilter, "The filter value %q is not a string, number, true, false or null",
				truncate(t.text))
		}
		f.val = n
	default:
		return nil, badRequest(invalidFilter, "The filter is missing a value after %s", f.op)
	}
	return f, nil
}

// atOperator reports whether the next token is a comparison operator or pr.
func (p *parser) atOperator() bool {
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != 'w' {
		return false
	}
	op := strings.ToLower(p.toks[p.pos].text)
	return op == "pr" || compareOps[op]
}

// attrPath splits an attribute path (with an optional schema URN) into lower-cased names; the core User
// schema's URN is dropped, an extension's URN becomes the first name.
func attrPath(s string) ([]string, error) {
	l := strings.ToLower(s)
	var names []string
	if strings.HasPrefix(l, "urn:") {
		i := strings.LastIndexByte(l, ':')
		urn, rest := l[:i], l[i+1:]
		if urn != strings.ToLower(UserSchema) {
			names = append(names, urn)
		}
		l = rest
	}
	for _, n := range strings.Split(l, ".") {
		if !validName(n) {
			return nil, badRequest(invalidFilter, "%q is not an attribute path", truncate(s))
		}
		names = append(names, n)
	}
	if len(names) > 3 {
		return nil, badRequest(invalidFilter, "%q is not an attribute path", truncate(s))
	}
	return names, nil
}

// validName: ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA.
func validName(n string) bool {
	if n == "" || !(n[0] >= 'a' && n[0] <= 'z' || n[0] == '$') {
		return false
	}
	for i := 1; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// addressHint returns the value a filter requires userName or an email address to equal, when its top-level
// and-chain has such a comparison (the lookup identity providers make before creating a user), so that the
// users can be looked up by address instead of listed.
func addressHint(f filter) (string, bool) {
	switch x := f.(type) {
	case andFilter:
		if v, ok := addressHint(x.l); ok {
			return v, true
		}
		return addressHint(x.r)
	case cmpFilter:
		s, isStr := x.val.(string)
		if x.op != "eq" || !isStr {
			return "", false
		}
		if len(x.path) == 1 && x.path[0] == "username" {
			return s, true
		}
		if len(x.path) == 2 && x.path[0] == "emails" && x.path[1] == "value" {
			return s, true
		}
	}
	return "", false
}
