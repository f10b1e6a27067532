package http

import (
	chime "github.com/chimed/chimed"
)

// handlers implements the API: one small typed function per operation, from the bound and validated input to
// the domain call and back to the output shape. It implements every operation of the model: the compiler
// checks it against the generated API interface.
//
// Adding an operation: write its domain method (root package) and store methods, then one method here with
// the signature the generated API interface gives it; the route, binding, validation and encoder exist already.
type handlers struct {
	svc *chime.Service
}

var _ API = (*handlers)(nil)

// str returns *p, or "" for nil.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// pageSize converts an optional max-results member (already range-checked by the model) to the domain's
// page size (0: the default).
func pageSize(p *int64) int {
	if p == nil {
		return 0
	}
	return int(*p)
}

// enumPtr converts an optional enum member (already checked against the model's values) to a domain enum.
func enumPtr[T ~string](p *string) *T {
	if p == nil {
		return nil
	}
	v := T(*p)
	return &v
}

// accountOut is the Account shape of a.
func accountOut(a *chime.Account) *Account {
	w := &Account{AwsAccountId: a.AwsAccountID, AccountId: a.ID, Name: a.Name, AccountType: string(a.Type),
		CreatedTimestamp: isoTime(a.CreatedAt), DefaultLicense: string(a.DefaultLicense),
		SupportedLicenses: make([]string, len(a.SupportedLicenses)), AccountStatus: string(a.Status)}
	for i, l := range a.SupportedLicenses {
		w.SupportedLicenses[i] = string(l)
	}
	for _, g := range a.SigninDelegateGroups {
		w.SigninDelegateGroups = append(w.SigninDelegateGroups, SigninDelegateGroup{GroupName: &g})
	}
	return w
}

// setUser fills w with the User shape of u; withPIN is false in lists (lists show no PIN, docs/behavior.md D11).
func setUser(w *User, alexa *AlexaForBusinessMetadata, u *chime.User, withPIN bool) {
	*alexa = AlexaForBusinessMetadata{IsAlexaForBusinessEnabled: &u.AlexaEnabled}
	if u.AlexaRoomARN != "" {
		alexa.AlexaForBusinessRoomArn = &u.AlexaRoomARN
	}
	*w = User{UserId: u.ID, AccountId: u.AccountID, PrimaryEmail: u.Email, PrimaryProvisionedNumber: u.PhoneNumber,
		DisplayName: u.DisplayName, LicenseType: string(u.License), UserType: string(u.Type),
		UserRegistrationStatus: string(u.RegistrationStatus), UserInvitationStatus: string(u.InvitationStatus),
		RegisteredOn: isoTime(u.RegisteredOn), InvitedOn: isoTime(u.InvitedOn), AlexaForBusinessMetadata: alexa}
	if withPIN {
		w.PersonalPIN = u.PIN
	}
}

// userOut is the User shape of u with its PIN.
func userOut(u *chime.User) *User {
	var v struct {
		u User
		a AlexaForBusinessMetadata
	}
	p := &v
	setUser(&p.u, &p.a, u, true)
	return &p.u
}

func userErrorsOut(errs []chime.UserError) []UserError {
	out := make([]UserError, len(errs))
	for i, e := range errs {
		out[i] = UserError{UserId: e.UserID, ErrorCode: e.Code, ErrorMessage: e.Message}
	}
	return out
}
