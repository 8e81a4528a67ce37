package strategies

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/h1"
)

// fastCaller sends attempts through internal/h1, one pool of keep-alive
// connections per origin (scheme, host and port) and TLS settings. A call
// it cannot carry (a URL with user info, a target or header value with
// control characters) goes to the std client, whose errors say what is
// wrong.
type fastCaller struct {
	timeout time.Duration
	maxIdle int
	dial    h1.Dialer
	tls     map[int]*tls.Config
	conns   map[int]int // HTTPOptions.MaxConns

	mu      sync.Mutex
	targets map[targetKey]*target
	// byIndex caches the route of each upstream index's first BaseURL,
	// read without the lock (copy on write); other BaseURLs of the index
	// (a poll's Location) take the map.
	byIndex atomic.Pointer[[]*route]

	requests sync.Pool // *fastRequest
}

type targetKey struct {
	// owner is the upstream index whose own settings (TLS, a cap of
	// connections) the pool takes; -1: none, the pool is shared.
	owner  int
	origin string
}

// target is one origin's pool.
type target struct {
	pool *h1.Pool // nil: the fast client cannot carry calls to it
	host string   // the Host header
}

// route is a BaseURL's target and path prefix.
type route struct {
	base   string
	t      *target
	prefix string // BaseURL's path and query, before the call's path
}

// fastRequest is one attempt's request bytes and answer, reused.
type fastRequest struct {
	buf  []byte
	resp h1.Response
}

func newFastCaller(o HTTPOptions, dial h1.Dialer) *fastCaller {
	f := &fastCaller{timeout: o.Timeout, maxIdle: o.MaxIdleConnsPerHost, dial: dial, tls: o.TLS, conns: o.MaxConns,
		targets: map[targetKey]*target{}}
	f.requests.New = func() any { return &fastRequest{buf: make([]byte, 0, 1024)} }
	return f
}

// targetFor returns the target of call's BaseURL and the path prefix the
// BaseURL holds.
func (f *fastCaller) targetFor(call *Call) (*target, string) {
	i := call.UpstreamIndex
	if p := f.byIndex.Load(); p != nil && i >= 0 && i < len(*p) {
		if r := (*p)[i]; r != nil && r.base == call.BaseURL {
			return r.t, r.prefix
		}
	}
	origin, prefix := splitBase(call.BaseURL)
	key := targetKey{owner: -1, origin: origin}
	if f.tls[i] != nil || f.conns[i] > 0 {
		key.owner = i
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.targets[key]
	if t == nil {
		t = f.newTarget(key)
		f.targets[key] = t
	}
	if i >= 0 && i < 1024 {
		var next []*route
		if p := f.byIndex.Load(); p != nil {
			next = append(next, *p...)
		}
		if i >= len(next) {
			next = append(next, make([]*route, i+1-len(next))...)
		}
		if next[i] == nil {
			next[i] = &route{base: call.BaseURL, t: t, prefix: prefix}
			f.byIndex.Store(&next)
		}
	}
	return t, prefix
}

// splitBase splits a base URL into its origin (scheme://authority) and
// the rest, without its fragment.
func splitBase(base string) (origin, prefix string) {
	_, rest, ok := strings.Cut(base, "://")
	if !ok {
		return base, ""
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		return base, ""
	}
	origin, prefix = base[:len(base)-len(rest)+end], rest[end:]
	prefix, _, _ = strings.Cut(prefix, "#")
	return origin, prefix
}

// newTarget makes the pool of key.origin: scheme://host[:port].
func (f *fastCaller) newTarget(key targetKey) *target {
	t := &target{}
	scheme, authority, ok := strings.Cut(key.origin, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "http" && scheme != "https") || authority == "" || strings.ContainsAny(authority, "@ %") ||
		!visibleASCII(authority) {
		return t // user info, zones, odd bytes: net/http's business
	}
	addr := authority
	if _, _, err := net.SplitHostPort(authority); err != nil {
		port := "80"
		if scheme == "https" {
			port = "443"
		}
		addr = net.JoinHostPort(strings.Trim(authority, "[]"), port)
	}
	var conf *tls.Config
	if scheme == "https" {
		conf = f.tls[key.owner]
		if conf == nil {
			conf = &tls.Config{}
		}
	}
	t.host = authority
	t.pool = h1.NewPool(addr, h1.PoolOptions{TLS: conf, Dial: f.dial, MaxIdle: f.maxIdle, MaxConns: f.conns[key.owner]})
	return t
}

// close closes every pool's idle connections.
func (f *fastCaller) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.targets {
		if t.pool != nil {
			t.pool.Close()
		}
	}
}

// attempt sends one attempt, as HTTPCaller.Attempt, ended by the
// caller's timeout, ctx's deadline or by (unless zero), whichever comes
// first; ok is false when the fast client cannot carry the call, and
// nothing was sent.
func (f *fastCaller) attempt(ctx context.Context, by time.Time, seq uint64, attempt int, call *Call) (res AttemptResult, ok bool) {
	t, prefix := f.targetFor(call)
	if t.pool == nil {
		return res, false
	}
	r := f.requests.Get().(*fastRequest)
	defer f.requests.Put(r)
	var good bool
	r.buf, good = appendRequest(r.buf[:0], t.host, prefix, seq, attempt, call)
	if !good {
		return res, false
	}
	start := time.Now()
	deadline := start.Add(f.timeout)
	if d, has := ctx.Deadline(); has && d.Before(deadline) {
		deadline = d
	}
	if !by.IsZero() && by.Before(deadline) {
		deadline = by
	}
	conn, waited, err := t.pool.Get(ctx, deadline)
	res.ConnWait = waited
	if err == nil {
		err = conn.RoundTrip(ctx, deadline, r.buf, call.Method == http.MethodHead, &r.resp)
		// A scenario's own Connection header (close, most likely) ends
		// the connection after the answer, whatever the server says.
		if err != nil || r.resp.Close || call.header("Connection") != nil {
			conn.Close()
		} else {
			t.pool.Put(conn)
		}
	}
	res.Latency = time.Since(start)
	if err != nil {
		res.Failure, res.Err = classify(ctx, err), err
		return res, true
	}
	resp := &r.resp
	res.Status = resp.Status
	if res.Status == http.StatusAccepted && resp.Location != nil {
		res.Location = string(resp.Location)
	}
	if (res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable) && resp.RetryAfter != nil {
		if secs, digits := parseDigits(resp.RetryAfter); digits {
			res.RetryAfter = time.Duration(min(secs, maxRetryAfterSeconds)) * time.Second
		} else {
			res.RetryAfter = ParseRetryAfter(string(resp.RetryAfter), string(resp.Date), time.Now())
		}
	}
	return res, true
}

// appendRequest writes the request of attempt of call to b: the same
// headers and body as the std client sends. ok is false when a value
// would break the request's framing (a control character).
func appendRequest(b []byte, host, prefix string, seq uint64, attempt int, call *Call) (_ []byte, ok bool) {
	method := call.Method
	if method == "" {
		method = http.MethodGet
	}
	b = append(b, method...)
	b = append(b, ' ')
	from := len(b)
	b = append(b, prefix...)
	b = call.Path.Append(b, seq)
	switch {
	case len(b) == from:
		b = append(b, '/')
	case b[from] != '/' && b[from] != '*':
		b = append(b[:from], append([]byte{'/'}, b[from:]...)...) // rare: a target without its slash
	}
	if !sameAsStd(b[from:]) {
		return b, false
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	from = len(b)
	if h := call.header("Host"); h != nil {
		b = h.appendValue(b, seq)
	} else {
		b = append(b, host...)
	}
	if !validValue(b[from:]) {
		return b, false
	}
	b = append(b, "\r\n"...)
	if call.header("User-Agent") == nil {
		b = append(b, "User-Agent: fanbench\r\n"...)
	}
	if call.header(draws.HeaderSeq) == nil {
		b = append(b, draws.HeaderSeq+": "...)
		b = strconv.AppendUint(b, seq, 10)
		b = append(b, "\r\n"...)
	}
	if call.header(draws.HeaderAttempt) == nil {
		b = append(b, draws.HeaderAttempt+": "...)
		b = strconv.AppendInt(b, int64(attempt), 10)
		b = append(b, "\r\n"...)
	}
	if call.OrdinalHeader != nil && call.header(draws.HeaderCall) == nil {
		b = append(b, draws.HeaderCall+": "...)
		b = append(b, call.OrdinalHeader[0]...)
		b = append(b, "\r\n"...)
	}
	if call.header(idempotencyKeyWire) == nil {
		b = append(b, "Idempotency-Key: fb-"...)
		b = strconv.AppendUint(b, seq, 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(call.Index), 10)
		b = append(b, "\r\n"...)
	}
	hasBody := !call.Body.IsZero()
	if hasBody && call.ContentType != "" && call.header("Content-Type") == nil {
		b = append(b, "Content-Type: "...)
		b = append(b, call.ContentType...)
		b = append(b, "\r\n"...)
	}
	for i := range call.Headers {
		h := &call.Headers[i]
		switch h.Key {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			continue // the request's framing is the client's (as net/http's)
		}
		b = append(b, h.Key...)
		b = append(b, ": "...)
		from := len(b)
		b = h.appendValue(b, seq)
		if !validValue(b[from:]) {
			return b, false
		}
		b = append(b, "\r\n"...)
	}
	switch {
	case hasBody:
		// The body is written after the head, then moved into place
		// once its length is known.
		b = append(b, "Content-Length: "...)
		at := len(b)
		b = call.Body.Append(b, seq)
		n := len(b) - at
		var digits [20]byte
		d := strconv.AppendInt(digits[:0], int64(n), 10)
		b = append(b, d...)
		b = append(b, "\r\n\r\n"...)
		shift := len(d) + 4
		copy(b[at+shift:], b[at:at+n])
		copy(b[at:], d)
		copy(b[at+len(d):], "\r\n\r\n")
		return b, true
	case method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch:
		b = append(b, "Content-Length: 0\r\n"...)
	}
	return append(b, "\r\n"...), true
}

// header returns the call's header named key (canonical), or nil.
func (c *Call) header(key string) *Header {
	for i := range c.Headers {
		if strings.EqualFold(c.Headers[i].Key, key) {
			return &c.Headers[i]
		}
	}
	return nil
}

// appendValue appends the header's value for operation seq.
func (h *Header) appendValue(b []byte, seq uint64) []byte {
	if h.static != nil {
		return append(b, h.static[0]...)
	}
	return h.Value.Append(b, seq)
}

// visibleASCII: visible ASCII only (no space, no control).
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// sameAsStd reports whether the request target t goes on the wire as the
// std client would send it: a path of the characters net/url leaves
// unescaped (and well-formed %XX escapes), then an optional query of
// visible ASCII, and no fragment. Any other target goes through the std
// client, which escapes it or says why it cannot be sent.
func sameAsStd(t []byte) bool {
	query := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c <= ' ' || c >= 0x7f || c == '#':
			return false
		case query:
		case c == '?':
			query = true
		case c == '%':
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return false
			}
			i += 2
		case !pathByte(c):
			return false
		}
	}
	return true
}

// pathByte: a byte net/url's EscapedPath leaves as it is.
func pathByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-_.~$&+,/:;=@!'()*", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validValue: a header value without control characters (tab allowed).
func validValue(b []byte) bool {
	for _, c := range b {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
