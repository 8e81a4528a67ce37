package strategies

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

// The shared fake callers of strategies_test.go answer a hedge like any
// call, so that every strategy of Names runs with them.
func (f *fakeCaller) CallFrom(ctx context.Context, seq uint64, _ int, c *Call) CallResult {
	return f.Call(ctx, seq, c)
}

func (n nopCaller) CallFrom(ctx context.Context, seq uint64, _ int, c *Call) CallResult {
	return n.Call(ctx, seq, c)
}

// hedgeLeg is how a scripted request behaves.
type hedgeLeg struct {
	status  int
	latency time.Duration // reported; perSeq adds seq × perSeq
	perSeq  time.Duration
	// gate, when set, holds the answer until it is closed or the request's
	// ctx ends (the request then ends cancelled).
	gate chan struct{}
	// ignoreCtx holds the answer until gate is closed, whatever the ctx.
	ignoreCtx bool
}

type hedgeLegKey struct {
	upstream string
	attempt  int
}

// hedgeScript is an AttemptCaller without I/O: each request behaves as its
// script says, by upstream and attempt number (0 the primary,
// HedgeFirstAttempt the hedge; absent: 200 at once). It reports every
// request's start and end as events, "start audit 100", "end audit 100",
// and which requests ended cancelled.
type hedgeScript struct {
	script   map[hedgeLegKey]hedgeLeg
	events   chan string
	mu       sync.Mutex
	canceled []hedgeLegKey
}

func newHedgeScript(script map[hedgeLegKey]hedgeLeg) *hedgeScript {
	return &hedgeScript{script: script, events: make(chan string, 4096)}
}

func (s *hedgeScript) Call(ctx context.Context, seq uint64, c *Call) CallResult {
	return s.CallFrom(ctx, seq, 0, c)
}

func (s *hedgeScript) CallFrom(ctx context.Context, seq uint64, first int, c *Call) CallResult {
	k := hedgeLegKey{c.Upstream, first}
	s.events <- fmt.Sprintf("start %s %d", c.Upstream, first)
	defer func() { s.events <- fmt.Sprintf("end %s %d", c.Upstream, first) }()
	l, ok := s.script[k]
	if !ok {
		l = hedgeLeg{status: 200}
	}
	res := CallResult{Status: l.status, Attempts: 1, Latency: l.latency + time.Duration(seq)*l.perSeq}
	if l.gate != nil {
		done := ctx.Done()
		if l.ignoreCtx {
			done = nil
		}
		select {
		case <-l.gate:
		case <-done:
			s.mu.Lock()
			s.canceled = append(s.canceled, k)
			s.mu.Unlock()
			return CallResult{Failure: FailureCanceled, Err: ctx.Err(), Attempts: 1, Latency: res.Latency}
		}
	}
	return res
}

// waitFor reads events until want.
func (s *hedgeScript) waitFor(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-s.events:
			if e == want {
				return
			}
		case <-timeout:
			t.Fatalf("no event %q within 10s", want)
		}
	}
}

// manualHedgeTimers makes hedge timers that fire only when the test says.
type manualHedgeTimers struct {
	mu     sync.Mutex
	timers []*manualHedgeTimer
	resets []time.Duration // every delay a timer was armed with
}

type manualHedgeTimer struct {
	m     *manualHedgeTimers
	f     func()
	armed bool
}

func (m *manualHedgeTimers) newTimer(f func()) hedgeTimer {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &manualHedgeTimer{m: m, f: f}
	m.timers = append(m.timers, t)
	return t
}

func (t *manualHedgeTimer) Reset(d time.Duration) bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	was := t.armed
	t.armed = true
	t.m.resets = append(t.m.resets, d)
	return was
}

func (t *manualHedgeTimer) Stop() bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	was := t.armed
	t.armed = false
	return was
}

// fire runs every armed timer's function, as a firing time.AfterFunc
// timer does, in its own goroutine; it returns how many fired.
func (m *manualHedgeTimers) fire() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, t := range m.timers {
		if t.armed {
			t.armed = false
			n++
			go t.f()
		}
	}
	return n
}

// fireOnly waits until exactly one timer is armed (the others stopped by
// calls that answered), then fires it.
func (m *manualHedgeTimers) fireOnly(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		m.mu.Lock()
		armed := 0
		for _, tm := range m.timers {
			if tm.armed {
				armed++
			}
		}
		m.mu.Unlock()
		if armed == 1 {
			m.fire()
			return
		}
	}
	t.Fatal("never exactly one timer armed within 10s")
}

func (m *manualHedgeTimers) armedWith() []time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.resets)
}

// newManualHedged returns a Hedged whose timers fire by hand.
func newManualHedged(t *testing.T, c Caller, o HedgeOptions) (*Hedged, *manualHedgeTimers) {
	t.Helper()
	h, err := NewHedged(c, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	m := &manualHedgeTimers{}
	h.newTimer = m.newTimer
	return h, m
}

func hedgeOneCall() []Call { return []Call{{Upstream: "profile", Method: "PUT", Critical: true}} }

func TestNewHedgedOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		caller  Caller
		o       HedgeOptions
		wantErr string
		delay   time.Duration
		q       float64
	}{
		{"default p95", newHedgeScript(nil), HedgeOptions{}, "", 0, 0.95},
		{"fixed", newHedgeScript(nil), HedgeOptions{HedgeDelay: HedgeDelay{Fixed: 20 * time.Millisecond}}, "", 20 * time.Millisecond, 0},
		{"p99", newHedgeScript(nil), HedgeOptions{HedgeDelay: HedgeDelay{Quantile: 0.99}}, "", 0, 0.99},
		{"plain caller", &barrierCaller{}, HedgeOptions{}, "AttemptCaller", 0, 0},
		{"negative delay", newHedgeScript(nil), HedgeOptions{HedgeDelay: HedgeDelay{Fixed: -1}}, "negative", 0, 0},
		{"both", newHedgeScript(nil), HedgeOptions{HedgeDelay: HedgeDelay{Fixed: time.Second, Quantile: 0.9}}, "not both", 0, 0},
		{"quantile 1", newHedgeScript(nil), HedgeOptions{HedgeDelay: HedgeDelay{Quantile: 1}}, "out of range", 0, 0},
		{"negative quantile", newHedgeScript(nil), HedgeOptions{HedgeDelay: HedgeDelay{Quantile: -0.5}}, "out of range", 0, 0},
	}
	for _, tt := range tests {
		h, err := NewHedged(tt.caller, tt.o)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: NewHedged(%+v) error = %v, want one saying %q", tt.name, tt.o, err, tt.wantErr)
			}
			continue
		}
		if err != nil || h.delay != tt.delay || h.quantile != tt.q || h.Name() != "hedged" {
			t.Errorf("%s: NewHedged(%+v) = delay %v quantile %v, %v; want %v, %v, no error", tt.name, tt.o, h.delay, h.quantile, err, tt.delay, tt.q)
		}
	}
}

// One hedged call, step by step with a hand-fired timer: the hedge is
// sent only when the delay has passed, the first 2xx is taken, and the
// other request is cancelled.
func TestHedgedCall(t *testing.T) {
	t.Parallel()
	const delay = 30 * time.Millisecond
	type want struct {
		status          int
		hedged, won     bool
		attempts        int
		canceled        []int // attempt numbers that ended cancelled
		latencyAtLeast  time.Duration
		latencyExactly  time.Duration // when not 0
		hedgeWasNotSent bool
	}
	tests := []struct {
		name             string
		primary, hedge   hedgeLeg
		steps            []string // fire, cancel, release 0, release 100, wait end 100
		want             want
		callerCtxIgnored bool
	}{
		{"primary answers before the delay: no hedge",
			hedgeLeg{status: 200, latency: 3 * time.Millisecond}, hedgeLeg{status: 200},
			nil,
			want{status: 200, attempts: 1, latencyExactly: 3 * time.Millisecond, hedgeWasNotSent: true}, false},
		{"primary fails before the delay: no hedge, no retry",
			hedgeLeg{status: 503, latency: 2 * time.Millisecond}, hedgeLeg{status: 200},
			nil,
			want{status: 503, attempts: 1, latencyExactly: 2 * time.Millisecond, hedgeWasNotSent: true}, false},
		{"slow primary: the hedge wins, the primary is cancelled",
			hedgeLeg{status: 200, gate: make(chan struct{})}, hedgeLeg{status: 201, latency: 4 * time.Millisecond},
			[]string{"fire"},
			want{status: 201, hedged: true, won: true, attempts: 2, canceled: []int{0}, latencyAtLeast: 4 * time.Millisecond}, false},
		{"primary answers while the hedge is in flight: the hedge is cancelled",
			hedgeLeg{status: 200, latency: 50 * time.Millisecond, gate: make(chan struct{})}, hedgeLeg{status: 200, gate: make(chan struct{})},
			[]string{"fire", "wait start 100", "release 0"},
			want{status: 200, hedged: true, attempts: 2, canceled: []int{100}, latencyExactly: 50 * time.Millisecond}, false},
		{"the hedge fails first: the primary is still awaited and wins",
			hedgeLeg{status: 204, latency: 60 * time.Millisecond, gate: make(chan struct{})}, hedgeLeg{status: 503},
			[]string{"fire", "wait end 100", "release 0"},
			want{status: 204, hedged: true, attempts: 2, latencyExactly: 60 * time.Millisecond}, false},
		{"the primary fails after the hedge was sent: the hedge is awaited and wins",
			hedgeLeg{status: 500, gate: make(chan struct{})}, hedgeLeg{status: 200, latency: 7 * time.Millisecond, gate: make(chan struct{})},
			[]string{"fire", "wait start 100", "release 0", "wait end profile 0", "release 100"},
			want{status: 200, hedged: true, won: true, attempts: 2, latencyAtLeast: 7 * time.Millisecond}, false},
		{"both fail: the primary's failure, after both ended",
			hedgeLeg{status: 503, latency: 80 * time.Millisecond, gate: make(chan struct{})}, hedgeLeg{status: 500, latency: time.Millisecond},
			[]string{"fire", "wait end 100", "release 0"},
			want{status: 503, hedged: true, attempts: 2, latencyAtLeast: 80 * time.Millisecond}, false},
		{"the run stops before the timer fires: no hedge",
			hedgeLeg{status: 200, gate: make(chan struct{}), ignoreCtx: true}, hedgeLeg{status: 200},
			[]string{"cancel", "fire", "release 0"},
			want{status: 200, attempts: 1, hedgeWasNotSent: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newHedgeScript(map[hedgeLegKey]hedgeLeg{{"profile", 0}: tt.primary, {"profile", HedgeFirstAttempt}: tt.hedge})
			h, timers := newManualHedged(t, c, HedgeOptions{HedgeDelay: HedgeDelay{Fixed: delay}})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			op := NewOperation(hedgeOneCall())
			op.Seq = 5
			done := make(chan Outcome)
			go func() { done <- h.Execute(ctx, op) }()
			c.waitFor(t, "start profile 0")
			for _, step := range tt.steps {
				switch {
				case step == "fire":
					if n := timers.fire(); n != 1 {
						t.Fatalf("%d timers armed while the primary was in flight, want 1", n)
					}
				case step == "cancel":
					cancel()
				case step == "release 0":
					close(tt.primary.gate)
				case step == "release 100":
					close(tt.hedge.gate)
				case strings.HasPrefix(step, "wait "):
					ev := strings.TrimPrefix(step, "wait ")
					if !strings.Contains(ev, "profile") {
						ev = strings.Replace(ev, " ", " profile ", 1)
					}
					c.waitFor(t, ev)
				}
			}
			<-done
			r := op.Results[0]
			w := tt.want
			if r.Status != w.status || r.Hedged != w.hedged || r.HedgeWon != w.won || r.Attempts != w.attempts {
				t.Errorf("result = status %d hedged %v won %v attempts %d; want %d %v %v %d",
					r.Status, r.Hedged, r.HedgeWon, r.Attempts, w.status, w.hedged, w.won, w.attempts)
			}
			if got := timers.armedWith(); len(got) != 1 || got[0] != delay {
				t.Errorf("timer armed with %v, want once with the delay %v", got, delay)
			}
			if w.latencyExactly != 0 && r.Latency != w.latencyExactly {
				t.Errorf("latency %v, want %v (the taken answer's)", r.Latency, w.latencyExactly)
			}
			if r.Latency < w.latencyAtLeast {
				t.Errorf("latency %v, want at least %v", r.Latency, w.latencyAtLeast)
			}
			var canceled []int
			for _, k := range c.canceled {
				canceled = append(canceled, k.attempt)
			}
			if !slices.Equal(canceled, w.canceled) {
				t.Errorf("cancelled requests %v, want %v", canceled, w.canceled)
			}
			close(c.events)
			for e := range c.events {
				if w.hedgeWasNotSent && strings.HasSuffix(e, fmt.Sprint(HedgeFirstAttempt)) {
					t.Errorf("event %q: a hedge was sent", e)
				}
			}
		})
	}
}

// With a real timer: the hedge leaves no earlier than the delay, and the
// winner's latency counts from the primary's start.
func TestHedgedRealTimer(t *testing.T) {
	t.Parallel()
	const delay = 5 * time.Millisecond
	c := newHedgeScript(map[hedgeLegKey]hedgeLeg{
		{"profile", 0}:                 {status: 200, gate: make(chan struct{})},
		{"profile", HedgeFirstAttempt}: {status: 200, latency: time.Millisecond},
	})
	h, err := NewHedged(c, HedgeOptions{HedgeDelay: HedgeDelay{Fixed: delay}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for range 3 {
		op := NewOperation(hedgeOneCall())
		if got := h.Execute(t.Context(), op); got != OK {
			t.Fatalf("outcome %v, want ok", got)
		}
		if r := op.Results[0]; !r.HedgeWon || r.Attempts != 2 || r.Latency < delay+time.Millisecond {
			t.Errorf("result %+v: want the hedge won, 2 attempts, latency ≥ delay + the hedge's %v", r, time.Millisecond)
		}
	}
}

// The quantile delay: no hedge until an upstream has 100 latencies, then
// the observed quantile, per upstream, following a change.
func TestHedgedQuantileDelay(t *testing.T) {
	t.Parallel()
	c := newHedgeScript(map[hedgeLegKey]hedgeLeg{
		{"profile", 0}: {status: 200, perSeq: time.Millisecond}, // seq s answers in s ms
		{"audit", 0}:   {status: 200, latency: time.Millisecond},
	})
	h, timers := newManualHedged(t, c, HedgeOptions{HedgeDelay: HedgeDelay{Quantile: 0.95}})
	profileOnly := []Call{{Upstream: "profile", UpstreamIndex: 0}}
	run := func(calls []Call, seqs ...uint64) {
		for _, seq := range seqs {
			op := NewOperation(calls)
			op.Seq = seq
			h.Execute(t.Context(), op)
			if op.Results[0].Hedged {
				t.Fatalf("seq %d was hedged: the primary answered at once", seq)
			}
		}
	}
	for seq := uint64(1); seq < trackerWarmup; seq++ {
		run(profileOnly, seq)
	}
	if got := timers.armedWith(); len(got) != 0 {
		t.Fatalf("timers armed with %v before %d latencies, want none", got, trackerWarmup)
	}
	if d, ok := h.delayFor(0); ok {
		t.Fatalf("delay %v before warm-up, want none", d)
	}
	run(profileOnly, trackerWarmup) // latencies 1…100 ms
	if d, ok := h.delayFor(0); !ok || d != 95*time.Millisecond {
		t.Fatalf("delay after 1…100 ms = %v, %v; want p95 = 95ms", d, ok)
	}
	both := []Call{{Upstream: "profile", UpstreamIndex: 0}, {Upstream: "audit", UpstreamIndex: 1}}
	run(both, 7)
	if got := timers.armedWith(); len(got) != 1 || got[0] != 95*time.Millisecond {
		t.Errorf("timers armed with %v, want once with 95ms: the audit upstream is still cold", got)
	}
	if _, ok := h.delayFor(1); ok {
		t.Error("the audit upstream has a delay after one latency")
	}
	// A full window of slower answers: the delay follows.
	for i := range trackerWindow {
		run(profileOnly, uint64(1000+i%10))
	}
	if d, ok := h.delayFor(0); !ok || d != 1009*time.Millisecond {
		t.Errorf("delay after a window of 1000…1009 ms = %v, %v; want 1009ms", d, ok)
	}
}

// A cancelled primary (its hedge won) feeds the tracker the time it ran,
// a lower bound above the delay; hedges feed nothing.
func TestHedgedObservesPrimariesOnly(t *testing.T) {
	t.Parallel()
	c := newHedgeScript(map[hedgeLegKey]hedgeLeg{
		{"profile", 0}:                 {status: 200, latency: 40 * time.Millisecond, gate: make(chan struct{})},
		{"profile", HedgeFirstAttempt}: {status: 200, latency: time.Millisecond},
	})
	h, timers := newManualHedged(t, c, HedgeOptions{HedgeDelay: HedgeDelay{Quantile: 0.5}})
	tr := h.tracker(0)
	for range trackerWarmup {
		tr.record(10 * time.Millisecond)
	}
	op := NewOperation(hedgeOneCall())
	done := make(chan struct{})
	go func() { h.Execute(t.Context(), op); close(done) }()
	c.waitFor(t, "start profile 0")
	timers.fire()
	<-done
	if r := op.Results[0]; !r.HedgeWon {
		t.Fatalf("result %+v, want the hedge won", r)
	}
	if n := tr.count.Load(); n != trackerWarmup+1 {
		t.Errorf("tracker has %d latencies, want %d: the primary's only", n, trackerWarmup+1)
	}
	if got := time.Duration(tr.ring[trackerWarmup].Load()); got != 40*time.Millisecond {
		t.Errorf("recorded %v for the cancelled primary, want the 40ms it reported", got)
	}
}

// A failed critical call fails the operation; the calls that succeeded
// are compensated, hedged or not.
func TestHedgedCompensatesFailedCriticalCall(t *testing.T) {
	t.Parallel()
	refund := Call{Upstream: "refund", UpstreamIndex: 2, Index: 2}
	calls := []Call{
		{Upstream: "pay", UpstreamIndex: 0, Compensation: &refund},
		{Upstream: "ship", UpstreamIndex: 1, Index: 1, Critical: true},
	}
	c := newHedgeScript(map[hedgeLegKey]hedgeLeg{
		{"ship", 0}:                 {status: 500, gate: make(chan struct{})},
		{"ship", HedgeFirstAttempt}: {status: 503},
	})
	h, timers := newManualHedged(t, c, HedgeOptions{HedgeDelay: HedgeDelay{Fixed: time.Millisecond}})
	op := NewOperation(calls)
	done := make(chan Outcome)
	go func() { done <- h.Execute(t.Context(), op) }()
	c.waitFor(t, "start ship 0")
	timers.fireOnly(t) // the ship call's, once the payment's is stopped
	c.waitFor(t, "end ship 100")
	close(c.script[hedgeLegKey{"ship", 0}].gate)
	if got := <-done; got != Failed {
		t.Fatalf("outcome %v, want failed", got)
	}
	if r := op.Results[1]; r.Status != 500 || !r.Hedged || r.HedgeWon || r.Attempts != 2 {
		t.Errorf("ship result %+v: want the primary's 500, hedged, not won, 2 attempts", r)
	}
	if op.Compensations != (Compensations{Sent: 1, Attempts: 1}) {
		t.Errorf("compensations %+v, want the payment refunded once", op.Compensations)
	}
	c.waitFor(t, "end refund 0")
}

func TestLatencyTracker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		q         float64
		latencies func(i int) time.Duration
		n         int
		want      time.Duration
		wantOK    bool
	}{
		{"cold", 0.95, func(i int) time.Duration { return time.Duration(i) }, trackerWarmup - 1, 0, false},
		{"p95 of 1…100", 0.95, func(i int) time.Duration { return time.Duration(i%100 + 1) }, 100, 95, true},
		{"p50 of 1…100", 0.5, func(i int) time.Duration { return time.Duration(100 - i%100) }, 100, 50, true},
		{"p99 of 1…1024", 0.99, func(i int) time.Duration { return time.Duration(i%1024 + 1) }, 1024, 1014, true},
		// After 1024 of 1…1024, 1024 of 5000: only the recent ones count.
		{"follows a change", 0.5, func(i int) time.Duration {
			if i < 1024 {
				return time.Duration(i + 1)
			}
			return 5000
		}, 2048, 5000, true},
		// Recomputed every 64: the 100 values of 7 are followed by 27 of 9,
		// not yet seen at 127.
		{"between recomputations", 0.5, func(i int) time.Duration {
			if i < 100 {
				return 7
			}
			return 9
		}, 127, 7, true},
	}
	for _, tt := range tests {
		tr := newLatencyTracker(tt.q)
		for i := range tt.n {
			tr.record(tt.latencies(i))
		}
		if got, ok := tr.value(); got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: value() = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

// Many workers record at once: no race, and the quantile is one of the
// values recorded.
func TestLatencyTrackerConcurrent(t *testing.T) {
	t.Parallel()
	tr := newLatencyTracker(0.9)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				tr.record(time.Duration(1 + (w+i)%10))
				tr.value()
			}
		})
	}
	wg.Wait()
	if got, ok := tr.value(); !ok || got < 1 || got > 10 {
		t.Errorf("value() = %v, %v; want one of 1…10", got, ok)
	}
}

func TestNthMatchesSort(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := map[string][]int64{"one": {4}, "equal": {3, 3, 3, 3, 3}, "two": {2, 1}}
	for _, n := range []int{10, 100, 1024} {
		asc, desc, random, dup := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i := range n {
			asc[i], desc[i], random[i], dup[i] = int64(i), int64(n-i), rng.Int64N(1e9), rng.Int64N(4)
		}
		inputs[fmt.Sprint("ascending ", n)], inputs[fmt.Sprint("descending ", n)] = asc, desc
		inputs[fmt.Sprint("random ", n)], inputs[fmt.Sprint("duplicates ", n)] = random, dup
	}
	for name, in := range inputs {
		sorted := slices.Sorted(slices.Values(in))
		for k := range in {
			v := slices.Clone(in)
			if got := nth(v, k); got != sorted[k] {
				t.Errorf("nth(%s, %d) = %d, want %d", name, k, got, sorted[k])
				break
			}
		}
	}
}

func TestRankOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q    float64
		m    int
		want int
	}{
		{0.95, 100, 94}, {0.5, 100, 49}, {0.99, 1024, 1013}, {0.999, 100, 99}, {0.01, 100, 0}, {0.5, 1, 0},
	}
	for _, tt := range tests {
		if got := rankOf(tt.q, tt.m); got != tt.want {
			t.Errorf("rankOf(%v, %d) = %d, want %d", tt.q, tt.m, got, tt.want)
		}
	}
}

// instantAttemptCaller answers 200 at once, reporting a latency of 1ms, so that a
// quantile delay warms up to 1ms and is never reached.
type instantAttemptCaller struct{}

func (instantAttemptCaller) Call(ctx context.Context, seq uint64, c *Call) CallResult {
	return instantAttemptCaller{}.CallFrom(ctx, seq, 0, c)
}

func (instantAttemptCaller) CallFrom(context.Context, uint64, int, *Call) CallResult {
	return CallResult{Status: 200, Attempts: 1, Latency: time.Millisecond}
}

// slowPrimaryCaller's primaries wait for their ctx; its hedges answer at
// once: every call is hedged, and the hedge wins.
type slowPrimaryCaller struct{}

func (slowPrimaryCaller) Call(ctx context.Context, seq uint64, c *Call) CallResult {
	return slowPrimaryCaller{}.CallFrom(ctx, seq, 0, c)
}

func (slowPrimaryCaller) CallFrom(ctx context.Context, _ uint64, first int, _ *Call) CallResult {
	if first < HedgeFirstAttempt {
		<-ctx.Done()
		return CallResult{Failure: FailureCanceled, Attempts: 1}
	}
	return CallResult{Status: 200, Attempts: 1}
}

func BenchmarkHedged(b *testing.B) {
	benches := []struct {
		name   string
		caller Caller
		o      HedgeOptions
	}{
		// The usual case: the timer is armed and stopped, no hedge sent.
		{"fixed-no-hedge", instantAttemptCaller{}, HedgeOptions{HedgeDelay: HedgeDelay{Fixed: time.Second}}},
		{"p95-no-hedge", instantAttemptCaller{}, HedgeOptions{}},
		// Every call hedged after 1µs, the hedge winning.
		{"every-call-hedged", slowPrimaryCaller{}, HedgeOptions{HedgeDelay: HedgeDelay{Fixed: time.Microsecond}}},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			s, err := NewHedged(bb.caller, bb.o)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			op := NewOperation(twoCalls())
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				s.Execute(ctx, op)
			}
		})
	}
}

// An operation whose calls are not hedged allocates no goroutine, closure or
// WaitGroup (its calls run on kept goroutines, its state is reused), and
// when the hedge timer is armed, each call's cancellable context; never a
// timer or a state per call, which the bounds would catch. (Before the kept
// goroutines: 6 and 10.) Not parallel: AllocsPerRun counts every goroutine's
// allocations.
func TestHedgedAllocs(t *testing.T) {
	if hedgeRaceEnabled {
		t.Skip("the race detector makes sync.Pool drop states")
	}
	tests := []struct {
		name string
		o    HedgeOptions
		max  float64
	}{
		{"cold quantile: plain calls", HedgeOptions{}, 2},
		{"armed, not fired", HedgeOptions{HedgeDelay: HedgeDelay{Fixed: time.Second}}, 2 + 2*1},
	}
	for _, tt := range tests {
		h, err := NewHedged(instantAttemptCaller{}, tt.o)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		if tt.o.HedgeDelay.Fixed == 0 {
			h.trackers.Store(&[]*latencyTracker{newLatencyTracker(0.95), newLatencyTracker(0.95)}) // cold, made
		}
		op := NewOperation(twoCalls())
		op.Calls[1].UpstreamIndex = 1
		ctx, cancel := context.WithCancel(context.Background())
		n := testing.AllocsPerRun(200, func() { h.Execute(ctx, op) })
		cancel()
		t.Logf("%s: %v allocations per operation of two calls", tt.name, n)
		if n > tt.max {
			t.Errorf("%s: %v allocations per operation, want at most %v", tt.name, n, tt.max)
		}
	}
}

// numberingAttempter logs the attempt numbers it is asked for and fails
// every one with a 503, so that a retry policy uses all its attempts.
type numberingAttempter struct {
	mu       sync.Mutex
	attempts []int
}

func (n *numberingAttempter) Attempt(_ context.Context, _ uint64, attempt int, _ *Call) AttemptResult {
	n.mu.Lock()
	n.attempts = append(n.attempts, attempt)
	n.mu.Unlock()
	return AttemptResult{Status: 503}
}

// A hedge goes through the same policy as its primary, its attempts
// numbered from HedgeFirstAttempt.
func TestPolicyCallerCallFromNumbersAttempts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy Policy
		first  int
		want   []int
	}{
		{"no policy, primary", Policy{}, 0, []int{0}},
		{"no policy, hedge", Policy{}, HedgeFirstAttempt, []int{100}},
		{"retries, primary", Policy{Retry: Retry{Attempts: 3}}, 0, []int{0, 1, 2}},
		{"retries, hedge", Policy{Retry: Retry{Attempts: 3}}, HedgeFirstAttempt, []int{100, 101, 102}},
	}
	for _, tt := range tests {
		inner := &numberingAttempter{}
		pc, err := NewPolicyCaller(inner, []Policy{tt.policy})
		if err != nil {
			t.Fatal(err)
		}
		pc.sleep = func(context.Context, time.Duration) bool { return true }
		r := pc.CallFrom(t.Context(), 1, tt.first, &Call{})
		if !slices.Equal(inner.attempts, tt.want) || r.Attempts != len(tt.want) {
			t.Errorf("%s: CallFrom(first %d) sent attempts %v, counted %d; want %v", tt.name, tt.first, inner.attempts, r.Attempts, tt.want)
		}
	}
	var _ AttemptCaller = &PolicyCaller{}
	var _ AttemptCaller = &HTTPCaller{}
}

// The hedge's Fanbench-Attempt header costs no allocation, as the
// primary's does not.
func TestAttemptHeaderOfHedges(t *testing.T) {
	for _, a := range []int{0, 15, HedgeFirstAttempt, HedgeFirstAttempt + 15} {
		if got := attemptHeader(a); len(got) != 1 || got[0] != fmt.Sprint(a) {
			t.Errorf("attemptHeader(%d) = %q", a, got)
		}
		if n := testing.AllocsPerRun(100, func() { _ = attemptHeader(a) }); n != 0 {
			t.Errorf("attemptHeader(%d): %v allocations, want 0", a, n)
		}
	}
	if got := attemptHeader(50); got[0] != "50" {
		t.Errorf("attemptHeader(50) = %q", got)
	}
}

// Against a mock upstream, a hedge gets the paired draw of its own attempt
// number, not the primary's.
func TestHTTPCallerHedgeDraw(t *testing.T) {
	t.Parallel()
	cfg := mockupstream.Config{Errors: map[int]units.Fraction{503: 0.5}}
	srv, err := mockupstream.Start(mockupstream.Options{Name: "audit", Seed: 3, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	b, err := mockupstream.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	drawer := mockupstream.NewDrawer(3, "audit", b)
	eachClient(t, func(t *testing.T, client Client) { testHedgeDraw(t, client, srv, drawer) })
}

func testHedgeDraw(t *testing.T, client Client, srv *mockupstream.Server, drawer mockupstream.Drawer) {
	caller := NewHTTPCaller(HTTPOptions{Client: client})
	defer caller.Close()
	path := mustPath(t, "/log")
	call := &Call{Upstream: "audit", Method: "POST", BaseURL: srv.URL(), Path: path}
	differ := 0
	for seq := range uint64(40) {
		r := caller.CallFrom(t.Context(), seq, HedgeFirstAttempt, call)
		want := drawer.Draw(seq, HedgeFirstAttempt).Status
		if r.Status != want || r.Attempts != 1 {
			t.Errorf("hedge of seq %d = status %d, %d attempts (%v); want the draw of attempt %d, %d, in 1 attempt",
				seq, r.Status, r.Attempts, r.Err, HedgeFirstAttempt, want)
		}
		if want != drawer.Draw(seq, 0).Status {
			differ++
		}
	}
	if differ == 0 {
		t.Error("the hedges' draws all equal the primaries': the test shows nothing")
	}
}

// An upstream's own hedging overrides the strategy's: off, a fixed delay,
// or a quantile of its own latency (none until it has answered enough).
func TestHedgedPerUpstreamDelay(t *testing.T) {
	t.Parallel()
	h, err := NewHedged(&HTTPCaller{}, HedgeOptions{HedgeDelay: HedgeDelay{Fixed: 50 * time.Millisecond}, Upstreams: []HedgePolicy{
		{Off: true}, {}, {HedgeDelay: HedgeDelay{Fixed: 5 * time.Millisecond}}, {HedgeDelay: HedgeDelay{Quantile: 0.5}}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		up     int
		want   time.Duration
		hedged bool
	}{
		{0, 0, false},                    // off
		{1, 50 * time.Millisecond, true}, // the strategy's
		{2, 5 * time.Millisecond, true},  // its own
		{3, 0, false},                    // its own quantile, nothing observed yet
		{7, 50 * time.Millisecond, true}, // past the list: the strategy's
	}
	for _, tt := range tests {
		got, ok := h.delayFor(tt.up)
		if got != tt.want || ok != tt.hedged {
			t.Errorf("delayFor(%d) = %v, %v; want %v, %v", tt.up, got, ok, tt.want, tt.hedged)
		}
	}
	if _, err := NewHedged(&HTTPCaller{}, HedgeOptions{Upstreams: []HedgePolicy{{HedgeDelay: HedgeDelay{Quantile: 1.5}}}}); err == nil {
		t.Error("a quantile of 1.5 for an upstream: no error")
	}
}

// The hedged strategy takes each upstream's own hedging from its call
// policy, by upstream index; an upstream without one keeps the options'.
func TestHedgeOptionsTakeUpstreamPolicies(t *testing.T) {
	t.Parallel()
	o := &HedgeOptions{HedgeDelay: HedgeDelay{Fixed: 30 * time.Millisecond}}
	env := Env{Policies: []Policy{{Hedge: &HedgePolicy{Off: true}}, {}, {Hedge: &HedgePolicy{HedgeDelay: HedgeDelay{Fixed: 5 * time.Millisecond}}}}}
	s, err := o.New(&HTTPCaller{}, env)
	if err != nil {
		t.Fatal(err)
	}
	h := s.(*Hedged)
	want := []HedgePolicy{{Off: true}, {}, {HedgeDelay: HedgeDelay{Fixed: 5 * time.Millisecond}}}
	if !reflect.DeepEqual(h.upstreams, want) || h.delay != 30*time.Millisecond {
		t.Errorf("New = delay %v, upstreams %+v; want 30ms, %+v", h.delay, h.upstreams, want)
	}
	if o.Upstreams != nil {
		t.Errorf("New changed the options: %+v", o.Upstreams)
	}
	s, _ = o.New(&HTTPCaller{}, Env{Policies: []Policy{{}, {}}})
	if h := s.(*Hedged); h.upstreams != nil {
		t.Errorf("no hedge policies: upstreams %+v, want none", h.upstreams)
	}
}
