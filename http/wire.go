package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"

	chime "github.com/chimed/chimed"
)

// Wire shapes: AWS member names live here and only here.

type wireAccount struct {
	AwsAccountID         string      `json:"AwsAccountId"`
	AccountID            string      `json:"AccountId"`
	Name                 string      `json:"Name"`
	AccountType          string      `json:"AccountType,omitempty"`
	CreatedTimestamp     string      `json:"CreatedTimestamp,omitempty"`
	DefaultLicense       string      `json:"DefaultLicense,omitempty"`
	SupportedLicenses    []string    `json:"SupportedLicenses"`
	AccountStatus        string      `json:"AccountStatus,omitempty"`
	SigninDelegateGroups []wireGroup `json:"SigninDelegateGroups,omitempty"`
}

type wireGroup struct {
	GroupName string `json:"GroupName"`
}

type wireAlexa struct {
	IsAlexaForBusinessEnabled bool   `json:"IsAlexaForBusinessEnabled"`
	AlexaForBusinessRoomArn   string `json:"AlexaForBusinessRoomArn,omitempty"`
}

type wireUser struct {
	UserID                   string    `json:"UserId"`
	AccountID                string    `json:"AccountId,omitempty"`
	PrimaryEmail             string    `json:"PrimaryEmail,omitempty"`
	PrimaryProvisionedNumber string    `json:"PrimaryProvisionedNumber,omitempty"`
	DisplayName              string    `json:"DisplayName,omitempty"`
	LicenseType              string    `json:"LicenseType,omitempty"`
	UserType                 string    `json:"UserType,omitempty"`
	UserRegistrationStatus   string    `json:"UserRegistrationStatus,omitempty"`
	UserInvitationStatus     string    `json:"UserInvitationStatus,omitempty"`
	RegisteredOn             string    `json:"RegisteredOn,omitempty"`
	InvitedOn                string    `json:"InvitedOn,omitempty"`
	AlexaForBusinessMetadata wireAlexa `json:"AlexaForBusinessMetadata"`
	PersonalPIN              string    `json:"PersonalPIN,omitempty"`
}

type wireInvite struct {
	InviteID     string `json:"InviteId"`
	Status       string `json:"Status"`
	EmailAddress string `json:"EmailAddress"`
	EmailStatus  string `json:"EmailStatus"`
}

type wireUserError struct {
	UserID       string `json:"UserId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

type wireAccountSettings struct {
	DisableRemoteControl bool `json:"DisableRemoteControl"`
	EnableDialOut        bool `json:"EnableDialOut"`
}

// timestamp formats t as the ISO-8601 string the SDKs expect: UTC, milliseconds, Z. Zero gives "".
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func toWireAccount(a *chime.Account) wireAccount {
	w := wireAccount{AwsAccountID: a.AwsAccountID, AccountID: a.ID, Name: a.Name, AccountType: string(a.Type),
		CreatedTimestamp: timestamp(a.CreatedAt), DefaultLicense: string(a.DefaultLicense),
		SupportedLicenses: make([]string, len(a.SupportedLicenses)), AccountStatus: string(a.Status)}
	for i, l := range a.SupportedLicenses {
		w.SupportedLicenses[i] = string(l)
	}
	for _, g := range a.SigninDelegateGroups {
		w.SigninDelegateGroups = append(w.SigninDelegateGroups, wireGroup{GroupName: g})
	}
	return w
}

// toWireUser encodes u; withPIN is false in lists (ListUsers omits PINs, D11).
func toWireUser(u *chime.User, withPIN bool) wireUser {
	w := wireUser{UserID: u.ID, AccountID: u.AccountID, PrimaryEmail: u.Email,
		PrimaryProvisionedNumber: u.PhoneNumber, DisplayName: u.DisplayName, LicenseType: string(u.License),
		UserType: string(u.Type), UserRegistrationStatus: string(u.RegistrationStatus),
		UserInvitationStatus: string(u.InvitationStatus), RegisteredOn: timestamp(u.RegisteredOn),
		InvitedOn: timestamp(u.InvitedOn),
		AlexaForBusinessMetadata: wireAlexa{IsAlexaForBusinessEnabled: u.AlexaEnabled,
			AlexaForBusinessRoomArn: u.AlexaRoomARN}}
	if withPIN {
		w.PersonalPIN = u.PIN
	}
	return w
}

func toWireUserErrors(errs []chime.UserError) []wireUserError {
	out := make([]wireUserError, len(errs))
	for i, e := range errs {
		out[i] = wireUserError{UserID: e.UserID, ErrorCode: e.Code, ErrorMessage: e.Message}
	}
	return out
}

// decode reads a JSON object body into v. An empty body is an empty object; unknown members are ignored;
// malformed JSON, a wrong member type or trailing data is EINVALID.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return chime.Invalid("%s has the wrong type (got %s)", te.Field, te.Value)
		}
		return chime.Invalid("the request body is not valid JSON")
	}
	if _, err := d.Token(); err != io.EOF {
		return chime.Invalid("the request body has data after the JSON object")
	}
	return nil
}

// queryInt parses an optional integer query parameter; EINVALID when it is not an integer.
func queryInt(name string, v *string) (*int, error) {
	if v == nil {
		return nil, nil
	}
	n, err := strconv.Atoi(*v)
	if err != nil {
		return nil, chime.Invalid("%s must be an integer", name)
	}
	return &n, nil
}
