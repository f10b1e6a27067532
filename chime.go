// Package chime is the domain of chimed: the accounts and users of the Amazon Chime administration API, the
// rules that govern them, and the interfaces of the services that store them. It knows nothing of HTTP or SQL.
//
// Section (§) and decision (D) numbers in the comments of this repository refer to docs/behavior.md, the
// behavior chimed implements.
package chime

import "time"

// AccountType is the kind of a Chime account.
type AccountType string

// Account types.
const (
	AccountTeam                AccountType = "Team"
	AccountEnterpriseDirectory AccountType = "EnterpriseDirectory"
	AccountEnterpriseLWA       AccountType = "EnterpriseLWA"
	AccountEnterpriseOIDC      AccountType = "EnterpriseOIDC"
)

// AccountTypes lists every account type.
var AccountTypes = []AccountType{AccountTeam, AccountEnterpriseDirectory, AccountEnterpriseLWA, AccountEnterpriseOIDC}

// License is a user license.
type License string

// Licenses.
const (
	LicenseBasic    License = "Basic"
	LicensePlus     License = "Plus"
	LicensePro      License = "Pro"
	LicenseProTrial License = "ProTrial"
)

// Licenses lists every user license.
var Licenses = []License{LicenseBasic, LicensePlus, LicensePro, LicenseProTrial}

// UserType is the kind of a user.
type UserType string

// User types.
const (
	UserPrivate      UserType = "PrivateUser"
	UserSharedDevice UserType = "SharedDevice"
)

// UserTypes lists every user type.
var UserTypes = []UserType{UserPrivate, UserSharedDevice}

// RegistrationStatus is a user's registration state.
type RegistrationStatus string

// Registration states.
const (
	Unregistered RegistrationStatus = "Unregistered"
	Registered   RegistrationStatus = "Registered"
	Suspended    RegistrationStatus = "Suspended"
)

// RegistrationStatuses lists every registration state.
var RegistrationStatuses = []RegistrationStatus{Unregistered, Registered, Suspended}

// InviteStatus is the state of an invitation (and of an invited user).
type InviteStatus string

// Invitation states.
const (
	InvitePending  InviteStatus = "Pending"
	InviteAccepted InviteStatus = "Accepted"
	InviteFailed   InviteStatus = "Failed"
)

// InviteStatuses lists every invitation state. A user that was never invited has the empty InviteStatus,
// which is not a state and is not listed.
var InviteStatuses = []InviteStatus{InvitePending, InviteAccepted, InviteFailed}

// EmailStatus tells whether an invitation email went out.
type EmailStatus string

// Email states.
const (
	EmailNotSent EmailStatus = "NotSent"
	EmailSent    EmailStatus = "Sent"
	EmailFailed  EmailStatus = "Failed"
)

// AccountStatus is the status of an account; every live account is Active.
type AccountStatus string

// Account states.
const (
	AccountActive    AccountStatus = "Active"
	AccountSuspended AccountStatus = "Suspended"
)

// Account is a Chime account, owned by one AWS account.
type Account struct {
	Seq                  int64 // store-assigned creation order; zero until stored
	AwsAccountID         string
	ID                   string
	Name                 string
	Type                 AccountType
	CreatedAt            time.Time
	DefaultLicense       License
	SupportedLicenses    []License
	Status               AccountStatus
	SigninDelegateGroups []string
	Settings             AccountSettings
}

// Supports reports whether the account supports license l.
func (a *Account) Supports(l License) bool {
	for _, s := range a.SupportedLicenses {
		if s == l {
			return true
		}
	}
	return false
}

// AccountSettings are an account's meeting policies.
type AccountSettings struct {
	DisableRemoteControl bool
	EnableDialOut        bool
}

// User is a member (or invitee) of a Chime account.
type User struct {
	Seq                int64 // store-assigned creation order; zero until stored
	ID                 string
	AccountID          string
	AwsAccountID       string
	Email              string // as first supplied
	DisplayName        string
	License            License
	Type               UserType
	RegistrationStatus RegistrationStatus
	InvitationStatus   InviteStatus // empty for users that were never invited
	InviteID           string       // the current invitation, if any
	InvitedOn          time.Time    // zero when never invited
	RegisteredOn       time.Time    // zero when not registered
	PIN                string       // empty until registration
	AlexaEnabled       bool
	AlexaRoomARN       string
	PhoneNumber        string
	CreatedAt          time.Time
}

// Invite is the result of inviting one address.
type Invite struct {
	ID          string
	Status      InviteStatus
	Email       string
	EmailStatus EmailStatus
}

// UserError reports a failed item of a batch operation.
type UserError struct {
	UserID  string
	Code    string // one of the error codes of this package
	Message string
}

// Identity is an authenticated caller.
type Identity struct {
	AccessKeyID  string
	AwsAccountID string
	ReadOnly     bool
	Region       string // the region the request was signed for (the audit trail's awsRegion)
}

// DefaultAwsAccountID is the AWS account of callers whose access key id does not name one (emulator mode).
const DefaultAwsAccountID = "000000000000"
