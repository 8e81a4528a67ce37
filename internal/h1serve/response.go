package h1serve

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/fanbench/fanbench/internal/httpsyntax"
)

// streamAfter is how much of an answer is buffered before it is sent: an
// answer up to it goes in one write with its Content-Length; a longer
// one, or one flushed, is streamed (chunked, unless the handler set the
// Content-Length).
const streamAfter = 32 << 10

// response is the http.ResponseWriter of a connection's requests, reused.
type response struct {
	c      *conn
	header http.Header

	status      int
	wroteHeader bool  // the status is set
	wroteHead   bool  // the head is on the wire: the body streams
	chunked     bool  // the streamed body is chunked
	headOnly    bool  // a HEAD request: the body is counted, not sent
	declared    int64 // the handler's Content-Length, or -1
	written     int64 // body bytes the handler wrote
	close       bool  // the connection ends after this answer
	err         error // the first write error

	body []byte // the body, until the head is sent
	out  []byte // the bytes of a write
	keys []string
}

func (w *response) reset(headOnly bool) {
	clear(w.header)
	w.status, w.wroteHeader, w.wroteHead, w.chunked = 0, false, false, false
	w.headOnly, w.declared, w.written, w.close, w.err = headOnly, -1, 0, false, nil
	if cap(w.body) > 2*streamAfter {
		w.body = nil // a large answer's buffer is not kept
	}
	if cap(w.out) > 2*streamAfter {
		w.out = nil
	}
	w.body = w.body[:0]
}

// Header is the answer's header map, sent with the head.
func (w *response) Header() http.Header { return w.header }

// WriteHeader sets the status; as in net/http, an informational status
// (1xx but 101) is sent at once and a second final status is ignored.
func (w *response) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wroteHeader {
		return
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		w.out = appendStatusLine(w.out[:0], code)
		w.out = w.appendHeaders(w.out)
		w.out = append(w.out, "\r\n"...)
		w.send(w.out)
		return
	}
	w.wroteHeader, w.status = true, code
	if v := w.header["Content-Length"]; len(v) == 1 {
		if n, ok := httpsyntax.ParseLength([]byte(v[0])); ok {
			w.declared = n
		}
	}
}

// Write buffers or streams p.
func (w *response) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if !w.wroteHead {
		if len(w.body)+len(p) <= streamAfter {
			w.body = append(w.body, p...)
			return len(p), nil
		}
		w.startStream(p)
	}
	if w.headOnly {
		return len(p), nil
	}
	w.writeBody(p)
	if w.err != nil {
		return 0, w.err
	}
	return len(p), nil
}

// WriteString is Write without a copy to bytes.
func (w *response) WriteString(s string) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.wroteHead && bodyAllowed(w.status) && w.err == nil &&
		w.declared < 0 && len(w.body)+len(s) <= streamAfter {
		w.body = append(w.body, s...)
		w.written += int64(len(s))
		return len(s), nil
	}
	return w.Write([]byte(s))
}

// Flush sends the head and what is buffered; the rest of the body streams.
func (w *response) Flush() { _ = w.FlushError() }

// FlushError is Flush, with the write's error.
func (w *response) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.wroteHead {
		w.startStream(nil)
	}
	return w.err
}

// Hijack hands the connection to the handler (http.ResponseController).
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.c.hijack() }

// SetReadDeadline sets the connection's read deadline (http.ResponseController).
func (w *response) SetReadDeadline(t time.Time) error { return w.c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the connection's write deadline (http.ResponseController).
func (w *response) SetWriteDeadline(t time.Time) error { return w.c.nc.SetWriteDeadline(t) }

// EnableFullDuplex: the body can always be read while the answer is
// written here (http.ResponseController).
func (w *response) EnableFullDuplex() error { return nil }

// end sends what the handler left: the whole answer in one write, or the
// end of a stream.
func (w *response) end() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.wroteHead {
		if w.chunked && w.err == nil {
			w.send(append(w.out[:0], "0\r\n\r\n"...))
		}
		if w.declared >= 0 && w.written < w.declared && !w.headOnly {
			w.close = true // the client cannot tell where the answer ends
		}
		return w.err
	}
	length := int64(len(w.body))
	if w.headOnly {
		length = w.written
	}
	if w.declared >= 0 && w.written < w.declared && !w.headOnly {
		w.close = true // as net/http: the answer is short of its length
	}
	w.out = w.appendHead(w.out[:0], length, false, w.body)
	if !w.headOnly {
		w.out = append(w.out, w.body...)
	}
	w.send(w.out)
	return w.err
}

// startStream sends the head and the buffered body; later writes go
// straight out. next is the write that overflowed the buffer, whose bytes
// give the Content-Type when nothing was buffered.
func (w *response) startStream(next []byte) {
	w.chunked = w.declared < 0 && !w.headOnly && bodyAllowed(w.status)
	sniff := w.body
	if len(sniff) == 0 {
		sniff = next
	}
	w.out = w.appendHead(w.out[:0], -1, w.chunked, sniff)
	w.send(w.out)
	w.wroteHead = true
	if len(w.body) > 0 && !w.headOnly {
		body := w.body
		w.body = w.body[:0]
		w.writeBody(body)
	}
}

// writeBody sends p as the stream's next bytes.
func (w *response) writeBody(p []byte) {
	if !w.chunked {
		w.send(p)
		return
	}
	w.out = strconv.AppendInt(w.out[:0], int64(len(p)), 16)
	w.out = append(w.out, "\r\n"...)
	w.out = append(w.out, p...)
	w.out = append(w.out, "\r\n"...)
	w.send(w.out)
}

func (w *response) send(b []byte) {
	if w.err != nil || len(b) == 0 {
		return
	}
	if _, err := w.c.nc.Write(b); err != nil {
		w.err = err
		w.close = true
	}
}

// appendHead appends the status line and the headers: the handler's,
// then those net/http would add (Content-Type sniffed from the body,
// Content-Length for a buffered answer, Transfer-Encoding, Date,
// Connection).
func (w *response) appendHead(b []byte, length int64, chunked bool, sniff []byte) []byte {
	b = appendStatusLine(b, w.status)
	b = w.appendHeaders(b)
	h := w.header
	allowed := bodyAllowed(w.status)
	_, hasTE := h["Transfer-Encoding"]
	if _, ok := h["Content-Type"]; !ok && !hasTE && allowed && len(sniff) > 0 {
		b = append(b, "Content-Type: "...)
		b = append(b, http.DetectContentType(sniff)...)
		b = append(b, "\r\n"...)
	}
	if _, ok := h["Content-Length"]; !ok && allowed && length >= 0 && !(w.headOnly && length == 0) {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, length, 10)
		b = append(b, "\r\n"...)
	}
	if chunked {
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	if _, ok := h["Date"]; !ok {
		b = append(b, "Date: "...)
		b = time.Now().UTC().AppendFormat(b, http.TimeFormat)
		b = append(b, "\r\n"...)
	}
	handlerClose := false // the handler's own Connection: close
	for _, v := range h["Connection"] {
		handlerClose = handlerClose || httpsyntax.HasToken([]byte(v), "close")
	}
	// The handler, the client, or the client gone or the server stopping.
	w.close = w.close || handlerClose || w.c.head.close || w.c.isDone()
	if w.close && !handlerClose {
		b = append(b, "Connection: close\r\n"...)
	}
	return append(b, "\r\n"...)
}

// appendHeaders appends the handler's headers in name order, as net/http
// does, leaving out invalid names and turning line breaks in values into
// spaces.
func (w *response) appendHeaders(b []byte) []byte {
	w.keys = w.keys[:0]
	for k := range w.header {
		w.keys = append(w.keys, k)
	}
	slices.Sort(w.keys)
	for _, k := range w.keys {
		if !validName(k) {
			continue
		}
		for _, v := range w.header[k] {
			b = append(b, k...)
			b = append(b, ": "...)
			start := len(b)
			b = append(b, v...)
			for i := start; i < len(b); i++ {
				if b[i] == '\r' || b[i] == '\n' {
					b[i] = ' '
				}
			}
			b = append(b, "\r\n"...)
		}
	}
	return b
}

func validName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !httpsyntax.IsToken(k[i]) {
			return false
		}
	}
	return true
}

// appendStatusLine appends "HTTP/1.1 200 OK\r\n", as net/http writes it.
func appendStatusLine(b []byte, code int) []byte {
	b = append(b, "HTTP/1.1 "...)
	if code < 100 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	if text := http.StatusText(code); text != "" {
		b = append(b, text...)
	} else {
		b = append(b, "status code "...)
		b = strconv.AppendInt(b, int64(code), 10)
	}
	return append(b, "\r\n"...)
}

// bodyAllowed: a status whose answer may have a body (RFC 7230, 3.3).
func bodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199 || status == http.StatusNoContent || status == http.StatusNotModified)
}
