package strategies

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeCaller answers from a table without I/O and logs the order of calls.
type fakeCaller struct {
	status map[string]int // by upstream; 200 when absent
	mu     sync.Mutex
	order  []string
	// inFlight and peak measure concurrency.
	inFlight, peak atomic.Int32
	hold           time.Duration
}

func (f *fakeCaller) Call(_ context.Context, seq uint64, c *Call) CallResult {
	n := f.inFlight.Add(1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if f.hold > 0 {
		time.Sleep(f.hold)
	}
	f.inFlight.Add(-1)
	f.mu.Lock()
	f.order = append(f.order, c.Upstream)
	f.mu.Unlock()
	status := 200
	if s, ok := f.status[c.Upstream]; ok {
		status = s
	}
	return CallResult{Status: status, Attempts: 1, Latency: time.Duration(seq)}
}

func twoCalls() []Call {
	return []Call{
		{Upstream: "profile", UpstreamIndex: 0, Method: "PUT", Critical: true},
		{Upstream: "audit", UpstreamIndex: 1, Method: "POST"},
	}
}

func TestStrategiesOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status map[string]int
		want   Outcome
	}{
		{"all ok", nil, OK},
		{"non-critical fails", map[string]int{"audit": 503}, Partial},
		{"critical fails", map[string]int{"profile": 500}, Failed},
		{"both fail", map[string]int{"profile": 500, "audit": 503}, Failed},
		{"redirect is not success", map[string]int{"audit": 302}, Partial},
	}
	for _, name := range Names() {
		for _, tt := range tests {
			s, err := New(name, nil, &fakeCaller{status: tt.status}, Env{})
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := s.(interface{ Close() error }); ok { // pooled, queued: stop their goroutines
				t.Cleanup(func() { _ = c.Close() })
			}
			if _, ok := s.(Background); ok {
				continue // queued: Execute's outcome is the ack; queued_test.go checks the delivered one
			}
			op := NewOperation(twoCalls())
			op.Seq = 9
			if got := s.Execute(t.Context(), op); got != tt.want {
				t.Errorf("%s.Execute with %s = %v, want %v", name, tt.name, got, tt.want)
			}
			for i, r := range op.Results {
				if r.Attempts != 1 || r.Latency != 9 {
					t.Errorf("%s: result %d = %+v, want the caller's result for seq 9 in its slot", name, i, r)
				}
			}
		}
	}
}

func TestSequentialKeepsOrderAndFanoutOverlaps(t *testing.T) {
	t.Parallel()
	seq := &fakeCaller{hold: 20 * time.Millisecond}
	op := NewOperation(twoCalls())
	(&Sequential{Caller: seq}).Execute(t.Context(), op)
	if got := seq.order; len(got) != 2 || got[0] != "profile" || got[1] != "audit" {
		t.Errorf("sequential called %v, want [profile audit]", got)
	}
	if p := seq.peak.Load(); p != 1 {
		t.Errorf("sequential had %d calls in flight at once, want 1", p)
	}
	// Fan-out must have every call in flight at once: each call waits until
	// all have arrived, which a one-at-a-time strategy never achieves.
	for _, fanout := range []*Fanout{{}, NewFanout(nil, false)} {
		fanout.Caller = &barrierCaller{parties: 2}
		op = NewOperation(twoCalls())
		if got := fanout.Execute(t.Context(), op); got != OK {
			t.Errorf("fanout (kept goroutines: %v) did not have both calls in flight at once: outcome %v, results %+v",
				fanout.goroutines != nil, got, op.Results)
		}
		_ = fanout.Close()
	}
}

// TestFanoutKeepsItsGoroutines checks that a NewFanout runs its calls on
// goroutines kept from one operation to the next. How many it makes is not
// exact (a goroutine that has just finished a call is not yet idle when the
// next operation starts), but it is far fewer than the calls: a new
// goroutine per call would make one for every call but each operation's
// last.
func TestFanoutKeepsItsGoroutines(t *testing.T) {
	t.Parallel()
	const operations = 50
	tests := []struct {
		name            string
		calls, parallel int // calls per operation; operations at once
	}{
		{"one at a time, 3 calls", 3, 1},
		{"one at a time, 1 call", 1, 1},
		{"4 at once, 2 calls", 2, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := NewFanout(nil, false)
			var wg sync.WaitGroup
			for range tt.parallel {
				wg.Go(func() {
					op := NewOperation(make([]Call, tt.calls))
					for range operations {
						// Every call of the operation must be in flight at once.
						fanout := &Fanout{Caller: &barrierCaller{parties: tt.calls}, goroutines: f.goroutines}
						if got := fanout.Execute(t.Context(), op); got != OK {
							t.Errorf("outcome %v, want OK: the calls did not overlap", got)
							return
						}
					}
				})
			}
			wg.Wait()
			others := int32(operations * tt.parallel * (tt.calls - 1)) // calls not on their operation's goroutine
			if got := f.goroutines.made.Load(); others > 0 && (got < 1 || got > others/5) {
				t.Errorf("%d goroutines made for %d calls, want 1 to %d", got, others, others/5)
			} else if others == 0 && got != 0 {
				t.Errorf("%d goroutines made for operations of one call, want 0", got)
			}
			_ = f.Close() // goleak (TestMain) checks that they end
		})
	}
}

// barrierCaller succeeds only when parties calls are in flight together.
type barrierCaller struct {
	parties int
	mu      sync.Mutex
	n       int
	all     chan struct{}
}

func (b *barrierCaller) Call(ctx context.Context, _ uint64, _ *Call) CallResult {
	b.mu.Lock()
	if b.all == nil {
		b.all = make(chan struct{})
	}
	b.n++
	if b.n == b.parties {
		close(b.all)
	}
	all := b.all
	b.mu.Unlock()
	select {
	case <-all:
		return CallResult{Status: 200, Attempts: 1}
	case <-time.After(5 * time.Second):
		return CallResult{Failure: FailureTimeout, Attempts: 1}
	}
}

func TestNewUnknown(t *testing.T) {
	t.Parallel()
	if _, err := New("fanuot", nil, &fakeCaller{}, Env{}); err == nil {
		t.Error(`New("fanuot") accepted an unknown strategy`)
	}
}

func TestHTTPCallerAgainstMock(t *testing.T) {
	t.Parallel()
	srv, err := mockupstream.Start(mockupstream.Options{
		Name: "audit", Seed: 1,
		Config: mockupstream.Config{Errors: map[int]units.Fraction{503: 0.5}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	b, err := mockupstream.Compile(mockupstream.Config{Errors: map[int]units.Fraction{503: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	drawer := mockupstream.NewDrawer(1, "audit", b)
	eachClient(t, func(t *testing.T, client Client) {
		caller := NewHTTPCaller(HTTPOptions{Client: client})
		defer caller.Close()
		path := mustPath(t, "/log/{{.Seq}}")
		call := &Call{Upstream: "audit", Method: "POST", BaseURL: srv.URL(), Path: path}
		for seq := range uint64(40) {
			r := caller.Call(t.Context(), seq, call)
			if want := drawer.Draw(seq, 0).Status; r.Status != want || r.Failure != NoFailure {
				t.Errorf("call seq %d = status %d failure %v (%v), want the paired draw's status %d", seq, r.Status, r.Failure, r.Err, want)
			}
		}
	})
}

func TestHTTPCallerFailures(t *testing.T) {
	t.Parallel()
	slow, err := mockupstream.Start(mockupstream.Options{
		Name:   "slow",
		Config: mockupstream.Config{Latency: draws.Latency{Value: units.Duration(10 * time.Second)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	// A port that was just free: connecting to it is refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + l.Addr().String()
	_ = l.Close()
	// A server that hangs up without answering.
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	defer hangup.Close()
	// Servers that answer what is not HTTP, reset the connection, or serve
	// TLS with a certificate no root signed.
	faults := map[string]string{}
	for _, f := range []string{"malformed", "reset"} {
		c := mockupstream.Config{}
		if f == "malformed" {
			c.Faults.Malformed = 1
		} else {
			c.Faults.Reset = 1
		}
		s, err := mockupstream.Start(mockupstream.Options{Name: f, Config: c})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		faults[f] = s.URL()
	}
	selfSigned := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	selfSigned.Config.ErrorLog = log.New(io.Discard, "", 0) // its handshake errors are the point
	selfSigned.StartTLS()
	defer selfSigned.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()

	eachClient(t, func(t *testing.T, client Client) {
		testFailures(t, client, slow, closedURL, hangup, faults, selfSigned, plain)
	})
}

// testFailures is TestHTTPCallerFailures through one client.
func testFailures(t *testing.T, client Client, slow *mockupstream.Server, closedURL string, hangup *httptest.Server,
	faults map[string]string, selfSigned, plain *httptest.Server) {
	caller := NewHTTPCaller(HTTPOptions{Timeout: 50 * time.Millisecond, Client: client})
	defer caller.Close()
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	path := mustPath(t, "/")
	tests := []struct {
		name    string
		ctx     context.Context
		base    string
		want    Failure
		wantErr string
	}{
		{"timeout", t.Context(), slow.URL(), FailureTimeout, ""},
		{"refused", t.Context(), closedURL, FailureRefused, "connection refused"},
		{"hang-up", t.Context(), hangup.URL, FailureEmpty, "EOF"},
		{"reset", t.Context(), faults["reset"], FailureReset, "connection reset by peer"},
		{"not HTTP", t.Context(), faults["malformed"], FailureProtocol, "malformed HTTP"},
		{"unknown authority", t.Context(), selfSigned.URL, FailureTLS, "x509: certificate signed by unknown authority"},
		{"TLS to plain HTTP", t.Context(), "https://" + plain.Listener.Addr().String(), FailureTLS, "first record does not look like a TLS handshake"},
		{"canceled run", canceled, slow.URL(), FailureCanceled, ""},
	}
	patient := NewHTTPCaller(HTTPOptions{Timeout: 10 * time.Second, Client: client}) // a handshake under the race detector is slow
	defer patient.Close()
	for _, tt := range tests {
		c := patient
		if tt.want == FailureTimeout {
			c = caller
		}
		r := c.Call(tt.ctx, 1, &Call{Method: "POST", BaseURL: tt.base, Path: path})
		if r.Status != 0 || r.Failure != tt.want || r.OK() {
			t.Errorf("%s: got status %d failure %v (%v), want failure %v", tt.name, r.Status, r.Failure, r.Err, tt.want)
		}
		if r.Err == nil || !strings.Contains(r.Err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want one that says %q", tt.name, r.Err, tt.wantErr)
		}
	}
}

// nopCaller answers at once: what is left to measure is orchestration.
type nopCaller struct{}

func (nopCaller) Call(context.Context, uint64, *Call) CallResult {
	return CallResult{Status: 200, Attempts: 1}
}

func BenchmarkExecute(b *testing.B) {
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			s, _ := New(name, nil, nopCaller{}, Env{})
			if c, ok := s.(interface{ Close() error }); ok { // pooled, queued: stop their goroutines
				defer c.Close()
			}
			if bg, ok := s.(Background); ok {
				_ = bg.Start(nil) // consumers, or a full broker blocks Execute
			}
			op := NewOperation(twoCalls())
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				s.Execute(ctx, op)
			}
		})
	}
}

func BenchmarkCallURL(b *testing.B) {
	p := mustPath(b, "/users/{{.Seq}}")
	c := Call{BaseURL: "http://127.0.0.1:41234", Path: p}
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		_ = c.URL(i)
	}
}
