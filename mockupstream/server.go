package mockupstream

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/h1serve"
)

// Options configure a Server. The zero Options start an unnamed upstream
// that answers 200 at once on a free loopback port.
type Options struct {
	// Name is the upstream's name: it keys the draws and is echoed in the
	// Fanbench-Upstream header.
	Name string
	// Seed keys the draws together with Name.
	Seed   uint64
	Config Config
	// Addr is the address to listen on, "127.0.0.1:0" when empty.
	Addr string
	// Clock tells the time for the incident windows, the rate limit and
	// HTTP-date Retry-After values; nil means time.Now. Tests pass a fake
	// clock to step through incidents or refill the bucket without waiting.
	// Injected delays and slow bodies always run on real timers.
	Clock func() time.Time
	// NoLedger: the server keeps no ledger of idempotency keys (Ledger
	// returns nil, the ledger endpoint answers 404). A run that never reads
	// the ledger saves its memory, which grows with every key: 10 to 15
	// bytes each, 9 MB in a minute of 5,000 operations/s of two calls.
	NoLedger bool
	// AdminToken, when set, is what the admin endpoints' writes (PUT
	// config, POST reset) must carry, as "Authorization: Bearer TOKEN",
	// from any peer. When empty, writes are taken from loopback peers
	// only: a mock listening on the network cannot be reconfigured from it.
	AdminToken string
	// NetHTTP serves every request with net/http's server alone, not
	// fanbench's own (internal/h1serve), as the mocks did before: to
	// compare against a plain net/http server, or to rule the server out.
	// It allocates about 20 times a request where h1serve allocates once.
	NetHTTP bool
	// BodyReadWait bounds the reading of a request's body, from when its
	// headers were read (which readHeaderWait bounds): a client that sends
	// a body slowly, a byte a second, gets 408 and its connection closed
	// rather than holding a connection and a goroutine as long as it
	// likes. DefaultBodyReadWait when 0.
	BodyReadWait time.Duration
}

// Server limits. Bodies are read and thrown away, so the cap only bounds the
// work one request can cause.
const (
	maxBodyBytes   = 1 << 20
	maxHeaderBytes = 64 << 10
	readHeaderWait = 10 * time.Second
	// DefaultBodyReadWait bounds the reading of a request's body (see
	// Options.BodyReadWait).
	DefaultBodyReadWait = 10 * time.Second
	idleTimeout         = 90 * time.Second
	shutdownGrace       = time.Second
)

// Server is a mock upstream listening on a TCP address. Its methods are safe
// for concurrent use.
type Server struct {
	name    string
	seed    uint64
	current atomic.Pointer[behaviorState] // swapped whole by SetConfig
	handler http.Handler
	url     string
	prefix  string   // `{"upstream":"NAME","seq":`, escaped once
	nameHdr []string // shared value of the Fanbench-Upstream header

	clock   func() time.Time
	epoch   time.Time    // clock() at Start
	resetAt atomic.Int64 // clock() − epoch at the last Reset, in ns
	gate    *gate        // the finite capacity, for the server's life

	http     *http.Server    // serves what lean hands over
	lean     *h1serve.Server // serves plain HTTP/1.1 requests without garbage
	ln       net.Listener
	base     context.Context    // parent of every request's context
	stop     context.CancelFunc // cancels base
	served   chan struct{}      // closed when Serve has returned
	bodyWait time.Duration      // Options.BodyReadWait
	once     sync.Once
	err      error

	seq         atomic.Uint64 // seq of requests that carry no Fanbench-Seq
	received    atomic.Uint64
	cancelled   atomic.Uint64
	aborted     atomic.Uint64
	rateLimited atomic.Uint64
	overloaded  atomic.Uint64
	inFlight    atomic.Int64
	statuses    [600 - minStatus]atomic.Uint64
	faults      [numFaults]atomic.Uint64

	admin    http.Handler     // the /__fanbench/ endpoints
	ledger   *Ledger          // idempotency keys received
	injected *latencyRecorder // injected delays, for the stats endpoint
	async    *asyncServer     // outstanding completions of 202s
}

const minStatus = 100

// Start validates opts.Config, listens on opts.Addr and serves in a goroutine
// until Close. The error is Config.Validate's or the listener's.
func Start(opts Options) (*Server, error) {
	b, err := Compile(opts.Config)
	if err != nil {
		return nil, err
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mock upstream %q: %w", opts.Name, err)
	}
	name, _ := json.Marshal(opts.Name) // a string always marshals
	s := &Server{
		name:     opts.Name,
		seed:     opts.Seed,
		url:      "http://" + dialable(ln.Addr()),
		prefix:   `{"upstream":` + string(name) + `,"seq":`,
		nameHdr:  []string{opts.Name},
		clock:    opts.Clock,
		gate:     newGate(),
		served:   make(chan struct{}),
		bodyWait: cmp.Or(opts.BodyReadWait, DefaultBodyReadWait),
		async:    newAsyncServer(),
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	s.epoch = s.clock()
	s.current.Store(newBehaviorState(opts.Config, NewDrawer(opts.Seed, opts.Name, b)))
	if !opts.NoLedger {
		s.ledger = NewLedger()
	}
	s.injected = newLatencyRecorder()
	s.admin = s.adminHandler(opts.AdminToken)
	s.handler = http.HandlerFunc(s.serve)
	base, stop := context.WithCancel(context.Background())
	s.base, s.stop = base, stop
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderWait,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	s.ln = ln
	if opts.NetHTTP {
		go func() {
			defer close(s.served)
			_ = s.http.Serve(ln) // always ErrServerClosed after Close
		}()
		return s, nil
	}
	s.lean = h1serve.New(s.http, base)
	go func() {
		defer close(s.served)
		_ = s.lean.Serve(ln) // the listener's error after Close
	}()
	return s, nil
}

// dialable is the listener's address with an unspecified IP (":0") replaced
// by loopback, so that the URL can be dialled.
func dialable(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok || (ta.IP != nil && !ta.IP.IsUnspecified()) {
		return a.String()
	}
	ip := net.IPv4(127, 0, 0, 1)
	if ta.IP != nil && ta.IP.To4() == nil {
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(ta.Port))
}

// URL is the base URL of the server, like "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.url }

// Name is the upstream's name.
func (s *Server) Name() string { return s.name }

// Handler serves requests as the server does, counting them in its Stats; it
// lets another server (httptest, a mux) host the mock.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops accepting, ends the delays, queue waits and hangs of requests
// in flight (a delayed or queued request is answered 503 and counted as
// Aborted; a hang gets its connection closed), and returns when the
// server's goroutines are done with. Later calls return the first call's
// result.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.stop()
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if s.lean != nil {
			_ = s.ln.Close()
			s.err = s.lean.Shutdown(ctx)
		} else if err := s.http.Shutdown(ctx); err != nil {
			s.err = s.http.Close() // a client too slow to read its answer
		}
		<-s.served
		s.async.close() // the callbacks waiting end with base
		// Shutdown does not wait for handlers that took their connection
		// over (faults, hangs); they end at once once base is cancelled.
		for deadline := time.Now().Add(shutdownGrace); s.inFlight.Load() > 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	})
	return s.err
}

// Config returns the behaviour in force.
func (s *Server) Config() Config { return s.current.Load().config }

// SetConfig validates c and makes it the behaviour of every request that
// arrives from now on; requests in flight keep the one they started with.
// Counters, the ledger, the seed and the incident clock are kept; the rate
// limit starts with a full bucket.
func (s *Server) SetConfig(c Config) error {
	b, err := Compile(c)
	if err != nil {
		return err
	}
	s.current.Store(newBehaviorState(c, NewDrawer(s.seed, s.name, b)))
	return nil
}

// Elapsed is the time since Start or the last Reset on the server's clock:
// the elapsed that Drawer.DrawAt takes to say which incident is in force.
func (s *Server) Elapsed() time.Duration { return s.elapsed(s.clock()) }

func (s *Server) elapsed(now time.Time) time.Duration {
	return now.Sub(s.epoch) - time.Duration(s.resetAt.Load())
}

// Stats are the counters of a Server. Every request received ends as
// exactly one of: an answer counted in Statuses, a fault counted in Faults,
// Cancelled, Aborted, or still InFlight.
type Stats struct {
	Received uint64         // requests that reached the handler
	Statuses map[int]uint64 // answers by status; only non-zero entries
	// Faults counts the requests that got no HTTP answer, by kind (hang,
	// reset, empty, malformed); a hang counts when it ends.
	Faults      map[Fault]uint64
	RateLimited uint64 // 429s of the rate limit, also counted in Statuses
	Overloaded  uint64 // 503s for a full queue, also counted in Statuses
	Cancelled   uint64 // requests whose client gave up in the queue or the delay
	Aborted     uint64 // requests cut short by Close (answered 503)
	InFlight    int64  // requests being handled now
	Queued      int64  // requests waiting for capacity now, among InFlight
	// Async counts the 202s and their completions (callbacks, polls).
	Async AsyncStats
}

// Stats reads the counters. Each counter is read atomically, but not all of
// them at one instant: read them after the traffic has stopped for sums that
// add up.
func (s *Server) Stats() Stats {
	st := Stats{
		Received:    s.received.Load(),
		Statuses:    make(map[int]uint64),
		Faults:      make(map[Fault]uint64),
		RateLimited: s.rateLimited.Load(),
		Overloaded:  s.overloaded.Load(),
		Cancelled:   s.cancelled.Load(),
		Aborted:     s.aborted.Load(),
		InFlight:    s.inFlight.Load(),
		Queued:      s.gate.queued.Load(),
		Async:       s.async.stats(),
	}
	for i := range s.statuses {
		if n := s.statuses[i].Load(); n > 0 {
			st.Statuses[i+minStatus] = n
		}
	}
	for f := range s.faults {
		if n := s.faults[f].Load(); n > 0 {
			st.Faults[Fault(f)] = n
		}
	}
	return st
}

// Ledger is the server's ledger of the idempotency keys received; nil when
// started with NoLedger. Reset leaves it alone; the admin reset endpoint
// clears it.
func (s *Server) Ledger() *Ledger { return s.ledger }

// Reset zeroes the counters and the seq counter of requests that carry no
// Fanbench-Seq, restarts the incident clock and refills the rate limit, so
// a run can start from a clean state on a running server. Call it between
// runs, with no traffic: InFlight is left alone (those requests are still
// running) and their answers count after the Reset.
func (s *Server) Reset() {
	s.resetAt.Store(int64(s.clock().Sub(s.epoch)))
	cur := s.current.Load()
	s.current.CompareAndSwap(cur, newBehaviorState(cur.config, cur.drawer))
	s.seq.Store(0)
	for _, c := range []*atomic.Uint64{&s.received, &s.cancelled, &s.aborted, &s.rateLimited, &s.overloaded} {
		c.Store(0)
	}
	for i := range s.statuses {
		s.statuses[i].Store(0)
	}
	for i := range s.faults {
		s.faults[i].Store(0)
	}
	s.async.reset()
}

// Shared header values; net/http only reads them.
var (
	contentJSON = []string{"application/json"}
	contentText = []string{"text/plain; charset=utf-8"}
	closeConn   = []string{"close"}
)

// serve is the hot path: no logging, no maps but the header, and locks only
// for the features configured (the rate limit, the capacity).
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, PollPrefix) {
		s.servePoll(w, r) // not counted as traffic: Stats.Async counts polls
		return
	}
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		s.admin.ServeHTTP(w, r) // not counted: admin requests are not traffic
		return
	}
	s.received.Add(1)
	s.inFlight.Add(1)
	// The request ends here, unless a hang's goroutine took it over.
	slot, handedOff := false, false // slot: holds a capacity slot
	defer func() {
		if handedOff {
			return
		}
		if slot {
			s.gate.release()
		}
		s.inFlight.Add(-1)
	}()
	h := w.Header()
	h[draws.HeaderUpstream] = s.nameHdr

	seq, attempt, ordinal, hasSeq, err := parseHeaders(r.Header)
	if err == nil {
		err = s.drain(w, r)
	}
	if err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			status = http.StatusRequestTimeout
			w.Header()["Connection"] = closeConn
		}
		s.answerText(w, status, err.Error())
		return
	}
	if !hasSeq {
		seq = s.seq.Add(1) - 1
	}
	st := s.current.Load()
	phase, now := -1, time.Time{}
	if st.timed {
		now = s.clock()
		phase = phaseAt(st.windows, s.elapsed(now))
	}
	ps := &st.phases[phase+1]
	if ps.bucket != nil {
		if ok, wait := ps.bucket.admit(now); !ok {
			s.rateLimited.Add(1)
			h["Retry-After"] = []string{retryAfter(ps.retry.Format, wait, now, 1)}
			s.refuse(w, r, http.StatusTooManyRequests, "rate limit exceeded")
			return
		}
	}
	ctx := r.Context()
	if st.gated {
		switch s.gate.acquire(ctx, ps.capacity) {
		case queueFull:
			s.overloaded.Add(1)
			h["Retry-After"] = s.retryHeader(ps, now)
			s.refuse(w, r, http.StatusServiceUnavailable, "over capacity: the queue is full")
			return
		case gaveUp:
			s.giveUp(w)
			return
		}
		slot = true
	}
	d := st.drawer.drawIn(phase, seq, ordinal, attempt)
	if d.Fault == FaultHang {
		s.ledger.Record(r.Header.Get(HeaderIdempotencyKey), 0)
		handedOff = s.hang(w, r, slot)
		return
	}
	s.injected.Record(d.Latency)
	if d.Latency > 0 && !sleep(ctx, d.Latency) {
		s.giveUp(w)
		return
	}
	if d.Fault != FaultNone && d.Fault != FaultStatus {
		s.ledger.Record(r.Header.Get(HeaderIdempotencyKey), 0)
		s.faults[d.Fault].Add(1)
		breakConn(w, d.Fault)
		return
	}
	if d.Async {
		s.accept(w, r, st.drawer.b.phase(phase).async, d, seq, attempt)
		return
	}
	if d.Status == http.StatusTooManyRequests || d.Status == http.StatusServiceUnavailable {
		h["Retry-After"] = s.retryHeader(ps, now)
	}
	h["Content-Type"] = contentJSON
	s.ledger.Record(r.Header.Get(HeaderIdempotencyKey), d.Status)
	s.count(d.Status)
	s.answer(ctx, w, d.Status, seq, attempt, ps.body)
}

// retryHeader is the Retry-After of an injected 429 or 503, or of a full
// queue: precomputed for seconds, written from the clock for an HTTP-date.
func (s *Server) retryHeader(ps *phaseState, now time.Time) []string {
	if ps.retryHdr != nil {
		return ps.retryHdr
	}
	if now.IsZero() {
		now = s.clock()
	}
	return []string{retryAfter(RetryHTTPDate, ps.retryDelay, now, 0)}
}

// giveUp ends a request whose context ended while it waited: the server is
// closing (answer 503) or the client left (nothing to answer).
func (s *Server) giveUp(w http.ResponseWriter) {
	if !s.closing() {
		s.cancelled.Add(1)
		return
	}
	s.aborted.Add(1)
	h := w.Header()
	h["Connection"] = closeConn
	h["Content-Type"] = contentText
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, "mock upstream closing\n")
}

// refuse answers a request the rate limit or the capacity turned away, at
// once, as a real server's front would.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.ledger.Record(r.Header.Get(HeaderIdempotencyKey), status)
	s.answerText(w, status, msg)
}

// closing reports whether Close has begun.
func (s *Server) closing() bool { return s.base != nil && s.base.Err() != nil }

func (s *Server) answerText(w http.ResponseWriter, status int, msg string) {
	w.Header()["Content-Type"] = contentText
	s.count(status)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

func (s *Server) count(status int) {
	if i := status - minStatus; i >= 0 && i < len(s.statuses) {
		s.statuses[i].Add(1)
	}
}

// drain reads the request body to its end, as a real upstream would before
// answering, refusing bodies over maxBodyBytes or slower than its wait.
func (s *Server) drain(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	return s.readBody(w, r, io.Discard)
}

// readBody copies the request's body to dst, up to maxBodyBytes and within
// the body's wait; the connection's read deadline is lifted afterwards, so
// an injected delay or a hang after the body is not cut by it.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, dst io.Writer) error {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.bodyWait))
	defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if _, err := io.Copy(dst, body); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return err
		}
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			return fmt.Errorf("reading the request body took over %v: %w", s.bodyWait, err)
		}
		return fmt.Errorf("reading the request body: %w", err)
	}
	return nil
}
