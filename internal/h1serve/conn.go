package h1serve

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Buffer sizes: a connection starts with readBuffer bytes and grows it
// only for a long head, up to the fallback's MaxHeaderBytes.
const (
	readBuffer = 4 << 10
	// maxDiscard is how much of a body the handler left unread is read
	// and dropped to keep the connection; more, and it is closed (as
	// net/http does).
	maxDiscard = 256 << 10
)

// aLongTimeAgo is a deadline that has passed: it ends a Read at once.
var aLongTimeAgo = time.Unix(1, 0)

// conn is one connection served here, with all that its requests reuse.
type conn struct {
	srv        *Server
	nc         net.Conn
	remoteAddr string

	buf  []byte // bytes read: buf[r:w] not yet parsed
	r, w int

	head   head
	proto  *http.Request // the request every request starts as (its context)
	req    http.Request
	url    url.URL
	header http.Header
	values []string // backing of the header's one-value slices
	body   body
	resp   response

	done       chan struct{} // closed when the client has gone or the server is stopping
	doneOnce   sync.Once
	stopOnBase func() bool

	mu        sync.Mutex // guards the watch state and idle
	watching  bool       // a watcher's Read is pending
	watcher   chan struct{}
	watched   chan watchResult
	wbuf      [512]byte
	idle      bool // between requests, waiting for the next
	inHandler bool // a handler is running: only then may the client be watched

	disarming atomic.Bool
	hijacked  bool
}

type watchResult struct {
	n   int
	err error
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, nc: nc, remoteAddr: nc.RemoteAddr().String(), buf: make([]byte, readBuffer),
		header: http.Header{}, done: make(chan struct{})}
	c.proto, _ = http.NewRequestWithContext(connContext{c}, http.MethodGet, "/", nil)
	c.body.c = c
	c.resp.c = c
	c.resp.header = http.Header{}
	c.stopOnBase = context.AfterFunc(s.base, func() {
		c.cancel()
		_ = nc.SetReadDeadline(aLongTimeAgo)
		_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
	})
	return c
}

// cancel ends the requests' context.
func (c *conn) cancel() { c.doneOnce.Do(func() { close(c.done) }) }

// serve reads and answers requests until the connection ends, is hijacked
// or is handed to the fallback.
func (c *conn) serve() {
	defer c.srv.forget(c)
	handedOff := false
	defer func() {
		c.stopOnBase()
		if c.watcher != nil {
			close(c.watcher)
		}
		if !c.hijacked && !handedOff {
			_ = c.nc.Close()
		}
	}()
	for {
		st := c.readHead()
		if st == unsupported {
			c.stopOnBase()
			c.srv.handOff(c.nc, c.buf[c.r:c.w])
			handedOff = true
			return
		}
		if st != parsed {
			return
		}
		c.startRequest()
		if !c.runHandler() || c.hijacked {
			return
		}
		if !c.finish() || c.head.close || c.resp.close || c.srv.shuttingDown() || c.isDone() {
			return
		}
	}
}

// readHead reads until a whole head is in the buffer and parses it; it
// returns incomplete when the connection ended (closed, timed out, or the
// server stopping) before one came.
func (c *conn) readHead() parseStatus {
	if !c.setIdle(true) {
		return incomplete
	}
	defer c.setIdle(false)
	limit := c.srv.fallback.MaxHeaderBytes
	if limit <= 0 {
		limit = http.DefaultMaxHeaderBytes
	}
	headerDeadline := false
	for {
		if c.w > c.r {
			n, st := parseHead(c.buf[c.r:c.w], &c.head)
			if st == parsed {
				c.r += n
				_ = c.nc.SetReadDeadline(time.Time{})
				return parsed
			}
			if st == unsupported || c.w-c.r >= limit {
				_ = c.nc.SetReadDeadline(time.Time{})
				return unsupported // net/http answers the bad or too large head
			}
		}
		if c.r == c.w {
			c.r, c.w = 0, 0
		}
		if c.w == len(c.buf) { // make room: move down, then grow
			if c.r > 0 {
				c.w = copy(c.buf, c.buf[c.r:c.w])
				c.r = 0
			} else {
				c.buf = append(c.buf, make([]byte, len(c.buf))...)
				c.buf = c.buf[:cap(c.buf)]
			}
		}
		switch {
		case c.w == c.r: // between requests
			c.setDeadline(cmp.Or(c.srv.fallback.IdleTimeout, c.srv.fallback.ReadHeaderTimeout))
			headerDeadline = false
		case !headerDeadline: // a head has begun
			c.setDeadline(c.srv.fallback.ReadHeaderTimeout)
			headerDeadline = true
		}
		// After the deadline is set: Shutdown and the base's end set theirs
		// after they mark the server and the connection.
		if c.isDone() || c.srv.shuttingDown() {
			return incomplete
		}
		n, err := c.nc.Read(c.buf[c.w:])
		c.w += n
		if err != nil {
			return incomplete
		}
	}
}

// setDeadline sets the read deadline d from now, or none.
func (c *conn) setDeadline(d time.Duration) {
	var t time.Time
	if d > 0 {
		t = time.Now().Add(d)
	}
	_ = c.nc.SetReadDeadline(t)
}

// setIdle marks the connection idle (waiting for a request) or busy; it
// reports false when Shutdown wants the connection to end.
func (c *conn) setIdle(idle bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = idle
	return !(idle && c.srv.shuttingDown())
}

// stopWhenIdle ends the connection now if it is idle; Shutdown calls it
// after it has marked the server, so a busy one ends after its request.
func (c *conn) stopWhenIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle {
		_ = c.nc.SetReadDeadline(aLongTimeAgo)
	}
}

func (c *conn) isDone() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// startRequest makes c.req the request just parsed, reusing the last
// one's memory.
func (c *conn) startRequest() {
	h := &c.head
	clear(c.header)
	c.values = c.values[:0]
	for _, f := range h.fields {
		v := h.text[f.start:f.end]
		if vs, ok := c.header[f.key]; ok {
			c.header[f.key] = append(vs, v) // a repeated header: rare, allocates
			continue
		}
		c.values = append(c.values, v)
		c.header[f.key] = c.values[len(c.values)-1 : len(c.values) : len(c.values)]
	}
	c.url = url.URL{Path: h.path, RawQuery: h.rawQuery}
	c.req = *c.proto
	c.req.Method = h.method
	c.req.URL = &c.url
	c.req.Proto, c.req.ProtoMajor, c.req.ProtoMinor = "HTTP/1.1", 1, 1
	c.req.Header = c.header
	c.req.Host = h.host
	c.req.RemoteAddr = c.remoteAddr
	c.req.RequestURI = h.target
	c.req.Close = h.close
	c.req.ContentLength = h.contentLength
	c.body.remaining = h.contentLength
	c.body.read.Store(h.contentLength == 0)
	c.body.err = nil
	if h.contentLength == 0 {
		c.req.Body = http.NoBody
	} else {
		c.req.Body = &c.body
	}
	c.resp.reset(h.method == http.MethodHead)
	c.mu.Lock()
	c.inHandler = true
	c.mu.Unlock()
}

// endHandler marks the handler done: a goroutine it left behind that asks
// for the context's Done channel can no longer start a watch, whose Read
// would race the next request's.
func (c *conn) endHandler() {
	c.mu.Lock()
	c.inHandler = false
	c.mu.Unlock()
}

// runHandler calls the handler, and reports false if it panicked (the
// connection then ends, as in net/http; http.ErrAbortHandler is not logged).
func (c *conn) runHandler() (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			c.endHandler()
			c.unwatch()
			ok = false
			if p == http.ErrAbortHandler {
				return
			}
			buf := make([]byte, 64<<10)
			buf = buf[:runtime.Stack(buf, false)]
			c.logf("http: panic serving %v: %v\n%s", c.remoteAddr, p, buf)
		}
	}()
	c.srv.fallback.Handler.ServeHTTP(&c.resp, &c.req)
	return true
}

func (c *conn) logf(format string, args ...any) {
	if l := c.srv.fallback.ErrorLog; l != nil {
		l.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// finish ends the request after its handler: it stops watching the
// client, reads what is left of the body, and sends the answer. It reports
// whether the connection can carry another request.
func (c *conn) finish() bool {
	c.endHandler()
	c.unwatch()
	keep := true
	if c.body.remaining > 0 {
		if c.body.remaining > maxDiscard {
			keep = false
		} else {
			_ = c.nc.SetReadDeadline(time.Now().Add(cmp.Or(c.srv.fallback.ReadHeaderTimeout, 10*time.Second)))
			_, err := io.Copy(io.Discard, &c.body)
			keep = err == nil && c.body.remaining == 0
		}
		if !keep {
			c.resp.close = true
		}
	}
	if err := c.resp.end(); err != nil {
		return false
	}
	return keep
}

// watch starts reading the connection while the handler works, so that
// the context ends when the client leaves. Only once the body is read:
// the watcher must not take the body's bytes.
func (c *conn) watch() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.inHandler || c.watching || c.hijacked || !c.body.read.Load() || c.isDone() {
		return
	}
	if c.watcher == nil {
		c.watcher = make(chan struct{}, 1) // the handler does not wait for the watcher to run
		c.watched = make(chan watchResult)
		go c.watchLoop()
	}
	c.watching = true
	c.watcher <- struct{}{}
}

// watchLoop is the watcher: a Read at each request of watch, whose error
// (bar the one unwatch causes) means the client has gone.
func (c *conn) watchLoop() {
	for range c.watcher {
		n, err := c.nc.Read(c.wbuf[:])
		if err != nil && !c.disarming.Load() {
			c.cancel()
		}
		c.watched <- watchResult{n, err}
	}
}

// unwatch stops the watcher's Read, if one is pending, and keeps what it
// read for the next request.
func (c *conn) unwatch() {
	c.mu.Lock()
	watching := c.watching
	c.mu.Unlock()
	if !watching {
		return
	}
	c.disarming.Store(true)
	_ = c.nc.SetReadDeadline(aLongTimeAgo)
	res := <-c.watched
	c.disarming.Store(false)
	_ = c.nc.SetReadDeadline(time.Time{})
	c.mu.Lock()
	c.watching = false
	c.mu.Unlock()
	if res.n > 0 {
		if c.r == c.w {
			c.r, c.w = 0, 0
		}
		if len(c.buf)-c.w < res.n {
			c.w = copy(c.buf, c.buf[c.r:c.w])
			c.r = 0
			if len(c.buf)-c.w < res.n {
				c.buf = append(c.buf[:c.w], make([]byte, res.n)...)
				c.buf = c.buf[:cap(c.buf)]
			}
		}
		c.w += copy(c.buf[c.w:], c.wbuf[:res.n])
	}
	if res.err != nil && !isTimeout(res.err) {
		c.resp.close = true // the client closed or broke its side
	}
}

// isTimeout: err is a deadline's (a type assertion: errors.As would
// allocate on every request that watched).
func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// hijack hands the connection to the handler, with the bytes read but not
// yet taken.
func (c *conn) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if c.resp.wroteHead {
		return nil, nil, errors.New("h1serve: Hijack after the answer's head was sent")
	}
	c.mu.Lock()
	c.hijacked = true
	c.mu.Unlock()
	c.unwatch()
	c.stopOnBase()
	var r io.Reader = c.nc
	if pending := c.buf[c.r:c.w]; len(pending) > 0 {
		r = io.MultiReader(&prefixConn{pending: append([]byte(nil), pending...)}, c.nc)
	}
	return c.nc, bufio.NewReadWriter(bufio.NewReader(r), bufio.NewWriter(c.nc)), nil
}

// body is a request's Content-Length body, read from the buffer first.
type body struct {
	c         *conn
	remaining int64
	read      atomic.Bool // remaining is 0: read whole (watch may ask from any goroutine)
	err       error
}

func (b *body) Read(p []byte) (int, error) {
	if b.remaining <= 0 {
		return 0, io.EOF
	}
	if b.err != nil {
		return 0, b.err
	}
	c := b.c
	p = p[:min(int64(len(p)), b.remaining)]
	var n int
	if c.w > c.r {
		n = copy(p, c.buf[c.r:c.w])
		c.r += n
	} else {
		var err error
		n, err = c.nc.Read(p)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			b.err = err
		}
	}
	b.remaining -= int64(n)
	if b.remaining == 0 {
		b.read.Store(true)
		return n, io.EOF
	}
	return n, b.err
}

// Close does nothing: what the handler leaves is discarded after it.
func (b *body) Close() error { return nil }

// connContext is every request's context on a connection: it ends when the
// client closes the connection or the server's base context ends. Done
// starts the watch of the client.
type connContext struct{ c *conn }

func (x connContext) Deadline() (time.Time, bool) { return time.Time{}, false }

func (x connContext) Done() <-chan struct{} {
	x.c.watch()
	return x.c.done
}

func (x connContext) Err() error {
	if !x.c.isDone() {
		return nil
	}
	if err := x.c.srv.base.Err(); err != nil {
		return err
	}
	return context.Canceled
}

func (x connContext) Value(key any) any { return x.c.srv.base.Value(key) }

func (x connContext) String() string { return fmt.Sprintf("h1serve connection %s", x.c.remoteAddr) }
