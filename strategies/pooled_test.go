package strategies

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// gateCaller holds every call until release is closed, and tells entered
// which upstream each call is for as it starts: tests fill a pool exactly,
// with no sleep standing in for synchronisation.
type gateCaller struct {
	entered chan string
	release chan struct{}
	status  map[string]int // by upstream; 200 when absent
	sent    atomic.Int32
}

func newGateCaller() *gateCaller {
	return &gateCaller{entered: make(chan string, 64), release: make(chan struct{})}
}

func (g *gateCaller) Call(_ context.Context, seq uint64, c *Call) CallResult {
	g.sent.Add(1)
	g.entered <- c.Upstream
	<-g.release
	status := 200
	if s, ok := g.status[c.Upstream]; ok {
		status = s
	}
	return CallResult{Status: status, Attempts: 1, Latency: time.Duration(seq*10 + uint64(c.Index))}
}

// oneCall is an operation of a single critical call.
func oneCall(upstream string) []Call {
	return []Call{{Upstream: upstream, Method: "POST", Critical: true}}
}

func newTestPool(t *testing.T, caller Caller, o PoolOptions) *Pooled {
	t.Helper()
	p, err := NewPooled(caller, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// waitDepth waits until the pool holds want calls: a condition the test
// waits for, bounded, rather than a sleep it hopes is long enough.
func waitDepth(t *testing.T, p *Pooled, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.Depth() != want {
		if time.Now().After(deadline) {
			t.Fatalf("Depth() = %d, want %d", p.Depth(), want)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// started runs op through p in the background; the channel yields its
// outcome.
func started(ctx context.Context, p *Pooled, op *Operation) <-chan Outcome {
	done := make(chan Outcome, 1)
	go func() { done <- p.Execute(ctx, op) }()
	return done
}

// Many operations at once share the pool; each result lands in its own
// operation's slot for its call, and says it was queued.
func TestPooledResultsInCallOrder(t *testing.T) {
	t.Parallel()
	calls := []Call{
		{Index: 0, Upstream: "profile", Critical: true},
		{Index: 1, Upstream: "audit"},
		{Index: 2, Upstream: "search"},
	}
	tests := []struct {
		name string
		opts PoolOptions
	}{
		{"one worker", PoolOptions{Workers: 1, Queue: 1}},
		{"fewer workers than calls", PoolOptions{Workers: 2, Queue: 4}},
		{"defaults", PoolOptions{}},
		{"reject with room", PoolOptions{Workers: 4, Queue: 64, WhenFull: WhenFullReject}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			caller := &seqCaller{status: map[string]int{"audit": 503}}
			p := newTestPool(t, caller, tt.opts)
			const ops = 20
			var wg sync.WaitGroup
			for seq := range uint64(ops) {
				wg.Go(func() {
					op := NewOperation(calls)
					op.Seq = seq
					if got := p.Execute(t.Context(), op); got != Partial && !tt.opts.WhenFull.Rejects() {
						t.Errorf("op %d: outcome %v, want partial", seq, got)
					}
					for i, r := range op.Results {
						if r.Failure == FailureRejected {
							continue
						}
						if want := time.Duration(seq*10 + uint64(i)); r.Latency != want || !r.Queued || r.QueueWait < 0 {
							t.Errorf("op %d result %d = latency %v, queued %v, wait %v; want latency %v, queued, wait ≥ 0",
								seq, i, r.Latency, r.Queued, r.QueueWait, want)
						}
					}
				})
			}
			wg.Wait()
			if d := p.Depth(); d != 0 {
				t.Errorf("Depth() after every operation = %d, want 0", d)
			}
			st := p.Stats()
			if st.Calls+st.Rejected != ops*3 {
				t.Errorf("Stats() = %+v; want %d calls made or rejected", st, ops*3)
			}
		})
	}
}

// seqCaller answers at once from a table; Latency encodes seq and index so
// that a result found in the wrong slot shows.
type seqCaller struct{ status map[string]int }

func (s *seqCaller) Call(_ context.Context, seq uint64, c *Call) CallResult {
	status := 200
	if st, ok := s.status[c.Upstream]; ok {
		status = st
	}
	return CallResult{Status: status, Attempts: 1, Latency: time.Duration(seq*10 + uint64(c.Index))}
}

// A call that waits behind a busy worker records at least the time it
// waited, and the caller's own latency is left as it was.
func TestPooledRecordsQueueWait(t *testing.T) {
	t.Parallel()
	g := newGateCaller()
	p := newTestPool(t, g, PoolOptions{Workers: 1, Queue: 4})
	first, second := NewOperation(oneCall("a")), NewOperation(oneCall("b"))
	second.Seq = 3
	done1 := started(t.Context(), p, first)
	<-g.entered // the only worker is busy with the first call
	done2 := started(t.Context(), p, second)
	waitDepth(t, p, 2)
	const held = 5 * time.Millisecond
	time.Sleep(held) // not synchronisation: a span the queue wait must cover
	close(g.release)
	<-done1
	<-done2
	if r := first.Results[0]; !r.Queued || r.Latency != 0 {
		t.Errorf("first call: queued %v, latency %v; want queued, the caller's latency 0", r.Queued, r.Latency)
	}
	if r := second.Results[0]; !r.Queued || r.QueueWait < held || r.Latency != 30 {
		t.Errorf("second call: queued %v, wait %v, latency %v; want queued, wait ≥ %v, latency 30ns", r.Queued, r.QueueWait, r.Latency, held)
	}
}

// fillPool occupies the single worker and the single queue slot of p with
// two operations held by g, and returns their outcomes.
func fillPool(t *testing.T, p *Pooled, g *gateCaller) (<-chan Outcome, <-chan Outcome) {
	t.Helper()
	inService := started(t.Context(), p, NewOperation(oneCall("a")))
	<-g.entered
	queued := started(t.Context(), p, NewOperation(oneCall("b")))
	waitDepth(t, p, 2)
	return inService, queued
}

// With reject, a call that finds the queue full fails at once as rejected,
// with no request sent; the operations already in the pool are unharmed.
func TestPooledRejectsWhenFull(t *testing.T) {
	t.Parallel()
	g := newGateCaller()
	p := newTestPool(t, g, PoolOptions{Workers: 1, Queue: 1, WhenFull: WhenFullReject})
	inService, queued := fillPool(t, p, g)

	op := NewOperation(twoCalls())
	if got := p.Execute(t.Context(), op); got != Failed {
		t.Errorf("Execute on a full pool = %v, want failed (the critical call was rejected)", got)
	}
	for i, r := range op.Results {
		if r.Failure != FailureRejected || !errors.Is(r.Err, ErrRejected) || r.Queued || r.Attempts != 0 {
			t.Errorf("result %d = %+v, want rejected with ErrRejected, not queued, no attempt", i, r)
		}
	}
	if n := g.sent.Load(); n != 1 {
		t.Errorf("%d requests sent, want 1 (the call in service)", n)
	}
	if st := p.Stats(); st.Rejected != 2 {
		t.Errorf("Stats().Rejected = %d, want 2", st.Rejected)
	}
	if d := p.Depth(); d != 2 {
		t.Errorf("Depth() = %d after the rejections, want 2", d)
	}
	close(g.release)
	for _, done := range []<-chan Outcome{inService, queued} {
		if got := <-done; got != OK {
			t.Errorf("an operation in the pool ended %v, want ok", got)
		}
	}
	waitDepth(t, p, 0)
}

// With block, a call that finds the queue full waits for room, and gives
// up as canceled when its context ends.
func TestPooledBlockHonoursCancel(t *testing.T) {
	t.Parallel()
	g := newGateCaller()
	p := newTestPool(t, g, PoolOptions{Workers: 1, Queue: 1})
	inService, queued := fillPool(t, p, g)

	ctx, cancel := context.WithCancel(t.Context())
	op := NewOperation(twoCalls())
	blocked := started(ctx, p, op)
	waitDepth(t, p, 3) // its first call waits for room
	select {
	case got := <-blocked:
		t.Fatalf("Execute returned %v on a full pool, want it to wait for room", got)
	default:
	}
	cancel()
	if got := <-blocked; got != Failed {
		t.Errorf("cancelled Execute = %v, want failed", got)
	}
	for i, r := range op.Results {
		if r.Failure != FailureCanceled || !errors.Is(r.Err, context.Canceled) || r.Queued {
			t.Errorf("result %d = %+v, want canceled with context.Canceled, not queued", i, r)
		}
	}
	if d := p.Depth(); d != 2 {
		t.Errorf("Depth() = %d after the cancelled calls left, want 2", d)
	}
	close(g.release)
	<-inService
	<-queued
	if st := p.Stats(); st.Rejected != 0 || st.Calls != 2 {
		t.Errorf("Stats() = %+v, want 2 calls made, none rejected", st)
	}
}

// In block mode a call that waited for room counts in Depth and its wait
// for room is part of its queue wait.
func TestPooledBlockedWaitIsQueueWait(t *testing.T) {
	t.Parallel()
	g := newGateCaller()
	p := newTestPool(t, g, PoolOptions{Workers: 1, Queue: 1})
	inService, queued := fillPool(t, p, g)
	op := NewOperation(oneCall("c"))
	blocked := started(t.Context(), p, op)
	waitDepth(t, p, 3)
	const held = 5 * time.Millisecond
	time.Sleep(held) // not synchronisation: a span the queue wait must cover
	close(g.release)
	for _, done := range []<-chan Outcome{inService, queued, blocked} {
		if got := <-done; got != OK {
			t.Errorf("an operation ended %v, want ok", got)
		}
	}
	if r := op.Results[0]; !r.Queued || r.QueueWait < held {
		t.Errorf("blocked call: queued %v, wait %v; want queued, wait ≥ %v", r.Queued, r.QueueWait, held)
	}
}

// Depth counts the calls in service and those queued, and nothing once
// they are done; Stats counts the calls made and the busy time.
func TestPooledDepth(t *testing.T) {
	t.Parallel()
	g := newGateCaller()
	p := newTestPool(t, g, PoolOptions{Workers: 2, Queue: 8})
	if d := p.Depth(); d != 0 {
		t.Fatalf("Depth() of a new pool = %d, want 0", d)
	}
	var dones []<-chan Outcome
	for range 3 {
		dones = append(dones, started(t.Context(), p, NewOperation(twoCalls())))
	}
	<-g.entered
	<-g.entered // both workers busy
	waitDepth(t, p, 6)
	const held = time.Millisecond
	time.Sleep(held) // not synchronisation: busy time the stats must count
	close(g.release)
	for _, done := range dones {
		<-done
	}
	waitDepth(t, p, 0)
	st := p.Stats()
	if st.Calls != 6 || st.Busy < 2*held || st.Workers != 2 || st.Queue != 8 || st.WhenFull != WhenFullBlock {
		t.Errorf("Stats() = %+v; want 6 calls, busy ≥ %v, workers 2, queue 8, block", st, 2*held)
	}
}

// A failed operation is compensated; with one worker the calls run in
// order, so the email, finished after the stock call decided the
// operation, is wasted.
func TestPooledCompensatesOnFailure(t *testing.T) {
	t.Parallel()
	caller := &recordingCaller{status: map[string]int{"stock": 409}}
	p := newTestPool(t, caller, PoolOptions{Workers: 1})
	op := NewOperation(threeCallsWithRefund())
	if got := p.Execute(t.Context(), op); got != Failed {
		t.Fatalf("Execute = %v, want failed", got)
	}
	if c := op.Compensations; c.Sent != 1 || c.Failed != 0 || c.Attempts != 1 {
		t.Errorf("Compensations = %+v, want the refund sent once and answered", c)
	}
	if got := caller.called(); len(got) != 4 || got[3] != "refund" {
		t.Errorf("called %v, want payment, stock, email, refund", got)
	}
	wasted := []bool{false, false, true}
	for i, r := range op.Results {
		if r.Wasted != wasted[i] {
			t.Errorf("result %d wasted = %v, want %v", i, r.Wasted, wasted[i])
		}
	}
	// A successful operation is not compensated.
	caller.status = nil
	if got := p.Execute(t.Context(), op); got != OK || op.Compensations != (Compensations{}) {
		t.Errorf("Execute = %v with compensations %+v, want ok and none", got, op.Compensations)
	}
}

func threeCallsWithRefund() []Call {
	refund := &Call{Index: 3, Upstream: "refund", Method: "POST"}
	return []Call{
		{Index: 0, Upstream: "payment", Method: "POST", Critical: true, Compensation: refund},
		{Index: 1, Upstream: "stock", Method: "POST", Critical: true},
		{Index: 2, Upstream: "email", Method: "POST"},
	}
}

// recordingCaller answers from a table and logs the upstreams called.
type recordingCaller struct {
	status map[string]int
	mu     sync.Mutex
	calls  []string
}

func (r *recordingCaller) Call(_ context.Context, _ uint64, c *Call) CallResult {
	r.mu.Lock()
	r.calls = append(r.calls, c.Upstream)
	r.mu.Unlock()
	status := 200
	if s, ok := r.status[c.Upstream]; ok {
		status = s
	}
	return CallResult{Status: status, Attempts: 1}
}

func (r *recordingCaller) called() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// Close lets the queued calls finish, stops every worker, and leaves the
// pool refusing new calls as canceled. Not parallel: it checks that no
// goroutine is left behind.
func TestPooledCloseStopsWorkers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	g := newGateCaller()
	p, err := NewPooled(g, PoolOptions{Workers: 1, Queue: 1})
	if err != nil {
		t.Fatal(err)
	}
	inService, queued := fillPool(t, p, g)
	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	close(g.release)
	for _, done := range []<-chan Outcome{inService, queued} {
		if got := <-done; got != OK {
			t.Errorf("an operation queued before Close ended %v, want ok", got)
		}
	}
	if err := <-closed; err != nil {
		t.Errorf("Close() = %v, want nil", err)
	}
	op := NewOperation(twoCalls())
	if got := p.Execute(t.Context(), op); got != Failed {
		t.Errorf("Execute after Close = %v, want failed", got)
	}
	for i, r := range op.Results {
		if r.Failure != FailureCanceled || !errors.Is(r.Err, ErrPoolClosed) {
			t.Errorf("result %d after Close = %+v, want canceled with ErrPoolClosed", i, r)
		}
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	if n := g.sent.Load(); n != 2 {
		t.Errorf("%d requests sent, want 2", n)
	}
}

func TestNewPooledOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		caller  Caller
		opts    PoolOptions
		want    PoolOptions
		wantErr bool
	}{
		{"defaults", nopCaller{}, PoolOptions{}, PoolOptions{Workers: 32, Queue: 1024, WhenFull: WhenFullBlock}, false},
		{"unknown when_full", nopCaller{}, PoolOptions{WhenFull: "drop"}, PoolOptions{}, true},
		{"given", nopCaller{}, PoolOptions{Workers: 3, Queue: 5, WhenFull: WhenFullReject}, PoolOptions{Workers: 3, Queue: 5, WhenFull: WhenFullReject}, false},
		{"negative workers", nopCaller{}, PoolOptions{Workers: -1}, PoolOptions{}, true},
		{"negative queue", nopCaller{}, PoolOptions{Queue: -1}, PoolOptions{}, true},
		{"no caller", nil, PoolOptions{}, PoolOptions{}, true},
	}
	for _, tt := range tests {
		p, err := NewPooled(tt.caller, tt.opts)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: NewPooled(%+v) error = %v, want error %v", tt.name, tt.opts, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if got := p.Options(); got != tt.want {
			t.Errorf("%s: Options() = %+v, want %+v", tt.name, got, tt.want)
		}
		if p.Name() != "pooled" {
			t.Errorf("Name() = %q, want pooled", p.Name())
		}
		_ = p.Close()
	}
	s, err := New("pooled", &PoolOptions{Workers: 2, Queue: 3, WhenFull: WhenFullReject}, nopCaller{}, Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.(*Pooled).Close()
	if got := s.(*Pooled).Options(); got != (PoolOptions{Workers: 2, Queue: 3, WhenFull: WhenFullReject}) {
		t.Errorf("New(pooled…).Options() = %+v, want workers 2, queue 3, reject", got)
	}
	var _ Gauged = s.(*Pooled)
}

// An operation through the pool allocates nothing once warm. Not parallel:
// AllocsPerRun counts every goroutine's allocations.
func TestPooledAllocs(t *testing.T) {
	p := newTestPool(t, nopCaller{}, PoolOptions{Workers: 4})
	op := NewOperation(twoCalls())
	ctx := context.Background()
	p.Execute(ctx, op)
	if n := testing.AllocsPerRun(200, func() { p.Execute(ctx, op) }); n > 0 {
		t.Errorf("%v allocations per operation, want 0", n)
	}
}
