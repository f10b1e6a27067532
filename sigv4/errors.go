package sigv4

import (
	"strconv"
	"strings"
)

// Kind classifies an authentication failure. The HTTP layer maps every Kind to
// status 403 and to the x-amzn-ErrorType header given by [Kind.ExceptionName]
// (docs/behavior.md §6.4, docs/behavior.md D16).
type Kind int

const (
	// MissingAuthenticationToken: the request carries no Authorization header.
	// Wire name "MissingAuthenticationTokenException".
	MissingAuthenticationToken Kind = iota + 1
	// IncompleteSignature: the Authorization header, its credential scope or
	// the date header is malformed or incomplete, or "host" is not signed.
	// Wire name "IncompleteSignatureException".
	IncompleteSignature
	// UnrecognizedClient: the access key is unknown or revoked, or the request
	// carries an X-Amz-Security-Token, as a header or in a presigned URL
	// (chimed keys are long-term; session credentials are not supported).
	// Wire name "UnrecognizedClientException".
	UnrecognizedClient
	// InvalidSignature: the signature does not match, the request is outside
	// the clock-skew window, a presigned URL has expired, or the scope names
	// the wrong service, region or date. Wire name "InvalidSignatureException".
	InvalidSignature
)

// ExceptionName returns the wire name of the error (the x-amzn-ErrorType
// value), e.g. "InvalidSignatureException". It returns "" for a Kind that is
// not one of the declared constants; this package never produces such a Kind.
func (k Kind) ExceptionName() string {
	switch k {
	case MissingAuthenticationToken:
		return "MissingAuthenticationTokenException"
	case IncompleteSignature:
		return "IncompleteSignatureException"
	case UnrecognizedClient:
		return "UnrecognizedClientException"
	case InvalidSignature:
		return "InvalidSignatureException"
	}
	return ""
}

// String returns the exception name, or "sigv4.Kind(N)" for an undeclared Kind.
func (k Kind) String() string {
	if n := k.ExceptionName(); n != "" {
		return n
	}
	return "sigv4.Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is the type of every authentication failure returned by this package.
// Message is meant for the client (the JSON body's "message" member); it never
// contains secret material (a secret, a signing key or the signature sent),
// but it may quote parts of the request such as the credential-scope region or
// the X-Amz-Date value, and a signature mismatch quotes the canonical request
// and the string to sign the server computed, as AWS does.
type Error struct {
	Kind    Kind
	Message string
	// AccessKeyID is the access key id the request named, when the failure
	// came after its credential was parsed; "" otherwise. It is for the
	// server's log, not for the client.
	AccessKeyID string
}

// Error returns "<ExceptionName>: <Message>".
func (e *Error) Error() string {
	return e.Kind.String() + ": " + e.Message
}

// Reason returns the first line of Message: the message without the
// canonical request and string to sign of a signature mismatch, for logs.
func (e *Error) Reason() string {
	r, _, _ := strings.Cut(e.Message, "\n")
	return r
}

// RegionNotAllowed returns the failure of a credential scope whose region is
// not accepted (outside the allow-list, or not a region name), as Verify
// reports it: InvalidSignature, naming the region.
func RegionNotAllowed(region string) *Error {
	return newError(InvalidSignature, "Credential should be scoped to a valid region, not '"+region+"'. ")
}

// signatureMismatch is AWS's answer to a signature that does not match: the
// canonical request and the string to sign the server computed follow the
// fixed wording, so that a hand-written signer can be compared line by line.
func signatureMismatch(canonical, stringToSign string) *Error {
	return newError(InvalidSignature, msgSignature+
		"\n\nThe Canonical String for this request should have been\n'"+canonical+
		"'\n\nThe String-to-Sign should have been\n'"+stringToSign+"'\n")
}

// Client-facing messages (docs/behavior.md §6.3, §6.4).
const (
	msgMissingToken   = "Missing Authentication Token"
	msgBadToken       = "The security token included in the request is invalid."
	msgSignature      = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgWrongService   = "Credential should be scoped to correct service: '" + ServiceName + "'. "
	msgNoDate         = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	msgHostNotSigned  = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgContentSHA256  = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgMultipleHeader = "Request must contain at most one Authorization header."
	msgSessionToken   = "The security token included in the request is invalid. chimed access keys are long-term credentials " +
		"and take no session token: unset it (AWS_SESSION_TOKEN, aws_session_token in ~/.aws/credentials, or the " +
		"session token of static credentials) and sign with the access key id and secret access key alone."
	msgTwoMechanisms = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string " +
		"parameter or the Authorization header should be specified."
	msgExpiresNumber = "X-Amz-Expires should be a number"
	msgExpiresSign   = "X-Amz-Expires must be non-negative"
	msgExpiresWeek   = "X-Amz-Expires must be less than a week (in seconds) that is 604800"
)

func newError(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }
