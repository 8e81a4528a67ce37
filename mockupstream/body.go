package mockupstream

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The padding of large bodies repeats fillerText: plain ASCII that needs
// no escaping in a JSON string, the same in every answer, so that a body's
// bytes depend only on its request.
const fillerText = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

// filler is fillerText repeated; pad bytes are slices of it. Read only.
var filler = func() []byte {
	b := make([]byte, 16<<10)
	for i := range b {
		b[i] = fillerText[i%len(fillerText)]
	}
	return b
}()

// Pacing of slow bodies: about 50 flushed chunks a second, each at most
// maxChunk bytes, so the bytes a client has received by time t after the
// headers never exceed bytes_per_second × t.
const (
	chunksPerSecond = 50
	maxChunk        = 16 << 10
	padOpen         = `,"pad":"`
	padClose        = `"}` + "\n"
)

// appendHead appends the answer's JSON object without its closing brace:
// {"upstream":"NAME","seq":N,"attempt":N[,"error":"injected 503 Service Unavailable"]
func (s *Server) appendHead(b []byte, status int, seq uint64, attempt uint32) []byte {
	b = append(b, s.prefix...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"attempt":`...)
	b = strconv.AppendUint(b, uint64(attempt), 10)
	if status != http.StatusOK {
		b = append(b, `,"error":"injected `...)
		b = strconv.AppendInt(b, int64(status), 10)
		b = append(b, ' ')
		b = append(b, http.StatusText(status)...) // plain ASCII, no escaping
		b = append(b, '"')
	}
	return b
}

// heads hold the first bytes of answers: a buffer handed to the
// ResponseWriter escapes, and one per request was 8% of the bytes the mock
// allocated.
var heads = sync.Pool{New: func() any { return new([192]byte) }}

// answer writes status and the body that body describes; the headers other
// than Content-Length are set. A write error means the client left: there
// is no one to tell.
func (s *Server) answer(ctx context.Context, w http.ResponseWriter, status int, seq uint64, attempt uint32, body Body) {
	buf := heads.Get().(*[192]byte)
	defer heads.Put(buf)
	head := s.appendHead(buf[:0], status, seq, attempt)
	if body.Size == 0 && body.BytesPerSecond == 0 { // the hot path
		w.WriteHeader(status)
		_, _ = w.Write(append(head, "}\n"...))
		return
	}
	st := newBodyStream(head, body.Size.Bytes())
	w.Header()["Content-Length"] = []string{strconv.FormatInt(st.size(), 10)}
	w.WriteHeader(status)
	if body.BytesPerSecond <= 0 {
		_ = st.write(w, st.size())
		return
	}
	paceBody(ctx, w, &st, body.BytesPerSecond.Bytes())
}

// paceBody sends st at bps bytes a second in flushed chunks, on a schedule
// counted from the first flush so that lateness never accumulates, until
// the body is sent, the client leaves or ctx ends.
func paceBody(ctx context.Context, w http.ResponseWriter, st *bodyStream, bps int64) {
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	flush() // the headers go at once; the body follows at its pace
	chunk := min(max(bps/chunksPerSecond, 1), maxChunk)
	start := time.Now()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for st.off < st.size() {
		n := min(chunk, st.size()-st.off)
		due := start.Add(time.Duration(float64(st.off+n) / float64(bps) * float64(time.Second)))
		if wait := time.Until(due); wait > 0 {
			t.Reset(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
		if st.write(w, n) != nil {
			return
		}
		flush()
	}
}

// bodyStream is a body of a given size, produced on demand: the head of
// the JSON object, a "pad" string of filler, and the close. A size too
// small for the pad field is padded with spaces before the newline (still
// JSON); one too small for the object cuts it short.
type bodyStream struct {
	prefix []byte // the head, and the opening of the pad string
	pad    int64  // filler bytes
	suffix []byte
	off    int64 // bytes written so far
}

// newBodyStream lays out a body of size bytes (0: the default small JSON)
// around head.
func newBodyStream(head []byte, size int64) bodyStream {
	small := int64(len(head)) + 2 // head + "}\n"
	full := int64(len(head) + len(padOpen) + len(padClose))
	switch {
	case size == 0:
		return bodyStream{prefix: append(head, "}\n"...)}
	case size >= full:
		return bodyStream{
			prefix: append(head, padOpen...),
			pad:    size - full,
			suffix: []byte(padClose),
		}
	case size >= small:
		b := append(head, '}')
		for int64(len(b)) < size-1 {
			b = append(b, ' ')
		}
		return bodyStream{prefix: append(b, '\n')}
	}
	return bodyStream{prefix: append(head, "}\n"...)[:size]}
}

func (b *bodyStream) size() int64 { return int64(len(b.prefix)) + b.pad + int64(len(b.suffix)) }

// write writes the next n bytes of the body.
func (b *bodyStream) write(w http.ResponseWriter, n int64) error {
	end := min(b.off+n, b.size())
	for b.off < end {
		var p []byte
		switch pre := int64(len(b.prefix)); {
		case b.off < pre:
			p = b.prefix[b.off:min(end, pre)]
		case b.off < pre+b.pad:
			k := (b.off - pre) % int64(len(filler))
			p = filler[k:min(int64(len(filler)), k+min(end, pre+b.pad)-b.off)]
		default:
			k := b.off - pre - b.pad
			p = b.suffix[k : k+min(end-b.off, int64(len(b.suffix))-k)]
		}
		m, err := w.Write(p)
		b.off += int64(m)
		if err != nil {
			return err
		}
	}
	return nil
}
