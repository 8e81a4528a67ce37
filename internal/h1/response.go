package h1

import (
	"bytes"
	"strconv"

	"github.com/fanbench/fanbench/internal/httpsyntax"
)

// Response is what a caller keeps of one answer: its status, whether the
// connection must close after it, and the few headers fanbench reads.
// The header values are copies held in the Response's own buffer, reused
// from one answer to the next: valid until the next ReadResponse.
type Response struct {
	Status int
	// Close: the server closes the connection after this answer
	// (Connection: close, HTTP/1.0, or a body that runs to the end of the
	// stream); it must not be reused.
	Close bool
	// Location, RetryAfter and Date are those headers' values; nil when
	// absent.
	Location, RetryAfter, Date []byte
	// BodyLength is the length of the body read (and thrown away).
	BodyLength int64

	scratch []byte
}

// ProtocolError is an answer that is not valid HTTP/1.1 by this parser's
// strict reading.
type ProtocolError struct {
	What string
	Got  string
}

func (e *ProtocolError) Error() string {
	if e.Got == "" {
		return "malformed HTTP answer: " + e.What
	}
	return "malformed HTTP " + e.What + " " + strconv.Quote(e.Got)
}

// Limits of one answer's header block.
const (
	maxHeaderBytes = 64 << 10
	maxHeaders     = 256
	maxInterim     = 8 // 1xx answers before the final one
	maxGot         = 64
)

func protoErr(what string, got []byte) error {
	if len(got) > maxGot {
		got = got[:maxGot]
	}
	return &ProtocolError{What: what, Got: string(got)}
}

// ReadResponse reads one whole answer into resp, its body discarded. head
// says the request was a HEAD, whose answer has no body whatever its
// headers say. Interim 1xx answers are skipped. An answer this strict
// reader does not accept is a *ProtocolError; a connection closed before
// the first byte of the answer is io.EOF, in the middle of it
// io.ErrUnexpectedEOF.
func ReadResponse(r *Reader, resp *Response, head bool) error {
	r.startAnswer()
	for range maxInterim {
		if err := readHead(r, resp); err != nil {
			return err
		}
		if resp.Status >= 200 {
			return readBody(r, resp, head)
		}
		if resp.Status == 101 {
			return protoErr("status code", []byte("101 (no upgrade was asked for)"))
		}
	}
	return &ProtocolError{What: "too many interim (1xx) answers"}
}

// readHead reads the status line and headers.
func readHead(r *Reader, resp *Response) error {
	line, err := r.line()
	if err != nil {
		return err
	}
	// HTTP/1.x SP 3DIGIT [SP reason]
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || (line[7] != '0' && line[7] != '1') || line[8] != ' ' {
		return protoErr("version", line[:min(len(line), 12)])
	}
	http10 := line[7] == '0'
	code := line[9:12]
	if !httpsyntax.IsDigit(code[0]) || !httpsyntax.IsDigit(code[1]) || !httpsyntax.IsDigit(code[2]) || code[0] < '1' || code[0] > '5' {
		return protoErr("status code", code)
	}
	if len(line) > 12 && (line[12] != ' ' || !httpsyntax.ValidText(line[13:])) {
		return protoErr("status line", line)
	}
	// HTTP/1.0 answers close the connection: keep-alive there is an
	// extension this client does not need.
	*resp = Response{Status: int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0'), Close: http10,
		scratch: resp.scratch[:0]}
	var (
		length           int64 = -1
		chunked          bool
		loc, retry, date [2]int // offsets in scratch, +1 (0: absent)
		total, n         int
		sawEncoding      bool
	)
	for {
		line, err := r.line()
		if err != nil {
			return err
		}
		if len(line) == 0 {
			break
		}
		total += len(line) + 2
		if n++; n > maxHeaders || total > maxHeaderBytes {
			return &ProtocolError{What: "header block too large"}
		}
		name, value, err := field(line)
		if err != nil {
			return err
		}
		switch {
		case httpsyntax.EqualFold(name, "content-length"):
			l, ok := httpsyntax.ParseLength(value)
			if !ok || (length >= 0 && l != length) {
				return protoErr("Content-Length", value)
			}
			length = l
		case httpsyntax.EqualFold(name, "transfer-encoding"):
			if sawEncoding || !httpsyntax.EqualFold(value, "chunked") || http10 {
				return protoErr("Transfer-Encoding (only chunked, once, in HTTP/1.1)", value)
			}
			sawEncoding, chunked = true, true
		case httpsyntax.EqualFold(name, "connection"):
			if httpsyntax.HasToken(value, "close") {
				resp.Close = true
			}
		case httpsyntax.EqualFold(name, "location"):
			loc = resp.keep(value)
		case httpsyntax.EqualFold(name, "retry-after"):
			retry = resp.keep(value)
		case httpsyntax.EqualFold(name, "date"):
			date = resp.keep(value)
		}
	}
	if chunked && length >= 0 {
		return &ProtocolError{What: "both Content-Length and Transfer-Encoding"}
	}
	resp.Location, resp.RetryAfter, resp.Date = resp.slice(loc), resp.slice(retry), resp.slice(date)
	switch {
	case chunked:
		resp.BodyLength = -2
	default:
		resp.BodyLength = length
	}
	return nil
}

// readBody discards the body resp's headers announce.
func readBody(r *Reader, resp *Response, head bool) error {
	switch {
	case head || resp.Status == 204 || resp.Status == 304:
		resp.BodyLength = 0
		return nil
	case resp.BodyLength == -2:
		n, err := discardChunked(r)
		resp.BodyLength = n
		return err
	case resp.BodyLength >= 0:
		return r.discard(resp.BodyLength)
	}
	// Neither a length nor chunks: the body runs to the end of the stream.
	resp.Close = true
	resp.BodyLength = -1
	return r.discardAll()
}

// discardChunked reads a chunked body and its trailers.
func discardChunked(r *Reader) (int64, error) {
	var total int64
	for {
		line, err := r.line()
		if err != nil {
			return total, err
		}
		size, ext := line, []byte(nil)
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			size, ext = line[:i], line[i+1:]
		}
		size = bytes.TrimRight(size, " \t")
		n, ok := parseHex(size)
		if !ok || !httpsyntax.ValidText(ext) {
			return total, protoErr("chunk size", line)
		}
		if n == 0 {
			break
		}
		if err := r.discard(n); err != nil {
			return total, err
		}
		total += n
		end, err := r.line()
		if err != nil {
			return total, err
		}
		if len(end) != 0 {
			return total, protoErr("chunk end", end)
		}
	}
	for n := 0; ; n++ { // trailers, checked and ignored
		line, err := r.line()
		if err != nil {
			return total, err
		}
		if len(line) == 0 {
			return total, nil
		}
		if n >= maxHeaders {
			return total, &ProtocolError{What: "too many trailers"}
		}
		if _, _, err := field(line); err != nil {
			return total, err
		}
	}
}

// field splits a header line into its name and its value, trimmed. The
// name must be a token with no space before the colon; the value visible
// characters, spaces and tabs; a folded line (obs-fold) is refused.
func field(line []byte) (name, value []byte, err error) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return nil, nil, protoErr("header line", line)
	}
	name, value = line[:i], httpsyntax.Trim(line[i+1:])
	for _, c := range name {
		if !httpsyntax.IsToken(c) {
			return nil, nil, protoErr("header name", name)
		}
	}
	if !httpsyntax.ValidText(value) {
		return nil, nil, protoErr("header value", value)
	}
	return name, value, nil
}

// keep copies v into the scratch buffer and returns where it is.
func (resp *Response) keep(v []byte) [2]int {
	from := len(resp.scratch)
	resp.scratch = append(resp.scratch, v...)
	return [2]int{from + 1, len(resp.scratch)}
}

func (resp *Response) slice(at [2]int) []byte {
	if at[0] == 0 {
		return nil
	}
	return resp.scratch[at[0]-1 : at[1] : at[1]]
}

// parseHex reads 1*HEXDIG, at most 15 digits (no overflow).
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		var d byte
		switch {
		case httpsyntax.IsDigit(c):
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}
