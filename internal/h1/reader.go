package h1

import (
	"io"
	"sync"
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

// discard consumes n bytes: first what is buffered, then, for a large
// body, straight from the stream into a borrowed scratch buffer, so that
// a body of a megabyte costs a few dozen reads, not one per 2 KiB.
func (r *Reader) discard(n int64) error {
	k := min(int64(r.w-r.r), n)
	r.r += int(k)
	n -= k
	if n > int64(len(r.buf)) {
		var err error
		if n, err = r.skip(n); err != nil {
			return err
		}
	}
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

// skip reads and drops up to n bytes from the stream (the buffer empty),
// leaving the last buffer's worth to discard, which reads no further than
// n. It returns what is left to drop.
func (r *Reader) skip(n int64) (int64, error) {
	scratch := skipBuffers.Get().(*[skipSize]byte)
	defer skipBuffers.Put(scratch)
	for n > int64(len(r.buf)) {
		m, err := r.rd.Read(scratch[:min(n-int64(len(r.buf)), skipSize)])
		n -= int64(m)
		r.got += int64(m)
		switch {
		case err == io.EOF:
			return n, io.ErrUnexpectedEOF
		case err != nil:
			return n, err
		}
	}
	return n, nil
}

const skipSize = 32 << 10

// skipBuffers hold the scratch space of large discards: its content is
// never read, but each is used by one reader at a time all the same.
var skipBuffers = sync.Pool{New: func() any { return new([skipSize]byte) }}

// discardAll consumes everything until the end of the stream: the body of
// an answer that has neither a length nor chunks.
func (r *Reader) discardAll() error {
	r.r, r.w = 0, 0
	scratch := skipBuffers.Get().(*[skipSize]byte)
	defer skipBuffers.Put(scratch)
	for idle := 0; idle < 100; {
		m, err := r.rd.Read(scratch[:])
		r.got += int64(m)
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		case m == 0:
			idle++
		default:
			idle = 0
		}
	}
	return io.ErrNoProgress
}

// startAnswer marks the start of a new answer (for io.EOF against
// io.ErrUnexpectedEOF): the bytes already buffered belong to it.
func (r *Reader) startAnswer() { r.got = int64(r.w - r.r) }
