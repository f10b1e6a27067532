package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// Algorithm is the only supported signing algorithm.
	Algorithm = "AWS4-HMAC-SHA256"
	// ServiceName is the signing name of the Amazon Chime API.
	ServiceName = "chime"
	// Terminator ends every SigV4 credential scope.
	Terminator = "aws4_request"

	amzDateLayout = "20060102T150405Z"

	maxAccessKeyIDLen = 128
	maxScopeFieldLen  = 64

	// MaxExpires is the longest validity of a presigned URL (X-Amz-Expires
	// of 604800 seconds), as AWS allows.
	MaxExpires = 7 * 24 * time.Hour
)

// Query parameters of a presigned URL (query-string authentication).
const (
	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	queryDate          = "X-Amz-Date"
	queryExpires       = "X-Amz-Expires"
	querySignedHeaders = "X-Amz-SignedHeaders"
	querySignature     = "X-Amz-Signature"
	querySecurityToken = "X-Amz-Security-Token"
)

// Authorization is a parsed SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/chime/aws4_request, SignedHeaders=a;b, Signature=<64 hex>
//
// or the same parameters of a presigned URL (X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature).
type Authorization struct {
	AccessKeyID   string
	Date          string   // yyyymmdd from the scope
	Region        string   // as given; checked by Verify, not by ParseAuthorization
	Service       string   // as given; checked by Verify, not by ParseAuthorization
	SignedHeaders []string // lowercase, in the order given; read only (a Verifier shares it between requests)
	Signature     string   // 64 lowercase hex chars

	// Presigned is set when the request authenticates with query parameters
	// (a presigned URL) rather than an Authorization header.
	Presigned bool
	// Expires is the X-Amz-Expires of a presigned URL (0 to MaxExpires); 0
	// when absent, which leaves the URL valid within the clock-skew window of
	// its X-Amz-Date, like a signed header.
	Expires time.Duration

	amzDate string // X-Amz-Date of a presigned URL
}

// Scope returns the credential scope "<date>/<region>/<service>/aws4_request".
func (a Authorization) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + Terminator
}

// ParseAuthorization parses the value of an Authorization header.
//
// Errors (always *Error):
//   - Kind MissingAuthenticationToken when h is empty or only white space;
//   - Kind IncompleteSignature for anything malformed: an algorithm other than
//     AWS4-HMAC-SHA256, a missing, empty, duplicated or unknown
//     Credential/SignedHeaders/Signature parameter, a credential that is not
//     <access key>/<yyyymmdd>/<region>/<service>/aws4_request (date must be a
//     real calendar date; fields must be printable ASCII without spaces), an
//     empty or syntactically invalid signed-header name, or a signature that is
//     not 64 hex digits.
//
// Region and service are only checked for shape here; Verify decides whether
// they are acceptable. Upper-case hex digits in the signature and upper-case
// signed-header names are accepted and lowered. ParseAuthorization never
// panics.
func ParseAuthorization(h string) (Authorization, error) {
	return parseAuthorization(h, parseSignedHeaders)
}

// parseAuthorization is ParseAuthorization with the SignedHeaders list split by split (parseSignedHeaders, or a
// Verifier's memo of it).
func parseAuthorization(h string, split func(string) ([]string, error)) (Authorization, error) {
	h = strings.Trim(h, " \t")
	if h == "" {
		return Authorization{}, newError(MissingAuthenticationToken, msgMissingToken)
	}
	algo, rest, _ := strings.Cut(h, " ")
	if algo != Algorithm {
		return Authorization{}, incomplete("Unsupported authorization type: the Authorization header must start with '" + Algorithm + " '.")
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	params := strings.Trim(rest, " \t") // "": no parameters at all, reported as missing below
	for more := params != ""; more; {
		var part string
		part, params, more = strings.Cut(params, ",")
		part = strings.Trim(part, " \t")
		if part == "" {
			return Authorization{}, incomplete("Authorization header contains an empty parameter.")
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return Authorization{}, incomplete("Authorization header parameters must be key=value pairs (missing equal-sign).")
		}
		var dst *string
		var seen *bool
		switch key {
		case "Credential":
			dst, seen = &cred, &haveCred
		case "SignedHeaders":
			dst, seen = &signed, &haveSigned
		case "Signature":
			dst, seen = &sig, &haveSig
		default:
			return Authorization{}, incomplete("Authorization header contains an unknown parameter; only Credential, SignedHeaders and Signature are allowed.")
		}
		if *seen {
			return Authorization{}, incomplete("Authorization header contains parameter '" + key + "' more than once.")
		}
		*dst, *seen = val, true
	}
	var missing []string
	if !haveCred || cred == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSig || sig == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSigned || signed == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(missing) > 0 {
		return Authorization{}, incomplete(strings.Join(missing, " "))
	}

	var a Authorization
	if err := parseCredential(cred, &a); err != nil {
		return Authorization{}, err
	}
	names, err := split(signed)
	if err != nil {
		return Authorization{}, err
	}
	a.SignedHeaders = names
	var ok bool
	if a.Signature, ok = signatureHex(sig); !ok {
		return Authorization{}, incomplete("Signature must be 64 hexadecimal characters.")
	}
	return a, nil
}

// ParseRequest parses the SigV4 authentication of r: its Authorization header
// (ParseAuthorization), or, when the query holds X-Amz-Algorithm,
// X-Amz-Credential or X-Amz-Signature, the query parameters of a presigned URL.
// It checks their form only; Verify checks what they say.
//
// Errors (always *Error) are those of ParseAuthorization, and
// IncompleteSignature when the Authorization header is sent twice, when a
// request carries both an Authorization header and presigned query
// parameters, and for a presigned URL when X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-SignedHeaders or X-Amz-Signature is missing or empty, when
// one of them or X-Amz-Expires is given more than once, or when a value is
// malformed (an algorithm other than AWS4-HMAC-SHA256, a credential, date,
// header list or signature of the wrong form, an X-Amz-Expires that is not a
// number of seconds from 0 to 604800). ParseRequest never panics.
func ParseRequest(r *http.Request) (Authorization, error) { return parseRequest(r, parseSignedHeaders) }

// parseRequest is ParseRequest with the signed-header list split by split (see parseAuthorization).
func parseRequest(r *http.Request, split func(string) ([]string, error)) (Authorization, error) {
	authz := r.Header.Values("Authorization")
	if len(authz) > 1 {
		return Authorization{}, incomplete(msgMultipleHeader)
	}
	h := ""
	if len(authz) == 1 {
		h = authz[0]
	}
	q := presignQuery(r)
	if q == nil {
		return parseAuthorization(h, split)
	}
	if strings.Trim(h, " \t") != "" {
		return Authorization{}, incomplete(msgTwoMechanisms)
	}
	return parsePresigned(q, split)
}

// presignQuery returns r's query parameters when they hold query-string
// authentication (X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature), or
// else nil. The parameters are those url.ParseQuery yields, the same the
// canonical query string is built from.
func presignQuery(r *http.Request) url.Values {
	if r.URL == nil || r.URL.RawQuery == "" {
		return nil
	}
	if !hasPresignName(r.URL.RawQuery) {
		return nil
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // what r.URL.Query() returns: malformed pairs dropped
	return q
}

// hasPresignName reports whether a parameter of rawQuery that url.ParseQuery
// keeps is named X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature. It does
// not allocate unless a name is percent-encoded.
func hasPresignName(rawQuery string) bool {
	for pair := range strings.SplitSeq(rawQuery, "&") {
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(k, "%+") {
			var err error
			if k, err = url.QueryUnescape(k); err != nil {
				continue
			}
		}
		switch k {
		case queryAlgorithm, queryCredential, querySignature:
			if _, err := url.QueryUnescape(v); err == nil {
				return true
			}
		}
	}
	return false
}

// parsePresigned parses the authentication parameters of a presigned URL.
func parsePresigned(q url.Values, split func(string) ([]string, error)) (Authorization, error) {
	names := [...]string{queryAlgorithm, queryCredential, queryDate, querySignedHeaders, querySignature, queryExpires}
	var missing []string
	for _, name := range names {
		vs := q[name]
		if len(vs) > 1 {
			return Authorization{}, incomplete("Query parameter '" + name + "' must be given at most once.")
		}
		if name != queryExpires && (len(vs) == 0 || vs[0] == "") {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return Authorization{}, incomplete("A presigned URL needs the query parameters X-Amz-Algorithm, X-Amz-Credential, " +
			"X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature (X-Amz-Expires is optional); missing or empty: " +
			strings.Join(missing, ", ") + ".")
	}
	if q.Get(queryAlgorithm) != Algorithm {
		return Authorization{}, incomplete("X-Amz-Algorithm only supports '" + Algorithm + "'.")
	}
	a := Authorization{Presigned: true}
	if err := parseCredential(q.Get(queryCredential), &a); err != nil {
		err.Message = "X-Amz-Credential: " + err.Message
		return Authorization{}, err
	}
	a.amzDate = q.Get(queryDate)
	if _, ok := parseAmzDate(a.amzDate); !ok {
		return Authorization{}, incomplete("X-Amz-Date must be in the ISO-8601 basic format yyyyMMdd'T'HHmmss'Z'.")
	}
	if vs, ok := q[queryExpires]; ok {
		d, err := parseExpires(vs[0])
		if err != nil {
			return Authorization{}, err
		}
		a.Expires = d
	}
	names2, err := split(q.Get(querySignedHeaders))
	if err != nil {
		return Authorization{}, incomplete("X-Amz-SignedHeaders must be a ';'-separated list of header names.")
	}
	a.SignedHeaders = names2
	var ok bool
	if a.Signature, ok = signatureHex(q.Get(querySignature)); !ok {
		return Authorization{}, incomplete("X-Amz-Signature must be 64 hexadecimal characters.")
	}
	return a, nil
}

// parseExpires parses X-Amz-Expires: whole seconds from 0 to 604800.
func parseExpires(s string) (time.Duration, *Error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || !isDigits(digits) {
		return 0, incomplete(msgExpiresNumber)
	}
	if digits != s {
		return 0, incomplete(msgExpiresSign)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > int64(MaxExpires/time.Second) {
		return 0, incomplete(msgExpiresWeek)
	}
	return time.Duration(n) * time.Second, nil
}

// parseCredential fills the scope fields of a from "AKID/date/region/service/aws4_request".
func parseCredential(cred string, a *Authorization) *Error {
	const shape = "Credential must have the form '<access key>/<yyyymmdd>/<region>/<service>/" + Terminator + "'."
	akid, rest, ok1 := strings.Cut(cred, "/") // five fields, cut in place (no allocation per request)
	date, rest, ok2 := strings.Cut(rest, "/")
	region, rest, ok3 := strings.Cut(rest, "/")
	service, term, ok4 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || !ok3 || !ok4 || strings.Contains(term, "/") {
		return incomplete(shape)
	}
	if !isScopeToken(akid, maxAccessKeyIDLen) {
		return incomplete(shape + " The access key is empty or malformed.")
	}
	if len(date) != 8 || !isDigits(date) {
		return incomplete(shape + " The date is not yyyymmdd.")
	}
	if _, _, _, ok := civilDate(date); !ok {
		return incomplete(shape + " The date is not a valid calendar date.")
	}
	if !isScopeToken(region, maxScopeFieldLen) {
		return incomplete(shape + " The region is empty or malformed.")
	}
	if !isScopeToken(service, maxScopeFieldLen) {
		return incomplete(shape + " The service is empty or malformed.")
	}
	if term != Terminator {
		return incomplete("Credential should be scoped with a valid terminator: '" + Terminator + "'.")
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = akid, date, region, service
	return nil
}

// civilTime returns the UTC time of date (yyyymmdd) and clock (HHMMSS), both all digits, and whether they
// name a real calendar date and time of day (what time.Parse accepts with layout 20060102T150405, without
// its cost on every request).
func civilTime(date, clock string) (time.Time, bool) {
	y, mo, d, ok := civilDate(date)
	if !ok || len(clock) != 6 || !isDigits(clock) {
		return time.Time{}, false
	}
	h, mi, sec := decimal(clock[:2]), decimal(clock[2:4]), decimal(clock[4:])
	if h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), true
}

// civilDate returns year, month and day of date (yyyymmdd, all digits) and whether they name a real calendar
// date (no 31 April, no 29 February of a common year).
func civilDate(date string) (y, mo, d int, ok bool) {
	if len(date) != 8 || !isDigits(date) {
		return 0, 0, 0, false
	}
	y, mo, d = decimal(date[:4]), decimal(date[4:6]), decimal(date[6:])
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) {
		return 0, 0, 0, false
	}
	return y, mo, d, true
}

// daysIn is the number of days of month mo (1..12) of year y in the proleptic Gregorian calendar.
func daysIn(mo, y int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// decimal is the value of s, all ASCII digits and short enough not to overflow.
func decimal(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// parseSignedHeaders splits "a;b;c" into lowercase header names.
func parseSignedHeaders(s string) ([]string, error) {
	names := strings.Split(s, ";")
	for i, n := range names {
		if n == "" || !isToken(n) {
			return nil, incomplete("SignedHeaders must be a ';'-separated list of header names.")
		}
		names[i] = strings.ToLower(n)
	}
	return names, nil
}

func incomplete(msg string) *Error { return newError(IncompleteSignature, msg) }

// isScopeToken reports whether s is 1..max bytes of printable ASCII other than
// space, ',', '/', ';', '=', '"' and '\'.
func isScopeToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !inSet(s[i], scopeLo, scopeHi) {
			return false
		}
	}
	return true
}

// isToken reports whether s is a non-empty RFC 9110 token (a valid header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !inSet(s[i], tokenLo, tokenHi) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// signatureHex returns sig in lower case when it is a signature, 64 hexadecimal digits (upper-case ones
// accepted); it copies sig only when it holds upper-case digits.
func signatureHex(sig string) (string, bool) {
	if len(sig) != 64 {
		return "", false
	}
	// One table lookup a byte and no branch on its class: the digits of a signature are random, so a branch
	// on each would mispredict about every other byte.
	var class byte
	for i := 0; i < len(sig); i++ {
		class |= hexClass[sig[i]]
	}
	if class&hexInvalid != 0 {
		return "", false
	}
	if class&hexUpper != 0 {
		sig = strings.ToLower(sig)
	}
	return sig, true
}

// The classes of hexClass: a byte that is no hexadecimal digit, and one of A–F.
const (
	hexUpper   = 1
	hexInvalid = 2
)

// hexClass is the class of each byte: 0 for 0–9 and a–f (never written after its initialization).
var hexClass = func() (t [256]byte) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			t[c] = hexUpper
		default:
			t[c] = hexInvalid
		}
	}
	return t
}()
