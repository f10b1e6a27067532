package scim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	chime "github.com/chimed/chimed"
)

// Schema and message URNs (RFC 7643, RFC 7644) and chimed's extension of the User schema.
const (
	UserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" // accepted, not stored
	ChimeSchema      = "urn:chimed:params:scim:schemas:extension:chime:2.0:User"
	ListSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorSchema      = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// User is the SCIM User resource of a Chime user.
type User struct {
	Schemas     []string  `json:"schemas"`
	ID          string    `json:"id"`
	ExternalID  string    `json:"externalId,omitempty"`
	UserName    string    `json:"userName"`
	DisplayName string    `json:"displayName,omitempty"`
	Active      bool      `json:"active"`
	Emails      []Email   `json:"emails"`
	Chime       *ChimeExt `json:"urn:chimed:params:scim:schemas:extension:chime:2.0:User,omitempty"`
	Meta        *Meta     `json:"meta,omitempty"`
}

// Email is a member of User.emails; a Chime user has one, its address (work, primary).
type Email struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary"`
}

// ChimeExt is chimed's extension of the User schema: the license and user type (read-write) and the Chime
// registration and invitation status (read-only).
type ChimeExt struct {
	LicenseType        string `json:"licenseType,omitempty"`
	UserType           string `json:"userType,omitempty"`
	RegistrationStatus string `json:"registrationStatus,omitempty"`
	InvitationStatus   string `json:"invitationStatus,omitempty"`
}

// Meta is the meta attribute of a resource.
type Meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location,omitempty"`
	Version      string `json:"version,omitempty"`
}

// view is a SCIM user as stored: its SCIM row (nil for a Chime user SCIM never changed) and its Chime user (nil
// when a Team deactivation, or the API, removed it from Chime).
type view struct {
	row  *chime.SCIMUser
	user *chime.User
}

func (v view) id() string {
	if v.row != nil {
		return v.row.ID
	}
	return v.user.ID
}

// email is the Chime address.
func (v view) email() string {
	if v.user != nil {
		return v.user.Email
	}
	return v.row.Email
}

// active: a Chime user that is not suspended.
func (v view) active() bool {
	return v.user != nil && v.user.RegistrationStatus != chime.Suspended
}

// resource returns the SCIM resource of v; base is the service's URL.
func resource(v view, base string) *User {
	u := &User{Schemas: []string{UserSchema, ChimeSchema}, ID: v.id(), UserName: v.email(), Active: v.active()}
	u.Emails = []Email{{Value: v.email(), Type: "work", Primary: true}}
	var created, modified time.Time
	if v.row != nil {
		u.ExternalID = v.row.ExternalID
		if v.row.UserName != "" {
			u.UserName = v.row.UserName
		}
		created, modified = v.row.CreatedAt, v.row.UpdatedAt
	}
	if c := v.user; c != nil {
		u.DisplayName = c.DisplayName
		u.Chime = &ChimeExt{LicenseType: string(c.License), UserType: string(c.Type),
			RegistrationStatus: string(c.RegistrationStatus), InvitationStatus: string(c.InvitationStatus)}
		if created.IsZero() {
			created = firstOf(c.CreatedAt, c.RegisteredOn, c.InvitedOn)
			modified = created
		}
	} else {
		u.Chime = &ChimeExt{RegistrationStatus: "Removed"}
	}
	version := etag(u)
	u.Meta = &Meta{ResourceType: "User", Created: stamp(created), LastModified: stamp(modified),
		Location: base + "/Users/" + u.ID, Version: version}
	return u
}

// etag is the weak entity tag of a resource: a hash of everything but its meta, so that a change made through
// the Chime API changes it as well as one made over SCIM.
func etag(u *User) string {
	c := *u
	c.Meta = nil
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return `W/"` + hex.EncodeToString(sum[:10]) + `"`
}

func firstOf(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// listResponse is a ListResponse message.
type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}
