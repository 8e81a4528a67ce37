package strategies

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/h1"
)

// HTTPOptions tune an HTTPCaller.
type HTTPOptions struct {
	// Timeout bounds one call, from sending to the end of the body.
	// Default 30s.
	Timeout time.Duration
	// MaxIdleConnsPerHost is how many keep-alive connections to one upstream
	// are kept for reuse. Set it to at least the calls in flight to one
	// upstream, or connections churn. Default 1024.
	MaxIdleConnsPerHost int
	// TLS configures the connections to some upstreams, by UpstreamIndex;
	// the others get Go's defaults (certificates verified against the
	// system's roots).
	TLS map[int]*tls.Config
	// Breakdown times each request's phases (DNS, connect, TLS, time to
	// first byte, body) into its result's Phases, with net/http/httptrace.
	// It allocates a trace per request, so it is off by default; the
	// traces come from net/http, so every call goes through ClientStd.
	Breakdown bool
	// Client is the client of calls to every upstream not in Clients:
	// ClientFast (the default, also for "") or ClientStd; any other value
	// is taken as ClientStd.
	Client Client
	// Clients overrides Client for some upstreams, by UpstreamIndex ("":
	// Client's).
	Clients map[int]Client
	// MaxConns caps the connections open at once to some upstreams, by
	// UpstreamIndex (0: no cap). A call at the cap waits for one of them,
	// within its timeout; the wait is part of its latency.
	MaxConns map[int]int
}

// HTTPCaller makes a call as one HTTP request, over a client tuned for
// load generation: keep-alive, a large idle pool per host, no proxy, no
// compression, and a deadline on every call. It is safe for concurrent use.
//
// Each upstream's calls go through the fast client (internal/h1) or the
// std one (net/http's Transport), as HTTPOptions choose; both send the
// same request and read the answer alike.
//
// Std requests go straight to the Transport, not through an http.Client: a
// redirect is the upstream's answer, counted under its 3xx status, never
// followed by a request fanbench did not count; and the Client's per-request
// work (a copy of the headers, kept for redirects) is saved.
type HTTPCaller struct {
	// fast carries the calls of the upstreams whose client is
	// ClientFast; nil when none is.
	fast      *fastCaller
	client    Client
	clients   map[int]Client
	transport *http.Transport
	// byUpstream holds the transports of upstreams with their own TLS
	// settings or cap of connections, by UpstreamIndex (nil: transport).
	byUpstream []*http.Transport
	// slots are the semaphores of the std calls to upstreams with
	// max_conns, by UpstreamIndex (nil: no cap).
	slots     []chan struct{}
	timeout   time.Duration
	conns     *connCounter
	breakdown bool
}

// NewHTTPCaller returns a caller with its own connection pool.
func NewHTTPCaller(o HTTPOptions) *HTTPCaller {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = 1024
	}
	conns := &connCounter{dial: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext}
	c := &HTTPCaller{timeout: o.Timeout, conns: conns, breakdown: o.Breakdown, client: known(o.Client, ClientFast),
		clients: map[int]Client{}}
	needFast := c.client == ClientFast
	for i, cl := range o.Clients {
		c.clients[i] = known(cl, c.client)
		needFast = needFast || c.clients[i] == ClientFast
	}
	if needFast && !o.Breakdown {
		c.fast = newFastCaller(o, conns.DialContext)
	}
	c.transport = c.newTransport(o, nil, 0)
	own := map[int]bool{}
	for i, conf := range o.TLS {
		own[i] = conf != nil
	}
	for i, n := range o.MaxConns {
		own[i] = own[i] || n > 0
	}
	for i, ok := range own {
		if i < 0 || !ok {
			continue
		}
		c.byUpstream = setAt(c.byUpstream, i, c.newTransport(o, o.TLS[i], o.MaxConns[i]))
		if n := o.MaxConns[i]; n > 0 {
			c.slots = setAt(c.slots, i, make(chan struct{}, n))
		}
	}
	return c
}

// setAt returns s with v at index i, grown with zero values to hold it.
func setAt[T any](s []T, i int, v T) []T {
	if i >= len(s) {
		s = append(s, make([]T, i+1-len(s))...)
	}
	s[i] = v
	return s
}

// newTransport returns a transport with TLS configured by conf (nil: Go's
// defaults) and at most maxConns connections per host (0: no cap).
func (c *HTTPCaller) newTransport(o HTTPOptions, conf *tls.Config, maxConns int) *http.Transport {
	return &http.Transport{
		MaxConnsPerHost: maxConns,
		// Never through a proxy from the environment: the numbers would be the proxy's.
		Proxy:                 nil,
		DialContext:           c.conns.DialContext,
		MaxIdleConns:          0, // no global cap; the per-host cap applies
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		TLSClientConfig:       conf,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
}

// transportFor returns the transport for calls to upstream i.
func (c *HTTPCaller) transportFor(i int) *http.Transport {
	if i >= 0 && i < len(c.byUpstream) && c.byUpstream[i] != nil {
		return c.byUpstream[i]
	}
	return c.transport
}

// ClientFor returns the client of the calls to upstream i.
func (c *HTTPCaller) ClientFor(i int) Client {
	if c.breakdown {
		return ClientStd
	}
	if cl, ok := c.clients[i]; ok {
		return cl
	}
	return c.client
}

// known returns cl, def for "", and ClientStd for a value it does not know.
func known(cl, def Client) Client {
	switch cl {
	case "":
		return def
	case ClientFast:
		return cl
	}
	return ClientStd
}

// Close releases the caller's idle connections.
func (c *HTTPCaller) Close() {
	if c.fast != nil {
		c.fast.close()
	}
	c.transport.CloseIdleConnections()
	for _, t := range c.byUpstream {
		if t != nil {
			t.CloseIdleConnections()
		}
	}
}

// Call sends one request (attempt 0) and reads its whole answer: a Caller
// with no policies. The seq and attempt go in the Fanbench-Seq and
// Fanbench-Attempt headers, which mock upstreams use to pair their draws.
func (c *HTTPCaller) Call(ctx context.Context, seq uint64, call *Call) CallResult {
	return c.CallFrom(ctx, seq, 0, call)
}

// CallFrom is Call with the request numbered attempt first (a hedge's own
// paired draw); see AttemptCaller.
func (c *HTTPCaller) CallFrom(ctx context.Context, seq uint64, first int, call *Call) CallResult {
	a := c.Attempt(ctx, seq, first, call)
	return a.callResult()
}

// callResult is the result of a call made of this one attempt.
func (a *AttemptResult) callResult() CallResult {
	res := CallResult{Status: a.Status, Failure: a.Failure, Err: a.Err, Attempts: 1, Latency: a.Latency,
		Location: a.Location, Phases: a.Phases, ConnWait: a.ConnWait}
	res.AttemptLatency[0] = a.Latency
	if a.Status == http.StatusTooManyRequests {
		res.Got429 = 1
	}
	return res
}

// Attempt sends one request, attempt number attempt of call, and reads its
// whole answer. Besides the Fanbench-Seq and Fanbench-Attempt headers it
// sends an Idempotency-Key, "fb-<seq>-<call index>", the same for every
// attempt of the call, so an upstream (and the mock's ledger) can tell a
// retry from a new call. The Retry-After of a 429 or 503 answer, in either
// form, is returned in RetryAfter.
//
// Every attempt is sent exactly once: see honestRequest for the std
// client; the fast one never sends a request twice.
func (c *HTTPCaller) Attempt(ctx context.Context, seq uint64, attempt int, call *Call) AttemptResult {
	if c.fast != nil && c.ClientFor(call.UpstreamIndex) == ClientFast {
		if res, ok := c.fast.attempt(ctx, time.Time{}, seq, attempt, call); ok {
			return res
		}
	}
	return c.attemptStd(ctx, seq, attempt, call)
}

// AttemptBy is Attempt ended by deadline too (see DeadlineAttempter): the
// fast client sets it on the connection; the std one takes a context.
func (c *HTTPCaller) AttemptBy(ctx context.Context, deadline time.Time, seq uint64, attempt int, call *Call) AttemptResult {
	if c.fast != nil && c.ClientFor(call.UpstreamIndex) == ClientFast {
		if res, ok := c.fast.attempt(ctx, deadline, seq, attempt, call); ok {
			return res
		}
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	return c.attemptStd(ctx, seq, attempt, call)
}

// attemptStd is Attempt through net/http's Transport.
func (c *HTTPCaller) attemptStd(ctx context.Context, seq uint64, attempt int, call *Call) AttemptResult {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var res AttemptResult
	var trace *tracer
	if c.breakdown {
		ctx, trace = withTracer(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, call.URL(seq), nil)
	if err != nil {
		res.Failure, res.Err = FailureTransport, err
		return res
	}
	honestRequest(req)
	// Direct map writes: the keys are already canonical, except the
	// idempotency key's (see honestRequest).
	req.Header[draws.HeaderSeq] = []string{strconv.FormatUint(seq, 10)}
	req.Header[draws.HeaderAttempt] = attemptHeader(attempt)
	if call.OrdinalHeader != nil {
		req.Header[draws.HeaderCall] = call.OrdinalHeader
	}
	req.Header[idempotencyKeyWire] = []string{IdempotencyKey(seq, call.Index)}
	setHeaders(req, seq, call)
	start := time.Now()
	if slots := c.slotsFor(call.UpstreamIndex); slots != nil {
		wait, err := takeSlot(ctx, slots)
		res.ConnWait = wait
		if err != nil {
			res.Latency, res.Failure, res.Err = wait, classify(ctx, err), err
			return res
		}
		defer func() { <-slots }()
	}
	resp, err := c.transportFor(call.UpstreamIndex).RoundTrip(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	res.Latency = time.Since(start)
	if trace != nil {
		res.Phases = trace.phases(start.Add(res.Latency))
	}
	if err != nil {
		res.Failure, res.Err = classify(ctx, err), err
		return res
	}
	res.Status = resp.StatusCode
	if res.Status == http.StatusAccepted {
		if v := resp.Header["Location"]; len(v) > 0 {
			res.Location = v[0] // where an asynchronous call polls
		}
	}
	if res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable {
		if v := resp.Header["Retry-After"]; len(v) > 0 {
			var date string
			if d := resp.Header["Date"]; len(d) > 0 {
				date = d[0]
			}
			res.RetryAfter = ParseRetryAfter(v[0], date, time.Now())
		}
	}
	return res
}

// slotsFor is the semaphore of upstream i's max_conns, or nil. With it,
// a std call waits for a connection before the Transport (whose
// MaxConnsPerHost is the same) would, so that the wait can be timed.
func (c *HTTPCaller) slotsFor(i int) chan struct{} {
	if i >= 0 && i < len(c.slots) {
		return c.slots[i]
	}
	return nil
}

// takeSlot takes a slot of slots, waiting within ctx; wait is how long it
// waited (0 when one was free).
func takeSlot(ctx context.Context, slots chan struct{}) (wait time.Duration, err error) {
	select {
	case slots <- struct{}{}:
		return 0, nil
	default:
	}
	start := time.Now()
	select {
	case slots <- struct{}{}:
		return time.Since(start), nil
	case <-ctx.Done():
		return time.Since(start), ctx.Err()
	}
}

// setHeaders puts the call's own headers and body on req. A header the
// scenario sets replaces fanbench's of the same name (Idempotency-Key, say).
// The body has no GetBody, so the Transport never replays the request.
func setHeaders(req *http.Request, seq uint64, call *Call) {
	if !call.Body.IsZero() {
		b := call.Body.Append(nil, seq)
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		if call.ContentType != "" {
			req.Header["Content-Type"] = []string{call.ContentType}
		}
	}
	for i := range call.Headers {
		h := &call.Headers[i]
		if h.Key == "Host" {
			req.Host = h.values(seq)[0]
			continue
		}
		req.Header[h.Key] = h.values(seq)
	}
}

// IdempotencyKey is the key of call index of operation seq: "fb-<seq>-<index>",
// the same for all the call's attempts and redeliveries.
func IdempotencyKey(seq uint64, index int) string {
	var b [48]byte
	k := append(b[:0], "fb-"...)
	k = strconv.AppendUint(k, seq, 10)
	k = append(k, '-')
	k = strconv.AppendInt(k, int64(index), 10)
	return string(k)
}

// idempotencyKeyWire is the Idempotency-Key header in lower case, on
// purpose. net/http's Transport silently sends a request again on a new
// connection when a reused one was reset or closed before the answer, if
// the request is "replayable" (Request.isReplayable in net/http's
// request.go): a GET, HEAD, OPTIONS or TRACE, or any request whose Header
// map has the canonical key "Idempotency-Key", with no body or a GetBody.
// That replay would hide an attempt from fanbench's counts and from the
// retry policy. Header names are case-insensitive on the wire (servers,
// the mock included, canonicalise them), but the Transport's check looks
// the canonical key up in the map, so the lower-case key keeps the header
// and drops the replay.
const idempotencyKeyWire = "idempotency-key"

// honestRequest makes req non-replayable for the Transport (see
// idempotencyKeyWire). GET and HEAD are replayable by method, so they get an
// empty body that is neither nil nor http.NoBody, with no GetBody: the
// Transport reads it, finds it empty and sends no body and no
// Content-Length or Transfer-Encoding (transfer.go, probeRequestBody), as
// for a nil body, but it no longer replays the request. Other methods keep
// a nil body, so POST, PUT and PATCH still send "Content-Length: 0" (an
// empty non-nil body would make them chunked). OPTIONS and TRACE, which an
// empty body would also make chunked, are left replayable: fanbench
// scenarios do not use them for calls.
func honestRequest(req *http.Request) {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead:
		req.Body = emptyBody{}
	}
}

// emptyBody is a request body of no bytes; it is stateless, so one value
// serves every request.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// attemptHeader returns the Fanbench-Attempt header value for attempt,
// shared for the first few attempts of a call and of its hedge (numbered
// from HedgeFirstAttempt) so that they cost no allocation.
func attemptHeader(attempt int) []string {
	if attempt >= 0 && attempt < len(attemptHeaders) {
		return attemptHeaders[attempt]
	}
	if i := attempt - HedgeFirstAttempt; i >= 0 && i < len(hedgeAttemptHeaders) {
		return hedgeAttemptHeaders[i]
	}
	return []string{strconv.Itoa(attempt)}
}

var attemptHeaders, hedgeAttemptHeaders = headerValues(0, 16), headerValues(HedgeFirstAttempt, 16)

func headerValues(first, n int) [][]string {
	h := make([][]string, n)
	for i := range h {
		h[i] = []string{strconv.Itoa(first + i)}
	}
	return h
}

// classify names the kind of a transport error.
func classify(ctx context.Context, err error) Failure {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return FailureTimeout
	case errors.Is(err, context.Canceled):
		return FailureCanceled
	case errors.Is(err, syscall.ECONNREFUSED):
		return FailureRefused
	case isTLS(err):
		return FailureTLS
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF):
		return FailureReset
	case errors.Is(err, io.EOF):
		return FailureEmpty // closed before a byte of the answer
	case isProtocol(err):
		return FailureProtocol
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return FailureTimeout
	}
	return FailureTransport
}

// isTLS reports whether err is the TLS handshake's: a certificate that
// does not verify, an alert from the server, or a server that does not
// speak TLS.
func isTLS(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		strings.Contains(err.Error(), "tls: ") // "remote error: tls: handshake failure"
}

// isProtocol reports whether err says the answer was not valid HTTP.
// net/http makes most of these errors from text, so they are told by it.
func isProtocol(err error) bool {
	var pe textproto.ProtocolError
	var fast *h1.ProtocolError
	if errors.As(err, &pe) || errors.As(err, &fast) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"malformed HTTP", "malformed MIME", "Content-Length", "Transfer-Encoding", "transfer encoding", "invalid header"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
