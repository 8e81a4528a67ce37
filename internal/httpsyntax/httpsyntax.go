// Package httpsyntax holds the byte-level rules of HTTP/1.1 messages (RFC
// 9110, 9112) that fanbench's own client (internal/h1) and server
// (internal/h1serve) both read by: tokens, field values, lists, lengths.
// They work on bytes and allocate nothing.
package httpsyntax

import "bytes"

// IsToken reports whether c may appear in a token (RFC 9110 §5.6.2), such
// as a field name or a method.
func IsToken(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', IsDigit(c):
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// IsDigit reports whether c is an ASCII digit.
func IsDigit(c byte) bool { return c >= '0' && c <= '9' }

// ValidText reports whether b is a field value's bytes: visible
// characters, obs-text, space and tab (no CTL).
func ValidText(b []byte) bool {
	for _, c := range b {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// Trim removes the optional white space (spaces and tabs) around b.
func Trim(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// EqualFold compares b with the lower-case ASCII s, ignoring b's case.
func EqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// HasToken reports whether the comma-separated list v holds the
// lower-case token tok, in any case.
func HasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		item := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			item, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		if EqualFold(Trim(item), tok) {
			return true
		}
	}
	return false
}

// ParseLength reads a Content-Length: 1*DIGIT, at most 18 digits (no
// overflow).
func ParseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !IsDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
