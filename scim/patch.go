package scim

import (
	"bytes"
	"encoding/json"
	"strings"

	chime "github.com/chimed/chimed"
)

// maxOperations bounds the operations of one PATCH request.
const maxOperations = 100

// state is what SCIM can change of a user: the target of a PUT or PATCH, compared with the user's current state
// to decide which Service methods to call.
type state struct {
	userName    string
	externalID  string
	displayName string
	email       string // the Chime address: it cannot change
	active      bool
	license     string // "" = none (a removed Team user)
	userType    string
}

func stateOf(v view, res *User) state {
	st := state{userName: res.UserName, externalID: res.ExternalID, displayName: res.DisplayName, email: v.email(),
		active: res.Active}
	if v.user != nil {
		st.license, st.userType = string(v.user.License), string(v.user.Type)
	}
	return st
}

// object decodes a JSON object with its keys lower-cased (SCIM attribute names are case-insensitive). Errors: 400
// invalidSyntax.
func object(b []byte, what string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&m); err != nil || m == nil || d.More() {
		return nil, badRequest(invalidSyntax, "%s is not a JSON object", what)
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out, nil
}

// hasSchema reports whether the schemas member lists urn.
func hasSchema(m map[string]json.RawMessage, urn string) bool {
	var list []string
	if json.Unmarshal(m["schemas"], &list) != nil {
		return false
	}
	for _, s := range list {
		if strings.EqualFold(s, urn) {
			return true
		}
	}
	return false
}

func str(raw json.RawMessage, attr string) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest(invalidValue, "%s must be a string", attr)
	}
	return s, nil
}

// boolean accepts true/false and, as Entra ID sends them, the strings "True"/"False" in any case.
func boolean(raw json.RawMessage, attr string) (bool, error) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, badRequest(invalidValue, "%s must be true or false", attr)
}

// primaryEmail returns the address of an emails value: the primary member, else the work one, else the first.
func primaryEmail(raw json.RawMessage) (string, error) {
	var list []struct {
		Value   string `json:"value"`
		Type    string `json:"type"`
		Primary any    `json:"primary"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return "", badRequest(invalidValue, "emails must be a list of {value, type, primary}")
	}
	pick := -1
	for i, e := range list {
		if p, _ := boolean(mustJSON(e.Primary), ""); p {
			pick = i
			break
		}
		if pick < 0 && strings.EqualFold(e.Type, "work") {
			pick = i
		}
	}
	if pick < 0 && len(list) > 0 {
		pick = 0
	}
	if pick < 0 {
		return "", nil
	}
	return list[pick].Value, nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// userInput is the body of a POST or PUT.
type userInput struct {
	userName    string
	email       string // "" when no emails were given
	displayName *string
	externalID  string
	active      *bool
	license     *string
	userType    *string
}

// parseUser decodes a User body. Errors: 400 invalidSyntax (not a User object) or invalidValue.
func parseUser(body []byte) (*userInput, error) {
	m, err := object(body, "The body")
	if err != nil {
		return nil, err
	}
	if !hasSchema(m, UserSchema) {
		return nil, badRequest(invalidSyntax, "schemas must list %s", UserSchema)
	}
	in := &userInput{}
	raw, ok := m["username"]
	if !ok || string(raw) == "null" {
		return nil, badRequest(invalidValue, "userName is required")
	}
	if in.userName, err = str(raw, "userName"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.userName) == "" {
		return nil, badRequest(invalidValue, "userName must not be blank")
	}
	if raw, ok := m["emails"]; ok && string(raw) != "null" {
		if in.email, err = primaryEmail(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := m["externalid"]; ok && string(raw) != "null" {
		if in.externalID, err = str(raw, "externalId"); err != nil {
			return nil, err
		}
	}
	if raw, ok := m["displayname"]; ok && string(raw) != "null" {
		s, err := str(raw, "displayName")
		if err != nil {
			return nil, err
		}
		in.displayName = &s
	} else if raw, ok := m["name"]; ok {
		in.displayName = nameOf(raw)
	}
	if raw, ok := m["active"]; ok && string(raw) != "null" {
		b, err := boolean(raw, "active")
		if err != nil {
			return nil, err
		}
		in.active = &b
	}
	ext := map[string]json.RawMessage{}
	if raw, ok := m[strings.ToLower(ChimeSchema)]; ok && string(raw) != "null" {
		if ext, err = object(raw, ChimeSchema); err != nil {
			return nil, badRequest(invalidValue, "%s must be an object", ChimeSchema)
		}
	}
	for k, v := range m { // the extension's attributes may also come flattened, as Entra ID sends them
		if a, ok := strings.CutPrefix(k, strings.ToLower(ChimeSchema)+":"); ok {
			ext[a] = v
		}
	}
	for _, a := range []struct {
		key string
		dst **string
	}{{"licensetype", &in.license}, {"usertype", &in.userType}} {
		if raw, ok := ext[a.key]; ok && string(raw) != "null" {
			s, err := str(raw, a.key)
			if err != nil {
				return nil, err
			}
			*a.dst = &s
		}
	}
	return in, nil
}

// nameOf returns the display name a name attribute implies (formatted, else given and family names), or nil.
func nameOf(raw json.RawMessage) *string {
	var n struct{ Formatted, GivenName, FamilyName string }
	if json.Unmarshal(raw, &n) != nil {
		return nil
	}
	s := n.Formatted
	if s == "" {
		s = strings.TrimSpace(n.GivenName + " " + n.FamilyName)
	}
	if s == "" {
		return nil
	}
	return &s
}

// ignored are the attributes of the core and enterprise User schemas that Chime users do not have: PATCH and PUT
// accept them and store nothing (identity providers send them by default).
var ignored = map[string]bool{"name": true, "nickname": true, "profileurl": true, "title": true, "usertype": true,
	"preferredlanguage": true, "locale": true, "timezone": true, "password": true, "phonenumbers": true,
	"ims": true, "photos": true, "addresses": true, "groups": true, "entitlements": true, "roles": true,
	"x509certificates": true}

// applyOp applies one PATCH operation to st. Errors: 400 with invalidSyntax, invalidPath, invalidValue,
// mutability or noTarget.
func applyOp(st *state, raw json.RawMessage) error {
	var op struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &op); err != nil {
		return badRequest(invalidSyntax, "An operation is not a JSON object with op, path and value")
	}
	kind := strings.ToLower(op.Op)
	if kind != "add" && kind != "replace" && kind != "remove" {
		return badRequest(invalidSyntax, "op %q is not add, replace or remove", truncate(op.Op))
	}
	if op.Path == "" {
		if kind == "remove" {
			return badRequest(noTarget, "A remove operation needs a path")
		}
		m, err := object(op.Value, "The value of an operation without a path")
		if err != nil {
			return badRequest(invalidValue, "The value of an operation without a path must be an object")
		}
		for k, v := range m {
			if k == strings.ToLower(ChimeSchema) { // {"urn:…:User": {"licenseType": …}}
				ext, err := object(v, ChimeSchema)
				if err != nil {
					return badRequest(invalidValue, "%s must be an object", ChimeSchema)
				}
				for a, v := range ext {
					if err := applyPath(st, kind, ChimeSchema+":"+a, v); err != nil {
						return err
					}
				}
				continue
			}
			if err := applyPath(st, kind, k, v); err != nil {
				return err
			}
		}
		return nil
	}
	if kind != "remove" && len(op.Value) == 0 {
		return badRequest(invalidValue, "The %s operation on %s has no value", kind, truncate(op.Path))
	}
	return applyPath(st, kind, op.Path, op.Value)
}

// applyPath applies add/replace/remove of value at path.
func applyPath(st *state, kind, path string, value json.RawMessage) error {
	l := strings.ToLower(strings.TrimSpace(path))
	l = strings.TrimPrefix(l, strings.ToLower(UserSchema)+":")
	if a, ok := strings.CutPrefix(l, strings.ToLower(ChimeSchema)+":"); ok {
		return applyChime(st, kind, a, value)
	}
	if strings.HasPrefix(l, "urn:") { // another extension (the enterprise User's manager, department, …)
		return nil
	}
	attr, sub, inner, err := splitPath(l, path)
	if err != nil {
		return err
	}
	switch attr {
	case "active":
		if kind == "remove" {
			return badRequest(mutability, "active cannot be removed")
		}
		b, err := boolean(value, "active")
		if err != nil {
			return err
		}
		st.active = b
	case "username":
		if kind == "remove" {
			return badRequest(mutability, "userName is required and cannot be removed")
		}
		s, err := str(value, "userName")
		if err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			return badRequest(invalidValue, "userName must not be blank")
		}
		st.userName = s
	case "externalid", "displayname":
		s := ""
		if kind != "remove" {
			if s, err = str(value, attr); err != nil {
				return err
			}
		}
		if attr == "externalid" {
			st.externalID = s
		} else {
			st.displayName = s
		}
	case "emails":
		return applyEmails(st, kind, sub, inner, value)
	case "id", "meta", "schemas":
		return badRequest(mutability, "%s is read-only", attr)
	default:
		if !ignored[attr] && !validName(attr) {
			return badRequest(invalidPath, "%q is not an attribute path", truncate(path))
		}
	}
	return nil
}

// splitPath splits a lower-cased PATCH path into attribute, sub-attribute and value filter (emails[type eq
// "work"].value). Errors: 400 invalidPath.
func splitPath(l, orig string) (attr, sub string, inner filter, err error) {
	bad := badRequest(invalidPath, "%q is not an attribute path", truncate(orig))
	if i := strings.IndexByte(l, '['); i >= 0 {
		j := strings.LastIndexByte(l, ']')
		if j < i {
			return "", "", nil, bad
		}
		f, ferr := parseFilter(orig[i+1 : j])
		if ferr != nil {
			return "", "", nil, badRequest(invalidPath, "The value filter of %q is not valid", truncate(orig))
		}
		attr, inner, l = l[:i], f, l[j+1:]
		if l != "" {
			s, ok := strings.CutPrefix(l, ".")
			if !ok {
				return "", "", nil, bad
			}
			sub = s
		}
	} else {
		attr, sub, _ = strings.Cut(l, ".")
	}
	if !validName(attr) || sub != "" && !validName(sub) {
		return "", "", nil, bad
	}
	return attr, sub, inner, nil
}

// applyEmails checks a change of emails: a Chime user has exactly one address, which cannot change, so the only
// accepted changes name the same address (as identity providers send it on every update).
func applyEmails(st *state, kind, sub string, inner filter, value json.RawMessage) error {
	member := map[string]any{"value": st.email, "type": "work", "primary": true}
	if inner != nil && !inner.match(member) {
		if kind == "add" {
			return nil // another address: Chime users have one; nothing is stored
		}
		return badRequest(noTarget, "No email matches the filter")
	}
	if kind == "remove" {
		return badRequest(mutability, "A Chime user's address cannot be removed")
	}
	var addr string
	var err error
	switch {
	case sub == "value":
		addr, err = str(value, "emails.value")
	case sub != "":
		return nil // type, primary, display: nothing to store
	case inner != nil:
		addr, err = primaryEmail(mustJSON([]json.RawMessage{value}))
	default:
		addr, err = primaryEmail(value)
	}
	if err != nil {
		return err
	}
	if addr != "" && chime.EmailKey(addr) != chime.EmailKey(st.email) {
		return badRequest(mutability, "A Chime user's address cannot change (it is %s)", st.email)
	}
	return nil
}

// applyChime applies a change of an attribute of chimed's extension.
func applyChime(st *state, kind, attr string, value json.RawMessage) error {
	switch attr {
	case "licensetype", "usertype":
		if kind == "remove" {
			return badRequest(mutability, "%s cannot be removed", attr)
		}
		s, err := str(value, attr)
		if err != nil {
			return err
		}
		if attr == "licensetype" {
			st.license = s
		} else {
			st.userType = s
		}
	case "registrationstatus", "invitationstatus":
		return badRequest(mutability, "%s is read-only", attr)
	default:
		return badRequest(invalidPath, "%s has no attribute %q", ChimeSchema, truncate(attr))
	}
	return nil
}
