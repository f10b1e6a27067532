package chime

import (
	"errors"
	"fmt"
)

// Error codes. Each is also the ErrorCode enum value the wire layer sends in the body's "Code".
const (
	EINVALID       = "BadRequest"
	EUNAUTHORIZED  = "Unauthorized"
	EFORBIDDEN     = "Forbidden"
	EACCESSDENIED  = "AccessDenied"
	ENOTFOUND      = "NotFound"
	ECONFLICT      = "Conflict"
	EUNPROCESSABLE = "Unprocessable"
	ETHROTTLED     = "Throttled"
	ELIMIT         = "ResourceLimitExceeded"
	EINTERNAL      = "ServiceFailure"
	EUNAVAILABLE   = "ServiceUnavailable"
	// EASSOCIATED refuses a change to a phone number that is associated with a user (docs/behavior.md §5.1):
	// a bad request whose body Code says why.
	EASSOCIATED = "PhoneNumberAssociationsExist"
)

// ErrorCodes returns every error code the domain can produce. The wire layer must map each one.
func ErrorCodes() []string {
	return []string{EINVALID, EUNAUTHORIZED, EFORBIDDEN, EACCESSDENIED, ENOTFOUND, ECONFLICT, EUNPROCESSABLE,
		ETHROTTLED, ELIMIT, EINTERNAL, EUNAVAILABLE, EASSOCIATED}
}

// Field names the input an error is about, in the domain's terms; the wire layer names it as its clients do.
type Field string

// Fields of the domain's inputs that errors identify.
const (
	FieldName         Field = "name"
	FieldEmail        Field = "email address"
	FieldUsername     Field = "username"
	FieldLicense      Field = "license"
	FieldUserType     Field = "user type"
	FieldUserIDs      Field = "user ids"
	FieldAccountType  Field = "account type"
	FieldDisplayName  Field = "display name"
	FieldMaxResults   Field = "page size"
	FieldNextToken    Field = "page token"
	FieldAccountID    Field = "account id"
	FieldUserID       Field = "user id"
	FieldAlexaRoomARN Field = "Alexa for Business room ARN"

	FieldOffsetSeconds             Field = "clock offset"                // the server clock's offset (§9.5)
	FieldRetentionSettings         Field = "retention settings"          // §4.20
	FieldRoomRetentionDays         Field = "room retention days"         // §4.20
	FieldConversationRetentionDays Field = "conversation retention days" // §4.20
)

// Fields returns every field the domain's errors can name, declared here and beside the rules that use them. The
// wire layer names each one (http's TestWireFieldsComplete); TestFieldsListsEveryField keeps this list whole.
func Fields() []Field {
	return []Field{
		FieldAccountID, FieldAccountType, FieldAlexaRoomARN, FieldAreaCode, FieldBotDomain, FieldBotID,
		FieldBusinessCallingBucket, FieldCallingName, FieldCity, FieldClientRequestToken, FieldContent,
		FieldConversationID, FieldConversationRetentionDays, FieldCountry, FieldDelegateGroups, FieldDisplayName,
		FieldE164Number, FieldE164Numbers, FieldEmail, FieldFromPhoneNumber, FieldJoinToken,
		FieldLambdaFunctionArn, FieldLicense, FieldMaxResults, FieldMeetingID, FieldMemberID, FieldMemberIDs,
		FieldMembershipItems, FieldMessageID, FieldName, FieldNextToken, FieldNumberIDs, FieldNumberItems,
		FieldNumberType, FieldOffsetSeconds, FieldOutboundEventsHTTPSEndpoint, FieldProductType,
		FieldRetentionSettings, FieldRole, FieldRoomID, FieldRoomRetentionDays, FieldSenderID, FieldState,
		FieldToPhoneNumber, FieldTollFreePrefix, FieldUserID, FieldUserIDs, FieldUserSettings, FieldUserType,
		FieldUsername, FieldVoiceConnectorBucket, FieldWebhookID,
	}
}

// Error is a domain error: a code from the list above, the input it is about (if one), and a message safe to
// show the caller (about the field when Field is set, e.g. "is required").
type Error struct {
	Code    string
	Field   Field
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("chime error: code=%s field=%q message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("chime error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a BadRequest error with a formatted message.
func Invalid(format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns a BadRequest error about field; the message continues the field's name ("is required").
func InvalidField(field Field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns the NotFound error.
func NotFound() *Error { return &Error{Code: ENOTFOUND, Message: "not found"} }

// ErrorCode returns the code of err if it is (or wraps) an *Error, else EINTERNAL; nil gives "".
func ErrorCode(err error) string {
	if err == nil {
		return ""
	} else if e := asError(err); e != nil {
		return e.Code
	}
	return EINTERNAL
}

// ErrorField returns the field err is about, or "".
func ErrorField(err error) Field {
	if e := asError(err); e != nil {
		return e.Field
	}
	return ""
}

// asError returns the *Error err is or wraps, or nil. An *Error itself is found without errors.As, whose target
// escapes to the heap: the error checks on every request's path allocate nothing.
func asError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrorMessage returns the message of err if it is an *Error (prefixed by its field's domain name when it has
// one and withField), else a generic text that leaks no internals.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	} else if e := asError(err); e != nil {
		return e.Message
	}
	return "Internal service failure"
}
