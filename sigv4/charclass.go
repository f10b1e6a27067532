package sigv4

// Sets of ASCII bytes as two 64-bit masks (bytes 0–63, 64–127), constants, so that the checks run on every
// request test a bit instead of searching a string of excluded bytes for each byte. Bytes ≥ 128 are in no set.

// inSet reports whether c is in the set of masks lo (bytes 0–63) and hi (bytes 64–127).
func inSet(c byte, lo, hi uint64) bool {
	switch {
	case c < 64:
		return lo&(1<<c) != 0
	case c < 128:
		return hi&(1<<(c-64)) != 0
	}
	return false
}

const (
	digitBits  = (1<<10 - 1) << '0'                        // '0'–'9'
	letterBits = (1<<26-1)<<('A'-64) | (1<<26-1)<<('a'-64) // 'A'–'Z', 'a'–'z'
	printLo    = ^uint64(0) &^ (1<<33 - 1)                 // '!'–'?'
	printHi    = uint64(1)<<63 - 1                         // '@'–'~'

	// A credential scope field: printable ASCII other than space , / ; = " and \.
	scopeLo = printLo &^ (1<<',' | 1<<'/' | 1<<';' | 1<<'=' | 1<<'"')
	scopeHi = printHi &^ (1 << ('\\' - 64))

	// SigV4's unreserved bytes, which a canonical URI or query keeps as they are: A-Za-z0-9 - . _ ~.
	unreservedLo = digitBits | 1<<'-' | 1<<'.'
	unreservedHi = letterBits | 1<<('_'-64) | 1<<('~'-64)

	// An RFC 9110 tchar: a letter, a digit or one of !#$%&'*+-.^_`|~.
	tokenLo = digitBits | 1<<'!' | 1<<'#' | 1<<'$' | 1<<'%' | 1<<'&' | 1<<'\'' | 1<<'*' | 1<<'+' | 1<<'-' | 1<<'.'
	tokenHi = letterBits | 1<<('^'-64) | 1<<('_'-64) | 1<<('`'-64) | 1<<('|'-64) | 1<<('~'-64)

	// A byte with which textproto.CanonicalMIMEHeaderKey still canonicalizes a name: printable ASCII other than
	// "(),/:;<=>?@[\]{}.
	headerKeyLo = printLo &^ (1<<'"' | 1<<'(' | 1<<')' | 1<<',' | 1<<'/' | 1<<':' | 1<<';' | 1<<'<' | 1<<'=' |
		1<<'>' | 1<<'?')
	headerKeyHi = printHi &^ (1<<('@'-64) | 1<<('['-64) | 1<<('\\'-64) | 1<<(']'-64) | 1<<('{'-64) | 1<<('}'-64))
)
