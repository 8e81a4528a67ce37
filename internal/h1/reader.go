package h1

import (
	"errors"
	"io"
)

// Reader is a buffered reader of HTTP/1.1 answers. Its buffer grows for a
// line longer than it, up to MaxLine; a longer line is a protocol error.
// Not safe for concurrent use.
type Reader struct {
	rd   io.Reader
	buf  []byte
	r, w int
	// got counts the bytes of the current answer read so far: an end of
	// the stream before the first is io.EOF (the connection closed with
	// nothing said), after it io.ErrUnexpectedEOF.
	got int64
}

// NewReader returns a Reader of rd with a buffer of size bytes.
func NewReader(rd io.Reader, size int) *Reader {
	return &Reader{rd: rd, buf: make([]byte, size)}
}

// Reset makes r read from rd, empty.
func (r *Reader) Reset(rd io.Reader) {
	r.rd, r.r, r.w, r.got = rd, 0, 0, 0
}

// Buffered is how many bytes are read from the stream and not yet
// consumed: on a connection between answers, bytes nobody asked for.
func (r *Reader) Buffered() int { return r.w - r.r }

// fill reads more into the buffer, after moving what is unread to its
// start. An end of stream is io.EOF before any byte of the answer and
// io.ErrUnexpectedEOF after one.
func (r *Reader) fill() error {
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		if len(r.buf) >= MaxLine {
			return errLineTooLong
		}
		r.buf = append(r.buf, make([]byte, min(len(r.buf), MaxLine-len(r.buf)))...)
	}
	for range 100 {
		n, err := r.rd.Read(r.buf[r.w:])
		r.w += n
		r.got += int64(n)
		switch {
		case n > 0:
			return nil
		case err == io.EOF && r.got == 0:
			return io.EOF
		case err == io.EOF:
			return io.ErrUnexpectedEOF
		case err != nil:
			return err
		}
	}
	return io.ErrNoProgress
}

// MaxLine bounds a line of an answer's head, a chunk size's line or a
// trailer.
const MaxLine = 64 << 10

var errLineTooLong = &ProtocolError{What: "line longer than 64 KiB"}

// line returns the next line without its CRLF; it is valid until the next
// read. A line ending in a bare LF is a protocol error.
func (r *Reader) line() ([]byte, error) {
	from := 0 // where the search for LF resumes
	for {
		for i := r.r + from; i < r.w; i++ {
			if r.buf[i] != '\n' {
				continue
			}
			if i == r.r || r.buf[i-1] != '\r' {
				return nil, &ProtocolError{What: "line ending", Got: "bare LF"}
			}
			l := r.buf[r.r : i-1]
			r.r = i + 1
			return l, nil
		}
		from = r.w - r.r
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// discard consumes n bytes.
func (r *Reader) discard(n int64) error {
	for n > 0 {
		if r.r == r.w {
			r.r, r.w = 0, 0
			if err := r.fill(); err != nil {
				return err
			}
		}
		k := min(int64(r.w-r.r), n)
		r.r += int(k)
		n -= k
	}
	return nil
}

// discardAll consumes everything until the end of the stream: the body of
// an answer that has neither a length nor chunks.
func (r *Reader) discardAll() error {
	for {
		r.r, r.w = 0, 0
		err := r.fill()
		if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
			r.r, r.w = 0, 0
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// startAnswer marks the start of a new answer (for io.EOF against
// io.ErrUnexpectedEOF): the bytes already buffered belong to it.
func (r *Reader) startAnswer() { r.got = int64(r.w - r.r) }
