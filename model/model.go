// Package model holds the trimmed botocore model of the Amazon Chime API (chime 2018-05-01) that the wire
// layer is generated from, and the Go types that read it. service-2.json and paginators-1.json are botocore's
// documents with the documentation removed; refresh.py rewrites them from an installed botocore.
package model

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed service-2.json
var serviceJSON []byte

// ServiceJSON returns the embedded service-2.json.
func ServiceJSON() []byte { return bytes.Clone(serviceJSON) }

// Model is a botocore service model.
type Model struct {
	Metadata   map[string]any       `json:"metadata"`
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]*Shape    `json:"shapes"`
}

// Operation is one operation of the model.
type Operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *Ref  `json:"input"`
	Output *Ref  `json:"output"`
	Errors []Ref `json:"errors"`
}

// Ref is a reference to a shape: an operation's input/output/error, a structure member or a list member.
type Ref struct {
	Shape            string `json:"shape"`
	Location         string `json:"location"`     // "", "uri", "querystring", "header"
	LocationName     string `json:"locationName"` // the wire name of a bound member
	IdempotencyToken bool   `json:"idempotencyToken"`
	Box              bool   `json:"box"`
}

// Shape is a shape of the model with the traits the wire layer uses.
type Shape struct {
	Type            string   `json:"type"` // structure, list, string, boolean, integer, long, timestamp, …
	Required        []string `json:"required"`
	Members         Members  `json:"members"`
	Member          *Ref     `json:"member"`
	Min             *int64   `json:"min"`
	Max             *int64   `json:"max"`
	Pattern         string   `json:"pattern"`
	Enum            []string `json:"enum"`
	Sensitive       bool     `json:"sensitive"`
	Exception       bool     `json:"exception"`
	TimestampFormat string   `json:"timestampFormat"`
	Error           struct {
		HTTPStatusCode int    `json:"httpStatusCode"`
		Code           string `json:"code"`
	} `json:"error"`
}

// Member is a named member of a structure.
type Member struct {
	Name string
	Ref
}

// Members are a structure's members in the model's order (the order encoders write them in).
type Members []Member

// UnmarshalJSON reads a members object keeping its order.
func (ms *Members) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("members: want an object")
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		var r Ref
		if err := d.Decode(&r); err != nil {
			return err
		}
		*ms = append(*ms, Member{Name: t.(string), Ref: r})
	}
	return nil
}

// IsRequired reports whether member name is required in s.
func (s *Shape) IsRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// Parse reads a service-2.json document.
func Parse(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	for name, op := range m.Operations {
		if op.Name != name {
			return nil, fmt.Errorf("model: operation %s is named %q", name, op.Name)
		}
	}
	return &m, nil
}

// Load parses the embedded model.
func Load() (*Model, error) { return Parse(serviceJSON) }
