package h1serve

import (
	"net/http"
	"net/textproto"

	"github.com/fanbench/fanbench/internal/httpsyntax"
)

// parseStatus says what parseHead made of a buffer.
type parseStatus int

const (
	incomplete  parseStatus = iota // the head has not all arrived
	parsed                         // a plain request, in head
	unsupported                    // anything else: net/http's to serve
)

// head is a parsed request head. Its strings are substrings of text, the
// only allocation of a parse, bar unusual header names.
type head struct {
	method        string
	target        string // the request target, as sent (origin form)
	path          string
	rawQuery      string
	host          string
	contentLength int64
	close         bool // the client asked to close after the answer
	text          string
	fields        []field // the header lines but Host, in order
}

// field is a header line: its canonical name and its value's place in text.
type field struct {
	key        string
	start, end int
}

// methods are the methods served here, interned; any other goes to net/http.
var methods = map[string]string{}

// commonKeys interns the canonical names of headers a request often carries.
var commonKeys = map[string]string{}

func init() {
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		methods[m] = m
	}
	for _, k := range []string{"Accept", "Accept-Encoding", "Accept-Language", "Authorization",
		"Cache-Control", "Connection", "Content-Length", "Content-Type", "Cookie", "Fanbench-Attempt",
		"Fanbench-Ordinal", "Fanbench-Seq", "Host", "Idempotency-Key", "Keep-Alive", "Origin", "Referer",
		"Traceparent", "Tracestate", "User-Agent", "X-Forwarded-For", "X-Request-Id"} {
		commonKeys[k] = k
	}
}

// parseHead parses the request head at the start of b into h, reusing h's
// fields slice. It is strict: whatever it does not know for certain
// net/http would read the same way is unsupported, so that net/http
// answers it.
func parseHead(b []byte, h *head) (n int, st parseStatus) {
	// The head's end, every line ended by CRLF; a bare LF is net/http's.
	end := -1
	for i, lineStart := 0, 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i == 0 || b[i-1] != '\r' {
			return 0, unsupported
		}
		if i-1 == lineStart {
			if lineStart == 0 {
				return 0, unsupported // an empty first line
			}
			end = i + 1
			break
		}
		lineStart = i + 1
	}
	if end < 0 {
		return 0, incomplete
	}
	*h = head{fields: h.fields[:0], contentLength: -1}
	line, rest := cutLine(b[:end])
	targetEnd, ok := h.requestLine(line)
	if !ok {
		return 0, unsupported
	}
	hasHost, hasLength := false, false
	for {
		line, rest = cutLine(rest)
		if len(line) == 0 {
			break
		}
		colon := -1
		for i, c := range line {
			if c == ':' {
				colon = i
				break
			}
			if !httpsyntax.IsToken(c) {
				return 0, unsupported // also a folded line, which starts with a space
			}
		}
		if colon <= 0 {
			return 0, unsupported
		}
		vs, ve := colon+1, len(line)
		for vs < ve && (line[vs] == ' ' || line[vs] == '\t') {
			vs++
		}
		for ve > vs && (line[ve-1] == ' ' || line[ve-1] == '\t') {
			ve--
		}
		if !httpsyntax.ValidText(line[vs:ve]) {
			return 0, unsupported
		}
		key, ok := canonicalKey(line[:colon])
		if !ok {
			return 0, unsupported
		}
		value := line[vs:ve]
		switch key {
		case "Host":
			if hasHost || !validHost(value) {
				return 0, unsupported
			}
			hasHost = true
		case "Content-Length":
			if hasLength {
				return 0, unsupported
			}
			hasLength = true
			if h.contentLength, ok = httpsyntax.ParseLength(value); !ok {
				return 0, unsupported
			}
		case "Connection":
			c, ok := connectionOption(value)
			if !ok {
				return 0, unsupported
			}
			h.close = h.close || c
		case "Transfer-Encoding", "Expect", "Upgrade", "Te", "Trailer", "Pragma", "Http2-Settings":
			return 0, unsupported
		}
		start := len(b[:end]) - len(rest) - len(line) - 2 + vs // value's offset in b
		h.fields = append(h.fields, field{key: key, start: start, end: start + len(value)})
	}
	if !hasHost {
		return 0, unsupported // net/http's 400: HTTP/1.1 needs a Host
	}
	if h.contentLength < 0 {
		h.contentLength = 0
	}
	h.text = string(b[:end])
	h.target = h.text[len(h.method)+1 : targetEnd]
	h.path, h.rawQuery = h.target, ""
	for i := 0; i < len(h.target); i++ {
		if h.target[i] == '?' {
			h.path, h.rawQuery = h.target[:i], h.target[i+1:]
			break
		}
	}
	j := 0
	for _, f := range h.fields {
		if f.key == "Host" {
			h.host = h.text[f.start:f.end]
			continue
		}
		h.fields[j] = f
		j++
	}
	h.fields = h.fields[:j]
	return end, parsed
}

// requestLine parses "METHOD SP TARGET SP HTTP/1.1" and returns where the
// target ends in line (it starts after the method and a space).
func (h *head) requestLine(line []byte) (targetEnd int, ok bool) {
	sp := -1
	for i, c := range line {
		if c == ' ' {
			sp = i
			break
		}
	}
	if sp <= 0 {
		return 0, false
	}
	m, ok := methods[string(line[:sp])]
	if !ok {
		return 0, false
	}
	h.method = m
	const version = " HTTP/1.1"
	end := len(line) - len(version)
	if end < sp+2 || string(line[end:]) != version {
		return 0, false
	}
	target := line[sp+1 : end]
	if target[0] != '/' {
		return 0, false // absolute-form, authority-form, asterisk: net/http's
	}
	for _, c := range target {
		if c != '?' && !isTargetChar(c) {
			return 0, false
		}
	}
	return end, true
}

// isTargetChar: the bytes of a target's path and query taken here
// (RFC 3986 unreserved, sub-delims, ':', '@', '/'); '%' and the rest are
// left to net/http's parser.
func isTargetChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/':
		return true
	}
	return false
}

// validHost: a Host header net/http takes (httpguts.ValidHostHeader's
// bytes), not empty.
func validHost(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if !isTargetChar(c) && c != '[' && c != ']' && c != '%' {
			return false
		}
	}
	return true
}

// canonicalKey is name in net/textproto's canonical form, interned when
// common; names net/textproto would leave alone are refused.
func canonicalKey(name []byte) (string, bool) {
	var buf [64]byte
	if len(name) > len(buf) {
		return "", false
	}
	upper := true
	for i, c := range name {
		if c == '_' {
			return "", false // textproto keeps such names as sent; net/http's
		}
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[i] = c
		upper = c == '-'
	}
	k := buf[:len(name)]
	if s, ok := commonKeys[string(k)]; ok {
		return s, true
	}
	return textproto.CanonicalMIMEHeaderKey(string(k)), true
}

// connectionOption reads a Connection header: close is whether it asks to
// close; ok is false for options this server does not take (upgrade) or a
// value it cannot read.
func connectionOption(v []byte) (close, ok bool) {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		opt := httpsyntax.Trim(v[:i])
		switch {
		case httpsyntax.EqualFold(opt, "close"):
			close = true
		case httpsyntax.EqualFold(opt, "keep-alive"), len(opt) == 0:
		default:
			return false, false
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return close, true
}

// cutLine splits b after its first CRLF; line excludes the CRLF.
func cutLine(b []byte) (line, rest []byte) {
	for i := 1; i < len(b); i++ {
		if b[i] == '\n' && b[i-1] == '\r' {
			return b[:i-1], b[i+1:]
		}
	}
	return b, nil
}
