package strategies

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scriptAttempter answers attempt i with script[i] (the last entry for the
// attempts past the script), without I/O.
type scriptAttempter struct {
	script []AttemptResult
	calls  atomic.Int64
}

func (s *scriptAttempter) Attempt(_ context.Context, _ uint64, attempt int, _ *Call) AttemptResult {
	s.calls.Add(1)
	return s.script[min(attempt, len(s.script)-1)]
}

// fakeClock is a clock whose sleeps return at once, advancing it; it logs
// the sleeps.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return true
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// newFakePolicyCaller returns a PolicyCaller of one upstream with policy p
// on a fake clock.
func newFakePolicyCaller(t *testing.T, inner Attempter, p Policy) (*PolicyCaller, *fakeClock) {
	t.Helper()
	pc, err := NewPolicyCaller(inner, []Policy{p})
	if err != nil {
		t.Fatalf("NewPolicyCaller(%+v): %v", p, err)
	}
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	pc.now, pc.sleep = clk.now, clk.sleep
	return pc, clk
}

var (
	ok200     = AttemptResult{Status: 200}
	err503    = AttemptResult{Status: 503}
	err500    = AttemptResult{Status: 500}
	err404    = AttemptResult{Status: 404}
	err429    = AttemptResult{Status: 429}
	refused   = AttemptResult{Failure: FailureRefused}
	reset     = AttemptResult{Failure: FailureReset}
	timedOut  = AttemptResult{Failure: FailureTimeout}
	canceled  = AttemptResult{Failure: FailureCanceled}
	testCall  = &Call{Upstream: "u", Method: "GET"}
	retryNone = Retry{Attempts: 3, Jitter: JitterNone}
)

func TestPolicyCallerRetryOn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		on           []string
		script       []AttemptResult
		wantAttempts int
		wantStatus   int
		wantFailure  Failure
	}{
		{"success first", nil, []AttemptResult{ok200}, 1, 200, NoFailure},
		{"5xx retried then ok", nil, []AttemptResult{err503, err500, ok200}, 3, 200, NoFailure},
		{"5xx exhausts attempts", nil, []AttemptResult{err503}, 3, 503, NoFailure},
		{"429 retried", []string{RetryOn429}, []AttemptResult{err429, ok200}, 2, 200, NoFailure},
		{"refused retried", []string{RetryOnConnection}, []AttemptResult{refused, ok200}, 2, 200, NoFailure},
		{"reset retried", []string{RetryOnConnection}, []AttemptResult{reset, reset, ok200}, 3, 200, NoFailure},
		{"timeout retried", []string{RetryOnTimeout}, []AttemptResult{timedOut, ok200}, 2, 200, NoFailure},
		{"4xx never retried", nil, []AttemptResult{err404, ok200}, 1, 404, NoFailure},
		{"canceled never retried", nil, []AttemptResult{canceled, ok200}, 1, 0, FailureCanceled},
		{"5xx not in On", []string{RetryOn429}, []AttemptResult{err503, ok200}, 1, 503, NoFailure},
		{"429 not in On", []string{RetryOn5xx}, []AttemptResult{err429, ok200}, 1, 429, NoFailure},
		{"timeout not in On", []string{RetryOnConnection}, []AttemptResult{timedOut, ok200}, 1, 0, FailureTimeout},
		{"connection not in On", []string{RetryOnTimeout, RetryOn5xx}, []AttemptResult{refused, ok200}, 1, 0, FailureRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inner := &scriptAttempter{script: tt.script}
			r := retryNone
			r.On = tt.on
			pc, _ := newFakePolicyCaller(t, inner, Policy{Retry: r})
			got := pc.Call(context.Background(), 1, testCall)
			if got.Attempts != tt.wantAttempts || got.Status != tt.wantStatus || got.Failure != tt.wantFailure {
				t.Errorf("Call with On %v, script %v = attempts %d status %d failure %v; want %d %d %v",
					tt.on, tt.script, got.Attempts, got.Status, got.Failure, tt.wantAttempts, tt.wantStatus, tt.wantFailure)
			}
			if n := inner.calls.Load(); n != int64(got.Attempts) {
				t.Errorf("inner attempts = %d, CallResult.Attempts = %d", n, got.Attempts)
			}
		})
	}
}

func TestPolicyCallerBackoff(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		name  string
		retry Retry
		want  []time.Duration
	}{
		{"doubling", Retry{Attempts: 5, Backoff: 10 * ms, Jitter: JitterNone}, []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms}},
		{"capped", Retry{Attempts: 5, Backoff: 10 * ms, MaxBackoff: 35 * ms, Jitter: JitterNone}, []time.Duration{10 * ms, 20 * ms, 35 * ms, 35 * ms}},
		{"no backoff", Retry{Attempts: 3, Jitter: JitterNone}, []time.Duration{0, 0}},
		{"huge does not overflow", Retry{Attempts: 70, Backoff: time.Hour, Jitter: JitterNone}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pc, clk := newFakePolicyCaller(t, &scriptAttempter{script: []AttemptResult{err503}}, Policy{Retry: tt.retry})
			got := pc.Call(context.Background(), 1, testCall)
			waits := clk.waits()
			if got.Attempts != tt.retry.Attempts {
				t.Errorf("attempts = %d, want %d", got.Attempts, tt.retry.Attempts)
			}
			if tt.want == nil {
				for i, w := range waits {
					if w < 0 {
						t.Fatalf("wait %d = %v, negative", i, w)
					}
				}
				return
			}
			if len(waits) != len(tt.want) {
				t.Fatalf("waits = %v, want %v", waits, tt.want)
			}
			for i := range waits {
				if waits[i] != tt.want[i] {
					t.Errorf("waits = %v, want %v", waits, tt.want)
					break
				}
			}
			if sum := sumDurations(waits); got.Latency != sum {
				t.Errorf("Latency = %v, want the sum of the waits %v", got.Latency, sum)
			}
		})
	}
}

func sumDurations(ds []time.Duration) (s time.Duration) {
	for _, d := range ds {
		s += d
	}
	return s
}

func TestPolicyCallerJitterBounds(t *testing.T) {
	t.Parallel()
	const b = 64 * time.Millisecond
	tests := []struct {
		jitter string
		lo, hi time.Duration // of the first retry's wait
	}{
		{JitterFull, 0, b},
		{"", 0, b},
		{JitterEqual, b / 2, b},
	}
	for _, tt := range tests {
		t.Run(tt.jitter, func(t *testing.T) {
			t.Parallel()
			pc, clk := newFakePolicyCaller(t, &scriptAttempter{script: []AttemptResult{err503}},
				Policy{Retry: Retry{Attempts: 2, Backoff: b, Jitter: tt.jitter}})
			distinct := map[time.Duration]bool{}
			for i := range 200 {
				pc.Call(context.Background(), uint64(i), testCall)
			}
			for _, w := range clk.waits() {
				if w < tt.lo || w > tt.hi {
					t.Fatalf("jitter %q: wait %v outside [%v, %v]", tt.jitter, w, tt.lo, tt.hi)
				}
				distinct[w] = true
			}
			if len(distinct) < 100 {
				t.Errorf("jitter %q: %d distinct waits in 200; want the waits spread", tt.jitter, len(distinct))
			}
		})
	}
}

func TestPolicyCallerRetryAfter(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		name     string
		retry    Retry
		script   []AttemptResult
		want     []time.Duration
		got429   int
		tooEarly int
	}{
		{"retry-after beats a shorter backoff", Retry{Attempts: 2, Backoff: 10 * ms, Jitter: JitterNone},
			[]AttemptResult{{Status: 503, RetryAfter: 2 * time.Second}, ok200}, []time.Duration{2 * time.Second}, 0, 0},
		{"a longer backoff beats retry-after", Retry{Attempts: 2, Backoff: 3 * time.Second, Jitter: JitterNone},
			[]AttemptResult{{Status: 429, RetryAfter: time.Second}, ok200}, []time.Duration{3 * time.Second}, 1, 0},
		{"max_retry_after caps", Retry{Attempts: 2, Backoff: 10 * ms, MaxRetryAfter: 500 * ms, Jitter: JitterNone},
			[]AttemptResult{{Status: 429, RetryAfter: time.Hour}, ok200}, []time.Duration{500 * ms}, 1, 0},
		{"default cap", Retry{Attempts: 2, Jitter: JitterNone},
			[]AttemptResult{{Status: 429, RetryAfter: 24 * time.Hour}, ok200}, []time.Duration{DefaultMaxRetryAfter}, 1, 0},
		{"too early: capped wait, 429 again", Retry{Attempts: 3, MaxRetryAfter: 100 * ms, Jitter: JitterNone},
			[]AttemptResult{{Status: 429, RetryAfter: time.Second}, {Status: 429, RetryAfter: time.Second}, ok200},
			[]time.Duration{100 * ms, 100 * ms}, 2, 1},
		{"on time: 429 again is not too early", Retry{Attempts: 2, Jitter: JitterNone},
			[]AttemptResult{{Status: 429, RetryAfter: time.Second}, err429}, []time.Duration{time.Second}, 2, 0},
		{"429 without retry-after", Retry{Attempts: 3, Backoff: ms, Jitter: JitterNone},
			[]AttemptResult{err429}, []time.Duration{ms, 2 * ms}, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pc, clk := newFakePolicyCaller(t, &scriptAttempter{script: tt.script}, Policy{Retry: tt.retry})
			got := pc.Call(context.Background(), 1, testCall)
			waits := clk.waits()
			if len(waits) != len(tt.want) {
				t.Fatalf("waits = %v, want %v", waits, tt.want)
			}
			for i := range waits {
				if waits[i] != tt.want[i] {
					t.Fatalf("waits = %v, want %v", waits, tt.want)
				}
			}
			if got.Got429 != tt.got429 || got.TooEarly != tt.tooEarly {
				t.Errorf("Got429, TooEarly = %d, %d; want %d, %d", got.Got429, got.TooEarly, tt.got429, tt.tooEarly)
			}
		})
	}
}

func TestPolicyCallerDeadline(t *testing.T) {
	t.Parallel()
	// Attempts take no time on the fake clock: waits 20ms, then 40ms would
	// end at 60ms, past the 50ms deadline, so the call stops after 2.
	p := Policy{Deadline: 50 * time.Millisecond, Retry: Retry{Attempts: 10, Backoff: 20 * time.Millisecond, Jitter: JitterNone}}
	pc, clk := newFakePolicyCaller(t, &scriptAttempter{script: []AttemptResult{err503}}, p)
	got := pc.Call(context.Background(), 1, testCall)
	if got.Attempts != 2 || got.Status != 503 {
		t.Errorf("Call = attempts %d status %d, want 2 attempts ending 503", got.Attempts, got.Status)
	}
	if w := clk.waits(); len(w) != 1 {
		t.Errorf("waits = %v, want one wait of 20ms", w)
	}
}

func TestPolicyCallerDeadlineDuringAttempt(t *testing.T) {
	t.Parallel()
	// A real attempt that blocks until its context ends: the deadline
	// ends it as a timeout and there is no retry after it.
	inner := attempterFunc(func(ctx context.Context, _ uint64, _ int, _ *Call) AttemptResult {
		<-ctx.Done()
		return AttemptResult{Failure: FailureTimeout, Err: ctx.Err()}
	})
	pc, err := NewPolicyCaller(inner, []Policy{{Deadline: 20 * time.Millisecond, Retry: Retry{Attempts: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	got := pc.Call(context.Background(), 1, testCall)
	if got.Failure != FailureTimeout || got.Attempts != 1 {
		t.Errorf("Call = %+v, want one attempt ending in timeout", got)
	}
	if got.Latency < 20*time.Millisecond {
		t.Errorf("Latency = %v, want at least the deadline", got.Latency)
	}
}

type attempterFunc func(ctx context.Context, seq uint64, attempt int, c *Call) AttemptResult

func (f attempterFunc) Attempt(ctx context.Context, seq uint64, attempt int, c *Call) AttemptResult {
	return f(ctx, seq, attempt, c)
}

func TestPolicyCallerAttemptTimeout(t *testing.T) {
	t.Parallel()
	var deadlines []time.Duration
	var mu sync.Mutex
	inner := attempterFunc(func(ctx context.Context, _ uint64, _ int, _ *Call) AttemptResult {
		d, ok := ctx.Deadline()
		if !ok {
			return AttemptResult{Failure: FailureTransport, Err: errors.New("no deadline")}
		}
		mu.Lock()
		deadlines = append(deadlines, time.Until(d))
		mu.Unlock()
		return timedOut
	})
	pc, err := NewPolicyCaller(inner, []Policy{{Timeout: time.Hour, Retry: Retry{Attempts: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	pc.sleep = (&fakeClock{}).sleep
	got := pc.Call(context.Background(), 1, testCall)
	if got.Attempts != 2 || len(deadlines) != 2 {
		t.Fatalf("Call = %+v with %d attempts seen, want 2 timed-out attempts", got, len(deadlines))
	}
	for _, d := range deadlines {
		if d <= 59*time.Minute {
			t.Errorf("attempt deadline in %v, want about the 1h timeout", d)
		}
	}
}

func TestPolicyCallerCanceled(t *testing.T) {
	t.Parallel()
	t.Run("during backoff", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		inner := attempterFunc(func(context.Context, uint64, int, *Call) AttemptResult {
			time.AfterFunc(5*time.Millisecond, cancel)
			return err503
		})
		pc, err := NewPolicyCaller(inner, []Policy{{Retry: Retry{Attempts: 3, Backoff: time.Hour, Jitter: JitterNone}}})
		if err != nil {
			t.Fatal(err)
		}
		got := pc.Call(ctx, 1, testCall) // real sleep: must end at the cancel, not in an hour
		if got.Failure != FailureCanceled || got.Status != 0 || got.Attempts != 1 {
			t.Errorf("Call = %+v, want canceled after 1 attempt", got)
		}
		cancel()
	})
	t.Run("during limiter wait", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		inner := &scriptAttempter{script: []AttemptResult{ok200}}
		pc, err := NewPolicyCaller(inner, []Policy{{RateLimit: RateLimit{Rate: 0.0001, Burst: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		pc.Call(ctx, 1, testCall) // takes the one token
		time.AfterFunc(5*time.Millisecond, cancel)
		got := pc.Call(ctx, 2, testCall) // would wait hours for the next
		if got.Failure != FailureCanceled || inner.calls.Load() != 1 {
			t.Errorf("Call = %+v after %d attempts, want canceled without an attempt", got, inner.calls.Load())
		}
	})
}

func TestPolicyCallerBreakerConsecutive(t *testing.T) {
	t.Parallel()
	inner := &scriptAttempter{script: []AttemptResult{err500}}
	p := Policy{Breaker: Breaker{Consecutive: 3, OpenFor: time.Second, HalfOpenProbes: 2}}
	pc, clk := newFakePolicyCaller(t, inner, p)
	br := pc.ups[0].breaker
	call := func(want int, wantFailure Failure, wantInner int64) {
		t.Helper()
		before := inner.calls.Load()
		got := pc.Call(context.Background(), 1, testCall)
		if got.Status != want || got.Failure != wantFailure || inner.calls.Load()-before != wantInner {
			t.Fatalf("Call = status %d failure %v, %d attempts sent; want %d %v %d (breaker %v)",
				got.Status, got.Failure, inner.calls.Load()-before, want, wantFailure, wantInner, br.current(clk.now()))
		}
		if wantFailure == FailureBreakerOpen && (got.Attempts != 0 || !errors.Is(got.Err, ErrBreakerOpen)) {
			t.Fatalf("refused call = %+v, want 0 attempts and ErrBreakerOpen", got)
		}
	}
	call(500, NoFailure, 1)
	call(500, NoFailure, 1)
	if s := br.current(clk.now()); s != breakerClosed {
		t.Fatalf("after 2 failures the breaker is %v, want closed", s)
	}
	call(500, NoFailure, 1) // the third opens it
	call(0, FailureBreakerOpen, 0)
	clk.advance(999 * time.Millisecond)
	call(0, FailureBreakerOpen, 0)
	clk.advance(time.Millisecond) // OpenFor has passed: half-open
	inner.script = []AttemptResult{ok200}
	call(200, NoFailure, 1) // probe 1 of 2
	if s := br.current(clk.now()); s != breakerHalfOpen {
		t.Fatalf("after 1 of 2 good probes the breaker is %v, want half-open", s)
	}
	call(200, NoFailure, 1) // probe 2: closes
	if s := br.current(clk.now()); s != breakerClosed {
		t.Fatalf("after 2 good probes the breaker is %v, want closed", s)
	}
	// A success resets the count of consecutive failures.
	inner.script = []AttemptResult{err500}
	call(500, NoFailure, 1)
	call(500, NoFailure, 1)
	inner.script = []AttemptResult{ok200}
	call(200, NoFailure, 1)
	inner.script = []AttemptResult{err500}
	call(500, NoFailure, 1)
	call(500, NoFailure, 1)
	call(500, NoFailure, 1) // opens
	call(0, FailureBreakerOpen, 0)
	clk.advance(time.Second)
	call(500, NoFailure, 1) // a failed probe opens it again
	call(0, FailureBreakerOpen, 0)
	if s := br.current(clk.now()); s != breakerOpen {
		t.Fatalf("after a failed probe the breaker is %v, want open", s)
	}
}

func TestPolicyCallerBreakerRatio(t *testing.T) {
	t.Parallel()
	inner := &scriptAttempter{script: []AttemptResult{ok200}}
	p := Policy{Breaker: Breaker{FailureRatio: 0.5, Window: 4, OpenFor: time.Second}}
	pc, clk := newFakePolicyCaller(t, inner, p)
	br := pc.ups[0].breaker
	for i, s := range []AttemptResult{err503, ok200, err503} {
		inner.script = []AttemptResult{s}
		pc.Call(context.Background(), uint64(i), testCall)
	}
	if s := br.current(clk.now()); s != breakerClosed {
		t.Fatalf("2 failures in 3 calls, window 4: breaker %v, want closed until 4 calls", s)
	}
	inner.script = []AttemptResult{ok200}
	pc.Call(context.Background(), 3, testCall) // 2 of the last 4 failed: 50%
	if s := br.current(clk.now()); s != breakerOpen {
		t.Fatalf("2 failures in 4 calls at ratio 0.5: breaker %v, want open", s)
	}
	// Below the ratio it stays closed: 1 failure in the last 4.
	pc2, clk2 := newFakePolicyCaller(t, inner, p)
	for i, s := range []AttemptResult{err503, ok200, ok200, ok200, ok200, err503, ok200} {
		inner.script = []AttemptResult{s}
		pc2.Call(context.Background(), uint64(i), testCall)
	}
	if s := pc2.ups[0].breaker.current(clk2.now()); s != breakerClosed {
		t.Errorf("1 failure in the last 4: breaker %v, want closed", s)
	}
}

func TestPolicyCallerBreakerCountsCallsNotAttempts(t *testing.T) {
	t.Parallel()
	// 3 attempts of one call fail, the call fails once: Consecutive 2 is
	// not reached.
	inner := &scriptAttempter{script: []AttemptResult{err503}}
	p := Policy{Retry: Retry{Attempts: 3, Jitter: JitterNone}, Breaker: Breaker{Consecutive: 2}}
	pc, clk := newFakePolicyCaller(t, inner, p)
	got := pc.Call(context.Background(), 1, testCall)
	if got.Attempts != 3 {
		t.Fatalf("attempts = %d, want 3", got.Attempts)
	}
	if s := pc.ups[0].breaker.current(clk.now()); s != breakerClosed {
		t.Errorf("one failed call of 3 attempts, Consecutive 2: breaker %v, want closed", s)
	}
}

func TestPolicyCallerRateLimit(t *testing.T) {
	t.Parallel()
	inner := &scriptAttempter{script: []AttemptResult{ok200}}
	pc, clk := newFakePolicyCaller(t, inner, Policy{RateLimit: RateLimit{Rate: 10, Burst: 1, MaxWait: 150 * time.Millisecond}})
	first := pc.Call(context.Background(), 1, testCall)
	second := pc.Call(context.Background(), 2, testCall)
	if first.LimiterWait != 0 || second.LimiterWait != 100*time.Millisecond {
		t.Errorf("LimiterWait = %v, %v; want 0, 100ms at 10/s burst 1", first.LimiterWait, second.LimiterWait)
	}
	if second.Latency < second.LimiterWait {
		t.Errorf("Latency %v < LimiterWait %v: the wait is part of the latency", second.Latency, second.LimiterWait)
	}
	// Two callers at once with no time passing: the next token is 100ms
	// away, then 200ms, past MaxWait.
	third := pc.Call(context.Background(), 3, testCall)
	if third.LimiterWait != 100*time.Millisecond {
		t.Errorf("third LimiterWait = %v, want 100ms", third.LimiterWait)
	}
	pc.sleep = func(context.Context, time.Duration) bool { return true } // time stands still
	pc.Call(context.Background(), 4, testCall)
	before := inner.calls.Load()
	got := pc.Call(context.Background(), 5, testCall)
	if got.Failure != FailureLimited || !errors.Is(got.Err, ErrLimited) || inner.calls.Load() != before || got.Attempts != 0 {
		t.Errorf("Call past MaxWait = %+v, %d sent; want FailureLimited and no attempt", got, inner.calls.Load()-before)
	}
	_ = clk
}

func TestPolicyCallerRateLimitDeadline(t *testing.T) {
	t.Parallel()
	inner := &scriptAttempter{script: []AttemptResult{ok200}}
	pc, _ := newFakePolicyCaller(t, inner, Policy{Deadline: 50 * time.Millisecond, RateLimit: RateLimit{Rate: 10, Burst: 1}})
	pc.Call(context.Background(), 1, testCall)
	got := pc.Call(context.Background(), 2, testCall) // a 100ms wait passes the 50ms deadline
	if got.Failure != FailureLimited {
		t.Errorf("Call = %+v, want FailureLimited", got)
	}
}

func TestPolicyCallerZeroPolicy(t *testing.T) {
	t.Parallel()
	inner := &scriptAttempter{script: []AttemptResult{{Status: 429, Latency: 7}}}
	pc, err := NewPolicyCaller(inner, nil) // no policies at all: every upstream gets the zero Policy
	if err != nil {
		t.Fatal(err)
	}
	got := pc.Call(context.Background(), 1, &Call{UpstreamIndex: 3})
	want := CallResult{Status: 429, Attempts: 1, Latency: 7, Got429: 1, AttemptLatency: [MaxAttemptLatencies]time.Duration{7}}
	if got != want {
		t.Errorf("Call = %+v, want %+v", got, want)
	}
	if pc2, _ := NewPolicyCaller(inner, []Policy{{Retry: Retry{Attempts: 1, Jitter: JitterNone}}}); pc2.ups[0] != nil {
		t.Errorf("a policy of one attempt compiled to %+v, want the plain path", pc2.ups[0])
	}
}

func TestNewPolicyCallerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p     Policy
		field string
	}{
		{Policy{Timeout: -1}, "timeout"},
		{Policy{Deadline: -1}, "deadline"},
		{Policy{Retry: Retry{Attempts: -1}}, "retry.attempts"},
		{Policy{Retry: Retry{Backoff: -1}}, "retry.backoff"},
		{Policy{Retry: Retry{Backoff: 2, MaxBackoff: 1}}, "retry.max_backoff"},
		{Policy{Retry: Retry{Jitter: "half"}}, "retry.jitter"},
		{Policy{Retry: Retry{On: []string{"5xx", "4xx"}}}, "retry.on[1]"},
		{Policy{Retry: Retry{MaxRetryAfter: -1}}, "retry.max_retry_after"},
		{Policy{Breaker: Breaker{Consecutive: -1}}, "breaker.consecutive"},
		{Policy{Breaker: Breaker{FailureRatio: 1.5, Window: 3}}, "breaker.failure_ratio"},
		{Policy{Breaker: Breaker{Consecutive: 3, FailureRatio: 0.5, Window: 3}}, "breaker.failure_ratio"},
		{Policy{Breaker: Breaker{FailureRatio: 0.5}}, "breaker.window"},
		{Policy{Breaker: Breaker{Consecutive: 1, OpenFor: -1}}, "breaker.open_for"},
		{Policy{Breaker: Breaker{Consecutive: 1, HalfOpenProbes: -1}}, "breaker.half_open_probes"},
		{Policy{RateLimit: RateLimit{Rate: -1}}, "rate_limit.rate"},
		{Policy{RateLimit: RateLimit{Rate: 1, Burst: -1}}, "rate_limit.burst"},
		{Policy{RateLimit: RateLimit{Rate: 1, MaxWait: -1}}, "rate_limit.max_wait"},
	}
	for _, tt := range tests {
		_, err := NewPolicyCaller(&scriptAttempter{}, []Policy{{}, tt.p})
		var pe *PolicyError
		if !errors.As(err, &pe) || pe.Field != tt.field || pe.Upstream != 1 || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("NewPolicyCaller(%+v) error = %v, want a *PolicyError for upstream 1, field %q", tt.p, err, tt.field)
		}
	}
	if _, err := NewPolicyCaller(&scriptAttempter{}, []Policy{{Timeout: time.Second, Retry: Retry{Attempts: 3, Backoff: 1, MaxBackoff: 2, Jitter: JitterEqual, On: RetryOnAll},
		Breaker: Breaker{FailureRatio: 0.5, Window: 10}, RateLimit: RateLimit{Rate: 5}}}); err != nil {
		t.Errorf("valid policy: %v", err)
	}
}

// Each attempt's own latency is kept, without the backoff between them.
func TestPolicyCallerKeepsAttemptLatencies(t *testing.T) {
	t.Parallel()
	inner := &scriptAttempter{script: []AttemptResult{
		{Status: 503, Latency: 3 * time.Millisecond},
		{Status: 503, Latency: 5 * time.Millisecond},
		{Status: 200, Latency: 2 * time.Millisecond},
	}}
	pc, _ := newFakePolicyCaller(t, inner, Policy{Retry: Retry{Attempts: 3, Backoff: 100 * time.Millisecond, Jitter: JitterNone}})
	got := pc.Call(context.Background(), 1, testCall)
	want := []time.Duration{3 * time.Millisecond, 5 * time.Millisecond, 2 * time.Millisecond}
	if !slices.Equal(got.AttemptLatencies(), want) {
		t.Errorf("AttemptLatencies() = %v, want %v (the 100 and 200 ms backoffs are not attempts)", got.AttemptLatencies(), want)
	}
}
