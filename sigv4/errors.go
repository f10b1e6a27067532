package sigv4

import "strconv"

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
	// carries an X-Amz-Security-Token (session credentials are not supported).
	// Wire name "UnrecognizedClientException".
	UnrecognizedClient
	// InvalidSignature: the signature does not match, the request is outside
	// the clock-skew window, or the scope names the wrong service, region or
	// date. Wire name "InvalidSignatureException".
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
// contains secret material, but it may quote parts of the request such as the
// credential-scope region or the X-Amz-Date value.
type Error struct {
	Kind    Kind
	Message string
}

// Error returns "<ExceptionName>: <Message>".
func (e *Error) Error() string {
	return e.Kind.String() + ": " + e.Message
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
)

func newError(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }
