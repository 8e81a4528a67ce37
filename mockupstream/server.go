package mockupstream

import (
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
}

// Server limits. Bodies are read and thrown away, so the cap only bounds the
// work one request can cause.
const (
	maxBodyBytes   = 1 << 20
	maxHeaderBytes = 64 << 10
	readHeaderWait = 10 * time.Second
	idleTimeout    = 90 * time.Second
	shutdownGrace  = time.Second
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

	http   *http.Server
	base   context.Context    // parent of every request's context
	stop   context.CancelFunc // cancels base
	served chan struct{}      // closed when Serve has returned
	once   sync.Once
	err    error

	seq       atomic.Uint64 // seq of requests that carry no Fanbench-Seq
	received  atomic.Uint64
	cancelled atomic.Uint64
	aborted   atomic.Uint64
	inFlight  atomic.Int64
	statuses  [600 - minStatus]atomic.Uint64

	admin    http.Handler     // the /__fanbench/ endpoints
	ledger   *Ledger          // idempotency keys received
	injected *latencyRecorder // injected delays, for the stats endpoint
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
		name:    opts.Name,
		seed:    opts.Seed,
		url:     "http://" + dialable(ln.Addr()),
		prefix:  `{"upstream":` + string(name) + `,"seq":`,
		nameHdr: []string{opts.Name},
		served:  make(chan struct{}),
	}
	s.current.Store(&behaviorState{config: opts.Config, drawer: NewDrawer(opts.Seed, opts.Name, b)})
	s.ledger = NewLedger()
	s.injected = newLatencyRecorder()
	s.admin = s.adminHandler()
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
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln) // always ErrServerClosed after Close
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

// Close stops accepting, ends the delays of requests in flight (they are
// answered 503 and counted as Aborted), and returns when the server's
// goroutines are done with. Later calls return the first call's result.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.stop()
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			s.err = s.http.Close() // a client too slow to read its answer
		}
		<-s.served
	})
	return s.err
}

// behaviorState is the behaviour in force: the Config as given and its
// compiled drawer. It is immutable; SetConfig replaces it whole.
type behaviorState struct {
	config Config
	drawer Drawer
}

// Config returns the behaviour in force.
func (s *Server) Config() Config { return s.current.Load().config }

// SetConfig validates c and makes it the behaviour of every request that
// arrives from now on; requests in flight keep the one they started with.
// Counters, the ledger and the seed are kept.
func (s *Server) SetConfig(c Config) error {
	b, err := Compile(c)
	if err != nil {
		return err
	}
	s.current.Store(&behaviorState{config: c, drawer: NewDrawer(s.seed, s.name, b)})
	return nil
}

// Stats are the counters of a Server. Every request received ends as
// exactly one of: an answer counted in Statuses, Cancelled, Aborted, or
// still InFlight.
type Stats struct {
	Received  uint64         // requests that reached the handler
	Statuses  map[int]uint64 // answers by status; only non-zero entries
	Cancelled uint64         // requests whose client gave up during the delay
	Aborted   uint64         // requests cut short by Close (answered 503)
	InFlight  int64          // requests being handled now
}

// Stats reads the counters. Each counter is read atomically, but not all of
// them at one instant: read them after the traffic has stopped for sums that
// add up.
func (s *Server) Stats() Stats {
	st := Stats{
		Received:  s.received.Load(),
		Statuses:  make(map[int]uint64),
		Cancelled: s.cancelled.Load(),
		Aborted:   s.aborted.Load(),
		InFlight:  s.inFlight.Load(),
	}
	for i := range s.statuses {
		if n := s.statuses[i].Load(); n > 0 {
			st.Statuses[i+minStatus] = n
		}
	}
	return st
}

// Reset zeroes the counters and the seq counter of requests that carry no
// Fanbench-Seq, so a run can start from a clean state on a running server.
// Call it between runs, with no traffic: InFlight is left alone (those
// requests are still running) and their answers count after the Reset.
func (s *Server) Reset() {
	s.seq.Store(0)
	s.received.Store(0)
	s.cancelled.Store(0)
	s.aborted.Store(0)
	for i := range s.statuses {
		s.statuses[i].Store(0)
	}
}

// Shared header values; net/http only reads them.
var (
	contentJSON = []string{"application/json"}
	contentText = []string{"text/plain; charset=utf-8"}
	retryAfter  = []string{"1"}
)

// serve is the hot path: no logging, no locks, no maps but the header.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		s.admin.ServeHTTP(w, r) // not counted: admin requests are not traffic
		return
	}
	s.received.Add(1)
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	h := w.Header()
	h[HeaderUpstream] = s.nameHdr

	seq, attempt, hasSeq, err := parseHeaders(r.Header)
	if err == nil {
		err = drain(w, r)
	}
	if err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		s.answerText(w, status, err.Error())
		return
	}
	if !hasSeq {
		seq = s.seq.Add(1) - 1
	}
	d := s.current.Load().drawer.Draw(seq, attempt)
	s.injected.Record(d.Latency)
	if d.Latency > 0 && !s.wait(r.Context(), d.Latency) {
		if s.closing() {
			s.aborted.Add(1)
			h["Connection"] = []string{"close"}
			h["Content-Type"] = contentText
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "mock upstream closing\n")
			return
		}
		s.cancelled.Add(1)
		return // the client is gone; nothing to answer
	}
	if d.Status == http.StatusTooManyRequests {
		h["Retry-After"] = retryAfter
	}
	h["Content-Type"] = contentJSON
	s.ledger.Record(r.Header.Get(HeaderIdempotencyKey), d.Status)
	s.count(d.Status)
	w.WriteHeader(d.Status)
	var buf [160]byte
	b := append(buf[:0], s.prefix...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"attempt":`...)
	b = strconv.AppendUint(b, uint64(attempt), 10)
	if d.Status != http.StatusOK {
		b = append(b, `,"error":"injected `...)
		b = strconv.AppendInt(b, int64(d.Status), 10)
		b = append(b, ' ')
		b = append(b, http.StatusText(d.Status)...) // plain ASCII, no escaping
		b = append(b, '"')
	}
	b = append(b, "}\n"...)
	_, _ = w.Write(b)
}

// wait sleeps for d and reports true, or reports false as soon as ctx ends.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
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
// answering, refusing bodies over maxBodyBytes.
func drain(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if _, err := io.Copy(io.Discard, body); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return err
		}
		return fmt.Errorf("reading the request body: %w", err)
	}
	return nil
}
