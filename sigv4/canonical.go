package sigv4

import (
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// CanonicalRequest builds the SigV4 canonical request for r as a non-S3 AWS
// service verifies it (docs/behavior.md §6.2), using only the header names in
// signedHeaders (lowercase, in the order given) and payloadHash as the last
// line. It never fails and never panics; it does not read r.Body.
//
// The lines are:
//
//   - the method (r.Method, "GET" when empty);
//   - the canonical URI: the escaped path as sent on the wire (r.URL.RawPath
//     when it decodes to r.URL.Path, else r.URL.EscapedPath()), normalized the
//     way botocore does (empty and "." segments dropped, ".." removes the
//     previous segment, a trailing "/" kept unless the result is the root,
//     "" becomes "/"), then percent-encoded once more: every byte except
//     A-Za-z0-9 - . _ ~ and "/" becomes %XX, so "%2F" is signed as "%252F";
//   - the canonical query: the parameters exactly as url.ParseQuery yields them
//     from r.URL.RawQuery ("+" is a space; empty pairs, pairs containing ';'
//     and pairs with invalid %-escapes are dropped, as r.URL.Query() drops
//     them), each name and value encoded with the RFC 3986 unreserved set
//     (space as %20, "+" as %2B), sorted by encoded name then encoded value,
//     "name=" for a parameter without value;
//   - one "name:value" line per signed header: "host" from r.Host (or
//     r.URL.Host), "content-length" from the header or else r.ContentLength,
//     others from r.Header (case-insensitively); runs of spaces collapsed,
//     surrounding white space trimmed, several values joined with ",";
//     a signed header that is absent yields "name:";
//   - the signed headers joined with ";" and the payload hash.
//
// For a presigned URL (query-string authentication) the canonical query leaves
// out X-Amz-Signature; see [PresignedCanonicalRequest].
func CanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	return buildCanonical(r, signedHeaders, payloadHash, canonicalURI(normalizePath(wirePath(r))), false)
}

// PresignedCanonicalRequest is CanonicalRequest for a presigned URL: the
// canonical query string includes every parameter except X-Amz-Signature.
func PresignedCanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	return buildCanonical(r, signedHeaders, payloadHash, canonicalURI(normalizePath(wirePath(r))), true)
}

// buildCanonical assembles the canonical request around an already computed
// canonical URI; presigned leaves X-Amz-Signature out of the query.
func buildCanonical(r *http.Request, signedHeaders []string, payloadHash, uri string, presigned bool) string {
	rawQuery := ""
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	return string(appendCanonical(make([]byte, 0, 256+len(uri)+len(rawQuery)), r, signedHeaders, payloadHash, uri, presigned))
}

// appendCanonical appends the canonical request (see buildCanonical) to b.
func appendCanonical(b []byte, r *http.Request, signedHeaders []string, payloadHash, uri string, presigned bool) []byte {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	rawQuery := ""
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, rawQuery, presigned)
	b = append(b, '\n')
	for _, name := range signedHeaders {
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValues(b, r, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, name := range signedHeaders {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, name...)
	}
	b = append(b, '\n')
	return append(b, payloadHash...)
}

// appendHeaderValues appends the canonical value of the signed header name: its values trimmed, runs of spaces
// collapsed, joined with ",".
func appendHeaderValues(b []byte, r *http.Request, name string) []byte {
	var vals []string
	switch name {
	case "host":
		h := r.Host
		if h == "" && r.URL != nil {
			h = r.URL.Host
		}
		return appendTrimmedValue(b, h)
	case "content-length":
		if v := r.Header["Content-Length"]; len(v) > 0 {
			vals = v
		} else if r.ContentLength >= 0 {
			return strconv.AppendInt(b, r.ContentLength, 10)
		}
	default:
		vals = headerValues(r, name)
	}
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmedValue(b, v)
	}
	return b
}

// appendTrimmedValue appends v without surrounding white space, runs of spaces collapsed to one.
func appendTrimmedValue(b []byte, v string) []byte {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b = append(b, v[i])
	}
	return b
}

// wirePath returns the escaped request path as the client sent it.
func wirePath(r *http.Request) string {
	if r.URL == nil {
		return "/"
	}
	u := r.URL
	if u.RawPath != "" {
		if p, err := url.PathUnescape(u.RawPath); err == nil && p == u.Path {
			return u.RawPath
		}
	}
	return u.EscapedPath()
}

// normalizePath mirrors botocore's normalize_url_path/remove_dot_segments:
// empty and "." segments are dropped, ".." pops the previous segment (never
// above the root), the leading "/" is kept, and a trailing "/" is kept when
// at least one segment remains. "" becomes "/".
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if !needsNormalizing(p) {
		return p
	}
	segs := strings.Split(p, "/")
	out := segs[:0]
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	var b strings.Builder
	b.Grow(len(p))
	if p[0] == '/' {
		b.WriteByte('/')
	}
	for i, s := range out {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(s)
	}
	if p[len(p)-1] == '/' && len(out) > 0 {
		b.WriteByte('/')
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// needsNormalizing reports whether normalizePath could change p: it has an
// empty, "." or ".." segment (ignoring the empty segments that a single
// leading or trailing "/" produces), or it does not start with "/".
func needsNormalizing(p string) bool {
	if p[0] != '/' {
		return true
	}
	start := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		seg := p[start:i]
		switch {
		case seg == "." || seg == "..":
			return true
		case seg == "" && i < len(p):
			return true // "//" somewhere, or a path of just "//..."
		}
		start = i + 1
	}
	return false
}

// canonicalURI percent-encodes every byte of an escaped path except the
// unreserved set and "/".
func canonicalURI(p string) string {
	return escape(p, true)
}

// escape percent-encodes s with upper-case hex, leaving A-Za-z0-9 - . _ ~ and,
// when keepSlash is set, "/".
func escape(s string, keepSlash bool) string {
	lo, hi := uint64(unreservedLo), uint64(unreservedHi)
	if keepSlash {
		lo |= 1 << '/'
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !inSet(s[i], lo, hi) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexDigits = "0123456789ABCDEF"
	buf := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inSet(c, lo, hi) {
			buf = append(buf, c)
		} else {
			buf = append(buf, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return string(buf)
}

// appendCanonicalQuery appends the canonical query string of rawQuery to b,
// without X-Amz-Signature when presigned.
func appendCanonicalQuery(b []byte, rawQuery string, presigned bool) []byte {
	if rawQuery == "" {
		return b
	}
	type pair struct{ k, v string }
	var buf [8]pair
	pairs := buf[:0]
	for raw := range strings.SplitSeq(rawQuery, "&") {
		if raw == "" || strings.Contains(raw, ";") {
			continue
		}
		k, v, _ := strings.Cut(raw, "=")
		dk, err := queryUnescape(k)
		if err != nil {
			continue
		}
		dv, err := queryUnescape(v)
		if err != nil {
			continue
		}
		if presigned && dk == querySignature {
			continue
		}
		pairs = append(pairs, pair{escape(dk, false), escape(dv, false)})
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

// queryUnescape is url.QueryUnescape without its copy when s holds nothing to unescape.
func queryUnescape(s string) (string, error) {
	if strings.IndexAny(s, "%+") < 0 {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// headerValues returns the values of the signed header name (lowercase).
func headerValues(r *http.Request, name string) []string {
	switch name {
	case "host":
		h := r.Host
		if h == "" && r.URL != nil {
			h = r.URL.Host
		}
		return []string{h}
	case "content-length":
		if v := r.Header["Content-Length"]; len(v) > 0 {
			return v
		}
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	}
	var kb [64]byte
	if len(name) <= len(kb) {
		if v, ok := r.Header[string(canonicalKey(kb[:0], name))]; ok { // no allocation: a map index
			return v
		}
	} else if v, ok := r.Header[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v
	}
	// Header maps built by hand may hold non-canonical keys; net/http keeps
	// names it cannot canonicalize as sent. Match them case-insensitively, in
	// a deterministic order.
	var keys []string
	for k := range r.Header {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	var vals []string
	for _, k := range keys {
		vals = append(vals, r.Header[k]...)
	}
	return vals
}

// canonicalKey appends the canonical MIME form of the lowercase header name to b, as
// textproto.CanonicalMIMEHeaderKey returns it for a valid name (letters after "-" and at the start upper
// case); for a name it would leave as it is (a byte that is not a token byte), it appends name unchanged.
func canonicalKey(b []byte, name string) []byte {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !inSet(c, headerKeyLo, headerKeyHi) {
			return append(b[:0], name...)
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
		upper = c == '-'
	}
	return b
}
