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
// connections per upstream address (and TLS settings). A call it cannot
// carry (a URL with user info, a header value or target with control
// characters) goes to the std client, whose errors say what is wrong.
type fastCaller struct {
	timeout time.Duration
	maxIdle int
	dial    h1.Dialer
	tls     map[int]*tls.Config

	mu      sync.Mutex
	targets map[targetKey]*target
	// byIndex caches each upstream index's last target, read without
	// the lock (copy on write).
	byIndex atomic.Pointer[[]*target]
	closed  bool

	requests sync.Pool // *fastRequest
}

type targetKey struct {
	tls  int // the upstream index whose TLS settings apply; -1: none
	base string
}

// target is where calls with one BaseURL go.
type target struct {
	key    targetKey
	pool   *h1.Pool // nil: the fast client cannot carry these calls
	host   string   // the Host header
	prefix string   // BaseURL's path and query, before the call's path
}

// fastRequest is one attempt's request bytes and answer, reused.
type fastRequest struct {
	buf  []byte
	resp h1.Response
}

func newFastCaller(o HTTPOptions, dial h1.Dialer) *fastCaller {
	f := &fastCaller{timeout: o.Timeout, maxIdle: o.MaxIdleConnsPerHost, dial: dial, tls: o.TLS,
		targets: map[targetKey]*target{}}
	f.requests.New = func() any { return &fastRequest{buf: make([]byte, 0, 1024)} }
	return f
}

// targetFor returns the target of call's BaseURL.
func (f *fastCaller) targetFor(call *Call) *target {
	i := call.UpstreamIndex
	if p := f.byIndex.Load(); p != nil && i >= 0 && i < len(*p) {
		if t := (*p)[i]; t != nil && t.key.base == call.BaseURL {
			return t
		}
	}
	key := targetKey{tls: -1, base: call.BaseURL}
	if f.tls[i] != nil {
		key.tls = i
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.targets[key]
	if t == nil {
		t = f.newTarget(key)
		if f.closed && t.pool != nil {
			t.pool.Close()
		}
		f.targets[key] = t
	}
	if i >= 0 && i < 1024 {
		var next []*target
		if p := f.byIndex.Load(); p != nil {
			next = append(next, *p...)
		}
		if i >= len(next) {
			next = append(next, make([]*target, i+1-len(next))...)
		}
		next[i] = t
		f.byIndex.Store(&next)
	}
	return t
}

// newTarget parses key.base: scheme://host[:port][path][?query].
func (f *fastCaller) newTarget(key targetKey) *target {
	t := &target{key: key}
	scheme, rest, ok := strings.Cut(key.base, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "http" && scheme != "https") {
		return t
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, prefix := rest[:end], rest[end:]
	prefix, _, _ = strings.Cut(prefix, "#")
	if authority == "" || strings.ContainsAny(authority, "@ %") || !validTarget(prefix) {
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
		conf = f.tls[key.tls]
		if conf == nil {
			conf = &tls.Config{}
		}
	}
	t.host, t.prefix = authority, prefix
	t.pool = h1.NewPool(addr, h1.PoolOptions{TLS: conf, Dial: f.dial, MaxIdle: f.maxIdle})
	return t
}

// close closes every pool's idle connections.
func (f *fastCaller) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for _, t := range f.targets {
		if t.pool != nil {
			t.pool.Close()
		}
	}
}

// attempt sends one attempt, as HTTPCaller.Attempt; ok is false when the
// fast client cannot carry the call, and nothing was sent.
func (f *fastCaller) attempt(ctx context.Context, seq uint64, attempt int, call *Call) (res AttemptResult, ok bool) {
	t := f.targetFor(call)
	if t.pool == nil {
		return res, false
	}
	r := f.requests.Get().(*fastRequest)
	defer f.requests.Put(r)
	var good bool
	r.buf, good = appendRequest(r.buf[:0], t, seq, attempt, call)
	if !good {
		return res, false
	}
	start := time.Now()
	deadline := start.Add(f.timeout)
	if d, has := ctx.Deadline(); has && d.Before(deadline) {
		deadline = d
	}
	conn, err := t.pool.Get(ctx, deadline)
	if err == nil {
		err = conn.RoundTrip(ctx, deadline, r.buf, call.Method == http.MethodHead, &r.resp)
		if err != nil || r.resp.Close {
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
func appendRequest(b []byte, t *target, seq uint64, attempt int, call *Call) (_ []byte, ok bool) {
	method := call.Method
	if method == "" {
		method = http.MethodGet
	}
	b = append(b, method...)
	b = append(b, ' ')
	from := len(b)
	b = append(b, t.prefix...)
	b = call.Path.Append(b, seq)
	switch {
	case len(b) == from:
		b = append(b, '/')
	case b[from] != '/' && b[from] != '*':
		b = append(b[:from], append([]byte{'/'}, b[from:]...)...) // rare: a target without its slash
	}
	if !validTarget(b[from:]) {
		return b, false
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	from = len(b)
	if h := call.header("Host"); h != nil {
		b = h.appendValue(b, seq)
	} else {
		b = append(b, t.host...)
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

// validTarget: a request target of visible ASCII (no space, no control).
func validTarget[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
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
