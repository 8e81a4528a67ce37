package strategies

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

func startMock(t *testing.T, name string, cfg mockupstream.Config) *mockupstream.Server {
	t.Helper()
	srv, err := mockupstream.Start(mockupstream.Options{Name: name, Seed: 42, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func newMockPolicyCaller(t *testing.T, p Policy) (*PolicyCaller, *HTTPCaller) {
	t.Helper()
	h := NewHTTPCaller(HTTPOptions{Timeout: 10 * time.Second})
	t.Cleanup(h.Close)
	pc, err := NewPolicyCaller(h, []Policy{p})
	if err != nil {
		t.Fatal(err)
	}
	return pc, h
}

// TestPolicyCallerMockPairedRetries checks that each attempt meets its own
// paired draw: with 503 at 50% and 3 attempts, every call ends as the
// mock's Drawer predicts from attempts 0, 1 and 2.
func TestPolicyCallerMockPairedRetries(t *testing.T) {
	t.Parallel()
	cfg := mockupstream.Config{Errors: map[int]units.Fraction{503: 0.5}}
	srv := startMock(t, "pay", cfg)
	b, err := mockupstream.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	drawer := mockupstream.NewDrawer(42, "pay", b)
	// The mock's 503s ask for 1s; the cap keeps the test fast.
	pc, _ := newMockPolicyCaller(t, Policy{Retry: Retry{Attempts: 3, Jitter: JitterNone, MaxRetryAfter: time.Millisecond, On: []string{RetryOn5xx}}})
	call := &Call{Upstream: "pay", Method: "PUT", BaseURL: srv.URL(), Path: mustPath(t, "/pay/{{.Seq}}")}
	failed := 0
	for seq := range uint64(64) {
		wantStatus, wantAttempts := 503, 3
		for a := range uint32(3) {
			if d := drawer.Draw(seq, a); d.Status == 200 {
				wantStatus, wantAttempts = 200, int(a)+1
				break
			}
		}
		got := pc.Call(context.Background(), seq, call)
		if got.Status != wantStatus || got.Attempts != wantAttempts {
			t.Errorf("seq %d: Call = status %d in %d attempts; the draws predict %d in %d", seq, got.Status, got.Attempts, wantStatus, wantAttempts)
		}
		if wantStatus != 200 {
			failed++
		}
	}
	if failed == 0 || failed == 64 {
		t.Errorf("%d of 64 calls failed all 3 attempts; want some (about 1 in 8) and not all", failed)
	}
}

func mustPath(tb testing.TB, s string) calltemplate.Template {
	tb.Helper()
	p, err := calltemplate.Parse(s, calltemplate.Env{})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// timedAttempter stamps when each attempt was sent and answered.
type timedAttempter struct {
	inner Attempter
	mu    sync.Mutex
	sent  []time.Time
	done  []time.Time
}

func (a *timedAttempter) Attempt(ctx context.Context, seq uint64, attempt int, c *Call) AttemptResult {
	a.mu.Lock()
	a.sent = append(a.sent, time.Now())
	a.mu.Unlock()
	r := a.inner.Attempt(ctx, seq, attempt, c)
	a.mu.Lock()
	a.done = append(a.done, time.Now())
	a.mu.Unlock()
	return r
}

// TestPolicyCallerMockRetryAfter checks that a retry waits at least the
// Retry-After of the mock's 429, in both forms (lower bound only).
func TestPolicyCallerMockRetryAfter(t *testing.T) {
	t.Parallel()
	for _, format := range mockupstream.RetryFormats {
		eachClient(t, func(t *testing.T, client Client) { testRetryAfter(t, client, format) })
	}
}

func testRetryAfter(t *testing.T, client Client, format string) {
	{
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			srv := startMock(t, "rl", mockupstream.Config{
				Errors:     map[int]units.Fraction{429: 1},
				RetryAfter: mockupstream.RetryAfter{Format: format, Value: units.Duration(time.Second)},
			})
			h := NewHTTPCaller(HTTPOptions{Timeout: 10 * time.Second, Client: client})
			defer h.Close()
			ta := &timedAttempter{inner: h}
			pc, err := NewPolicyCaller(ta, []Policy{{Retry: Retry{Attempts: 2, Backoff: time.Millisecond, Jitter: JitterNone}}})
			if err != nil {
				t.Fatal(err)
			}
			got := pc.Call(context.Background(), 1, &Call{Method: "GET", BaseURL: srv.URL()})
			if got.Attempts != 2 || got.Got429 != 2 || got.TooEarly != 0 {
				t.Fatalf("Call = %+v, want 2 attempts, both 429, none too early", got)
			}
			// The server wrote Retry-After at or after the first send; it asks
			// for at least 1s from then.
			if gap := ta.sent[1].Sub(ta.sent[0]); gap < time.Second {
				t.Errorf("retry sent %v after the first attempt, want at least the 1s Retry-After", gap)
			}
		})
	}
}

// TestPolicyCallerMockBreaker checks that the breaker opens under a 100%
// error incident, refuses without sending, and closes after it.
func TestPolicyCallerMockBreaker(t *testing.T) {
	t.Parallel()
	srv := startMock(t, "flaky", mockupstream.Config{})
	h := NewHTTPCaller(HTTPOptions{Timeout: 10 * time.Second})
	defer h.Close()
	pc, err := NewPolicyCaller(h, []Policy{{Breaker: Breaker{Consecutive: 3, OpenFor: time.Minute}}})
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	pc.now, pc.sleep = clk.now, clk.sleep
	call := &Call{Method: "POST", BaseURL: srv.URL()}
	ctx := context.Background()
	if got := pc.Call(ctx, 0, call); got.Status != 200 {
		t.Fatalf("before the incident: %+v", got)
	}
	if err := srv.SetConfig(mockupstream.Config{Errors: map[int]units.Fraction{500: 1}}); err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 3; seq++ {
		if got := pc.Call(ctx, seq, call); got.Status != 500 {
			t.Fatalf("during the incident, call %d: %+v, want 500", seq, got)
		}
	}
	received := srv.Stats().Received
	for seq := uint64(4); seq <= 10; seq++ {
		if got := pc.Call(ctx, seq, call); got.Failure != FailureBreakerOpen || got.Attempts != 0 {
			t.Fatalf("breaker open, call %d: %+v, want refused", seq, got)
		}
	}
	if r := srv.Stats().Received; r != received {
		t.Errorf("the mock received %d requests while the breaker was open, want 0", r-received)
	}
	if err := srv.SetConfig(mockupstream.Config{}); err != nil { // the incident ends
		t.Fatal(err)
	}
	clk.advance(time.Minute)
	for seq := uint64(11); seq <= 13; seq++ {
		if got := pc.Call(ctx, seq, call); got.Status != 200 {
			t.Fatalf("after the incident, call %d: %+v, want 200 (probe, then closed)", seq, got)
		}
	}
	if s := pc.ups[0].breaker.current(clk.now()); s != breakerClosed {
		t.Errorf("breaker %v after the incident, want closed", s)
	}
}

// TestPolicyCallerMockIdempotencyKey checks on the mock's ledger that all
// attempts of a call carry one key.
func TestPolicyCallerMockIdempotencyKey(t *testing.T) {
	t.Parallel()
	srv := startMock(t, "dup", mockupstream.Config{Errors: map[int]units.Fraction{503: 1}})
	pc, _ := newMockPolicyCaller(t, Policy{Retry: Retry{Attempts: 3, Jitter: JitterNone, MaxRetryAfter: time.Millisecond}})
	call := &Call{Index: 2, Method: "POST", BaseURL: srv.URL()}
	if got := pc.Call(context.Background(), 5, call); got.Attempts != 3 || got.Status != 503 {
		t.Fatalf("Call = %+v, want 3 attempts ending 503", got)
	}
	resp, err := http.Get(srv.URL() + mockupstream.AdminPrefix + "ledger")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st mockupstream.LedgerStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Received != 3 || st.UniqueKeys != 1 || st.DuplicateRequests != 2 || st.WithoutKey != 0 ||
		len(st.DuplicateSamples) != 1 || st.DuplicateSamples[0] != "fb-5-2" {
		t.Errorf("ledger = %+v, want 3 requests of the one key fb-5-2", st)
	}
}
