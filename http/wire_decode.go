package http

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// The decoders the generated binders (zz_inputs.go) call. Member names are matched exactly: a body is first
// split into a map of raw members keyed by their exact names (encoding/json folds case only when it fills
// struct fields, never map keys), and each modeled member is then decoded by its shape. Unknown members are
// ignored (docs/behavior.md D17); JSON null is the same as an absent member; a wrong type is 400 naming the
// member.

// parseBody splits a request body into its members. An empty body is an empty object.
func parseBody(body []byte) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	obj, err := parseObject(body, "")
	if err != nil {
		return nil, err
	}
	if obj == nil { // a body of "null"
		return map[string]json.RawMessage{}, nil
	}
	return obj, nil
}

// parseObject splits a JSON object into its members; null gives nil. path names the member for errors ("" is
// the request body).
func parseObject(raw []byte, path string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		if path == "" {
			if !json.Valid(raw) {
				return nil, badRequest("the request body is not valid JSON")
			}
			return nil, badRequest("the request body must be a JSON object")
		}
		return nil, wrongType(path, "an object")
	}
	return obj, nil
}

func decodeList(raw json.RawMessage, path string) ([]json.RawMessage, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, wrongType(path, "a list")
	}
	if items == nil && !isNull(raw) {
		items = []json.RawMessage{}
	}
	return items, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func decodeString(raw json.RawMessage, path string) (*string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return nil, wrongType(path, "a string")
	}
	return &s, nil
}

func decodeBoolean(raw json.RawMessage, path string) (*bool, error) {
	switch string(bytes.TrimSpace(raw)) {
	case "null":
		return nil, nil
	case "true":
		v := true
		return &v, nil
	case "false":
		v := false
		return &v, nil
	}
	return nil, wrongType(path, "a boolean")
}

func decodeInteger(raw json.RawMessage, path string) (*int64, error) {
	if isNull(raw) {
		return nil, nil
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
	if err != nil {
		return nil, wrongType(path, "an integer")
	}
	return &n, nil
}

// decodeTimestamp reads an ISO-8601 string or epoch seconds.
func decodeTimestamp(raw json.RawMessage, path string) (*isoTime, error) {
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, wrongType(path, "an ISO-8601 timestamp")
		}
		v := isoTime(t)
		return &v, nil
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return nil, wrongType(path, "a timestamp")
	}
	v := isoTime(time.UnixMilli(int64(f * 1000)))
	return &v, nil
}

// parseInteger reads an integer query parameter or header.
func parseInteger(name, v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("%s must be an integer", name)
	}
	return n, nil
}

// parseBoolean reads a boolean query parameter or header.
func parseBoolean(name, v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("%s must be true or false", name)
	}
	return b, nil
}

// elemPath names the i-th element of the list member path.
func elemPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func wrongType(path, want string) error { return badRequest("%s must be %s", path, want) }

func nullMember(path string) error { return badRequest("%s must not be null", path) }
