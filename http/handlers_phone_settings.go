package http

import (
	"context"

	chime "github.com/chimed/chimed"
)

// GetPhoneNumberSettings returns the caller's default calling name (docs/behavior.md §4.31, D28); {} when never
// set.
func (h *handlers) GetPhoneNumberSettings(ctx context.Context, id chime.Identity) (GetPhoneNumberSettingsResponse, error) {
	st, err := h.svc.GetPhoneNumberSettings(ctx, id.AwsAccountID)
	if err != nil {
		return GetPhoneNumberSettingsResponse{}, err
	}
	out := GetPhoneNumberSettingsResponse{CallingNameUpdatedTimestamp: isoTime(st.UpdatedAt)}
	if !st.UpdatedAt.IsZero() { // set once: the name, "" when cleared (D28)
		out.CallingName = &st.CallingName
	}
	return out, nil
}

// UpdatePhoneNumberSettings sets the caller's default calling name (§4.31, D28); 204.
func (h *handlers) UpdatePhoneNumberSettings(ctx context.Context, id chime.Identity, in *UpdatePhoneNumberSettingsRequest) error {
	return h.svc.UpdatePhoneNumberSettings(ctx, id.AwsAccountID, in.CallingName)
}
