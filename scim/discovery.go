package scim

import (
	"net/http"
	"net/url"
	"strings"
)

// The discovery endpoints (RFC 7644 §4): what this service supports, its one resource type and its schemas.

const (
	spcSchema          = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	resourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

type supported struct {
	Supported bool `json:"supported"`
}

func (h *Handler) serviceProviderConfig(q *req) {
	h.writeJSON(q, http.StatusOK, map[string]any{
		"schemas":          []string{spcSchema},
		"documentationUri": "https://github.com/chimed/chimed/blob/main/docs/behavior.md",
		"patch":            supported{true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword":   supported{false},
		"sort":             supported{false},
		"etag":             supported{true},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "A token of this Chime account made by `chimed scim-token create`, sent as " +
				"Authorization: Bearer <token>",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": q.base + "/ServiceProviderConfig"},
	})
}

func (h *Handler) userResourceType(q *req) map[string]any {
	return map[string]any{
		"schemas": []string{resourceTypeSchema}, "id": "User", "name": "User", "endpoint": "/Users",
		"description": "A user of the Chime account", "schema": UserSchema,
		"schemaExtensions": []map[string]any{{"schema": ChimeSchema, "required": false}},
		"meta":             map[string]any{"resourceType": "ResourceType", "location": q.base + "/ResourceTypes/User"},
	}
}

func (h *Handler) resourceTypes(q *req) {
	if len(q.rest) == 2 {
		if q.rest[1] != "User" {
			h.fail(q, notFound(truncate(q.rest[1])))
			return
		}
		h.writeJSON(q, http.StatusOK, h.userResourceType(q))
		return
	}
	h.writeJSON(q, http.StatusOK, listResponse{Schemas: []string{ListSchema}, TotalResults: 1, StartIndex: 1,
		ItemsPerPage: 1, Resources: []any{h.userResourceType(q)}})
}

func (h *Handler) schemas(q *req) {
	all := []any{userSchema(q.base), chimeSchema(q.base)}
	if len(q.rest) == 2 {
		id, _ := url.PathUnescape(q.rest[1])
		for _, s := range all {
			if strings.EqualFold(s.(map[string]any)["id"].(string), id) {
				h.writeJSON(q, http.StatusOK, s)
				return
			}
		}
		h.fail(q, notFound(truncate(id)))
		return
	}
	h.writeJSON(q, http.StatusOK, listResponse{Schemas: []string{ListSchema}, TotalResults: len(all), StartIndex: 1,
		ItemsPerPage: len(all), Resources: all})
}

// attr describes a simple attribute of a schema.
func attr(name, typ, mutability, description string, required, caseExact bool, uniqueness string) map[string]any {
	return map[string]any{"name": name, "type": typ, "multiValued": false, "description": description,
		"required": required, "caseExact": caseExact, "mutability": mutability, "returned": "default",
		"uniqueness": uniqueness}
}

func userSchema(base string) map[string]any {
	email := attr("emails", "complex", "readWrite", "The user's Chime address (one, work, primary); it cannot "+
		"change", false, false, "none")
	email["multiValued"] = true
	email["subAttributes"] = []any{
		attr("value", "string", "readWrite", "The address", false, false, "none"),
		attr("type", "string", "readWrite", "Always work", false, false, "none"),
		attr("primary", "boolean", "readWrite", "Always true", false, false, "none"),
	}
	return map[string]any{
		"schemas": []string{schemaSchema}, "id": UserSchema, "name": "User", "description": "User Account",
		"attributes": []any{
			attr("userName", "string", "readWrite", "The identity provider's login; the Chime address unless emails "+
				"gives one", true, false, "server"),
			attr("displayName", "string", "readWrite", "The Chime DisplayName (changed only for registered users)",
				false, false, "none"),
			attr("active", "boolean", "readWrite", "false: suspended (EnterpriseLWA) or removed (Team)", false, false,
				"none"),
			email,
		},
		"meta": map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + UserSchema},
	}
}

func chimeSchema(base string) map[string]any {
	return map[string]any{
		"schemas": []string{schemaSchema}, "id": ChimeSchema, "name": "ChimeUser",
		"description": "Amazon Chime attributes of a user",
		"attributes": []any{
			attr("licenseType", "string", "readWrite", "Basic, Plus, Pro or ProTrial (one the account supports)",
				false, true, "none"),
			attr("userType", "string", "readWrite", "PrivateUser or SharedDevice", false, true, "none"),
			attr("registrationStatus", "string", "readOnly", "Unregistered, Registered, Suspended (Removed: a removed "+
				"Team user)", false, true, "none"),
			attr("invitationStatus", "string", "readOnly", "Pending, Accepted or Failed (Team invitations)", false,
				true, "none"),
		},
		"meta": map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + ChimeSchema},
	}
}
