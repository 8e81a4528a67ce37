package strategies

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/draws"
)

// HedgeFirstAttempt is the attempt number of a hedge's first request; its
// retries, if its policy retries, count up from it. Mock upstreams draw a
// request's latency and fault from its attempt number, so the hedge gets a
// draw of its own, independent of the primary's, and the same one under
// every run of the scenario. It is far above the retries of any sensible
// policy (a policy of more than 100 attempts would make a primary's late
// retries share the hedge's draws).
const HedgeFirstAttempt = 100

// DefaultHedgeQuantile is the quantile of an upstream's observed latency
// after which a hedge is sent, when no fixed delay is set: p95.
const DefaultHedgeQuantile = 0.95

// AttemptCaller is a Caller whose calls can number their attempts from a
// given first attempt, so that a second request of the same call (a hedge)
// gets its own paired draw and still goes through the same call policies.
// HTTPCaller and PolicyCaller are AttemptCallers; Call(ctx, seq, c) is
// CallFrom(ctx, seq, 0, c).
type AttemptCaller interface {
	Caller
	CallFrom(ctx context.Context, seq uint64, first int, c *Call) CallResult
}

// hedgedName is the strategy's name in files and results.
const hedgedName = "hedged"

func init() {
	Register(Definition{
		Name: hedgedName, Rank: 50,
		Doc: "fans out and re-sends a call slower than the hedge delay: tail latency against extra load",
		Defaults: func() Options {
			o := &HedgeOptions{}
			_ = o.HedgeDelay.UnmarshalText([]byte(DefaultHedgeAfter))
			return o
		},
	})
}

// HedgeOptions tune a Hedged strategy: the options of the hedged strategy.
type HedgeOptions struct {
	// HedgeDelay is how long a call waits for an answer before a second
	// attempt is sent: a duration, or a quantile of the upstream's observed
	// latency such as p95 (the default, also for the zero HedgeDelay).
	HedgeDelay HedgeDelay `yaml:"hedge_delay" json:"hedge_delay"`
	// Upstreams override HedgeDelay for some upstreams, by upstream index;
	// the zero HedgePolicy keeps it. New takes them from the upstreams'
	// call policies.
	Upstreams []HedgePolicy `yaml:"-" json:"-"`
}

// readsHedgePolicy marks the options of a strategy that reads the
// upstreams' hedge policies (see ReadsHedgePolicy).
func (*HedgeOptions) readsHedgePolicy() {}

// ReadsHedgePolicy reports whether a strategy with these options reads
// the hedge field of the upstreams' call policies (Policy.Hedge); for the
// others a hedge policy is a silent no-op, which a loader should refuse.
func ReadsHedgePolicy(o Options) bool {
	_, ok := o.(interface{ readsHedgePolicy() })
	return ok
}

// Validate reports every problem of the options.
func (o *HedgeOptions) Validate() error {
	var ps draws.Problems
	if msg := o.HedgeDelay.check(); msg != "" {
		ps.Add("hedge_delay", "%s", msg)
	}
	return ps.Err()
}

// New returns a Hedged strategy, each upstream hedged as its call policy
// says (env.Policies) or else as the options do.
func (o *HedgeOptions) New(caller Caller, env Env) (Strategy, error) {
	opts := *o
	for i, p := range env.Policies {
		if p.Hedge == nil {
			continue
		}
		if opts.Upstreams == nil {
			opts.Upstreams = make([]HedgePolicy, len(env.Policies))
		}
		opts.Upstreams[i] = *p.Hedge
	}
	return orNil(NewHedged(caller, opts))
}

// Hedged makes every call of an operation at once, as Fanout does, and
// hedges each call: when the call has not answered within the hedge delay,
// a second request of it (the hedge) is sent, and the first successful
// answer of the two is taken; the other request is then cancelled. It cuts
// the tail latency that a few slow requests cause, at the cost of the extra
// requests, which CallResult.Attempts counts (and so the amplification).
//
// Which answer is taken: the first 2xx. A failed answer of one request
// does not end the call while the other is in flight, because the other
// may yet succeed; when both fail, the call's result is the primary's
// failure, its latency running until both have ended, and HedgeWon is
// false. A primary that fails before the delay is not hedged: a hedge is a
// second chance against slowness, not a retry (retries are the call
// policy's, and apply inside each of the two requests).
//
// The delay is fixed, or the quantile of the upstream's recent call
// latencies (see latencyTracker). Until an upstream has answered 100
// calls there is no observed quantile, and its calls are not hedged. Only
// the primary requests' latencies feed the quantile: a hedge is sent only
// for slow calls, so counting hedges would weight slow periods twice. A
// primary cancelled because its hedge won is counted with the time it ran
// until cancelled, a lower bound of its latency that is still above the
// delay, so the quantile is not pulled down by the calls that hedging
// rescued.
//
// The hedge is the same call sent again: the same Idempotency-Key (an
// upstream that gets both requests, and a mock's ledger, sees a duplicate,
// which the key makes safe), through the same call policy, its attempts
// numbered from HedgeFirstAttempt so that a mock draws its latency and
// fault apart from the primary's.
//
// Execute returns once both requests of every call have ended: the loser,
// cancelled, returns within microseconds, and its attempts are counted.
// Hedged has no ideal latency (the runner's ideal knows first attempts
// only), so its results carry no harness overhead. It is safe for
// concurrent use.
type Hedged struct {
	caller   AttemptCaller
	delay    time.Duration // fixed; 0: the observed quantile
	quantile float64
	// upstreams are the per-upstream overrides, by upstream index.
	upstreams []HedgePolicy

	// trackers are the latency trackers by upstream index; grown under
	// grow, copy on write, once per upstream.
	trackers atomic.Pointer[[]*latencyTracker]
	grow     sync.Mutex

	// states are reused per call, each with its own timer, so that hedging
	// a call allocates no timer.
	states sync.Pool
	// runs are the operations' states (*hedgedRun), and goroutines the
	// goroutines their calls run on, kept from one operation to the next.
	runs       sync.Pool
	goroutines *callGoroutines
	// newTimer returns a stopped timer that runs f when it fires; tests
	// replace it to fire timers by hand.
	newTimer func(f func()) hedgeTimer
}

// hedgeTimer is what Hedged needs of a *time.Timer made by time.AfterFunc.
type hedgeTimer interface {
	Reset(d time.Duration) bool
	Stop() bool
}

// NewHedged returns a Hedged strategy sending its calls through caller,
// which must be an AttemptCaller so that the hedge gets its own draws.
func NewHedged(caller Caller, o HedgeOptions) (*Hedged, error) {
	ac, ok := caller.(AttemptCaller)
	if !ok {
		return nil, fmt.Errorf("hedged: the caller (%T) cannot number a hedge's attempts: it must implement strategies.AttemptCaller, as HTTPCaller and PolicyCaller do", caller)
	}
	if msg := o.HedgeDelay.check(); msg != "" {
		return nil, errors.New("hedged: " + msg)
	}
	for i, u := range o.Upstreams {
		if msg := u.check(); msg != "" {
			return nil, fmt.Errorf("hedged: upstream %d: %s", i, msg)
		}
	}
	d := o.HedgeDelay
	if d.Fixed == 0 && d.Quantile == 0 {
		d.Quantile = DefaultHedgeQuantile
	}
	h := &Hedged{caller: ac, delay: d.Fixed, quantile: d.Quantile, upstreams: o.Upstreams, newTimer: afterFuncTimer,
		goroutines: newCallGoroutines()}
	h.states.New = func() any {
		s := &hedgeState{h: h, done: make(chan struct{}, 1)}
		s.timer = h.newTimer(s.fire)
		return s
	}
	return h, nil
}

// afterFuncTimer returns a stopped timer that runs f in its own goroutine
// when it fires.
func afterFuncTimer(f func()) hedgeTimer {
	t := time.AfterFunc(time.Hour, f)
	t.Stop()
	return t
}

// Name returns "hedged".
func (*Hedged) Name() string { return hedgedName }

// Execute makes every call at once, each hedged, and returns when all have
// ended; then, if the operation failed, it compensates the calls that
// succeeded. A call that ends after a critical sibling failed is marked
// Wasted, as under Fanout.
func (h *Hedged) Execute(ctx context.Context, op *Operation) Outcome {
	s, _ := h.runs.Get().(*hedgedRun)
	if s == nil {
		s = &hedgedRun{h: h}
	}
	s.ctx, s.op = ctx, op
	last := len(op.Calls) - 1
	s.wg.Add(max(last, 0))
	for i := range last {
		h.goroutines.run(s, i)
	}
	if last >= 0 {
		h.run(ctx, op, last, &s.decided) // the last call on this goroutine: one goroutine fewer
	}
	s.wg.Wait()
	*s = hedgedRun{h: h} // nothing of this operation is kept
	h.runs.Put(s)
	outcome := Classify(op.Calls, op.Results)
	compensate(ctx, h.caller, op, outcome)
	return outcome
}

// Close ends the goroutines the calls ran on, once every operation has
// returned.
func (h *Hedged) Close() error {
	h.goroutines.close()
	return nil
}

// hedgedRun is one operation of a Hedged in progress, reused from one
// operation to the next, as fanoutRun is.
type hedgedRun struct {
	h       *Hedged
	ctx     context.Context
	op      *Operation
	wg      sync.WaitGroup // the calls on other goroutines
	decided atomic.Bool    // a critical call has failed
}

// runCall makes call i on a goroutine other than the operation's.
func (s *hedgedRun) runCall(i int) {
	s.h.run(s.ctx, s.op, i, &s.decided)
	s.wg.Done() // the last touch of s: Execute may reuse it after Wait
}

// run makes call i, writing its result into its own slot of Results only.
// Results are written in place, never copied through a return, to keep
// the goroutine's stack small enough not to grow.
func (h *Hedged) run(ctx context.Context, op *Operation, i int, decided *atomic.Bool) {
	r := &op.Results[i]
	h.call(ctx, op.Seq, &op.Calls[i], r)
	switch {
	case !r.OK() && op.Calls[i].Critical && decided.CompareAndSwap(false, true):
		// This failure decides the operation.
	case decided.Load():
		r.Wasted = true
	}
}

// Which request answered with the 2xx taken.
const (
	noWinner uint32 = iota
	primaryWon
	hedgeWon
)

// Phases of a hedged call, which decide whether the hedge is sent.
const (
	phaseArmed       uint32 = iota // the primary is in flight, the timer set
	phasePrimaryDone               // the primary ended before the hedge was sent
	phaseHedging                   // the hedge was sent
)

// hedgeState is one hedged call in progress, reused through Hedged.states.
// The fields above phase are written by the call before it arms the timer
// (phase.Store is the release, fire's phase.Load the acquire); hedge
// and sentAfter are written by fire before it signals done.
type hedgeState struct {
	h     *Hedged
	timer hedgeTimer
	done  chan struct{} // fire's one signal per firing

	ctx    context.Context // both requests', cancelled once one succeeds
	cancel context.CancelFunc
	seq    uint64
	call   *Call
	start  time.Time

	phase  atomic.Uint32
	winner atomic.Uint32

	hedge     CallResult
	sentAfter time.Duration
}

// call makes one call into r, hedged when its upstream has a delay.
func (h *Hedged) call(ctx context.Context, seq uint64, c *Call, r *CallResult) {
	delay, ok := h.delayFor(c.UpstreamIndex)
	if !ok {
		*r = h.caller.CallFrom(ctx, seq, 0, c)
		h.observe(ctx, c, r)
		return
	}
	h.hedgedCall(ctx, seq, c, delay, r)
}

// hedgedCall makes the primary request on this goroutine, with the hedge
// timer armed; fire sends the hedge when the timer goes off first.
func (h *Hedged) hedgedCall(ctx context.Context, seq uint64, c *Call, delay time.Duration, r *CallResult) {
	s := h.states.Get().(*hedgeState)
	legs, cancel := context.WithCancel(ctx)
	s.ctx, s.cancel, s.seq, s.call, s.start = legs, cancel, seq, c, time.Now()
	s.winner.Store(noWinner)
	s.phase.Store(phaseArmed)
	s.timer.Reset(delay)

	*r = h.caller.CallFrom(legs, seq, 0, c)
	if r.OK() && s.winner.CompareAndSwap(noWinner, primaryWon) {
		cancel() // stop the hedge, if one is in flight
	}
	hedged := !s.phase.CompareAndSwap(phaseArmed, phasePrimaryDone)
	if !s.timer.Stop() {
		<-s.done // fire has run or is running: wait for its hedge to end
	}
	cancel()
	h.observe(ctx, c, r)
	if hedged {
		mergeHedge(r, &s.hedge, s.sentAfter, s.winner.Load())
	}
	s.ctx, s.cancel, s.call, s.hedge = nil, nil, nil, CallResult{}
	h.states.Put(s)
}

// fire runs when the hedge delay has passed: it sends the hedge, unless
// the primary has ended (or the run stopped) meanwhile.
func (s *hedgeState) fire() {
	// The Load orders the reads of the call's fields after their writes.
	if s.phase.Load() != phaseArmed || s.ctx.Err() != nil || !s.phase.CompareAndSwap(phaseArmed, phaseHedging) {
		s.done <- struct{}{}
		return
	}
	s.sentAfter = time.Since(s.start)
	r := s.h.caller.CallFrom(s.ctx, s.seq, HedgeFirstAttempt, s.call)
	if r.OK() && s.winner.CompareAndSwap(noWinner, hedgeWon) {
		s.cancel() // stop the primary
	}
	s.hedge = r
	s.done <- struct{}{}
}

// mergeHedge turns r, the primary's result, into the result of a call
// whose hedge was sent: the winner's answer, or the primary's failure when
// neither succeeded, with the counts of both requests. The hedge's latency
// counts from the primary's start. The limiter wait is the taken answer's,
// the one its latency includes.
func mergeHedge(r, hedge *CallResult, sentAfter time.Duration, winner uint32) {
	attempts, got429, tooEarly := r.Attempts+hedge.Attempts, r.Got429+hedge.Got429, r.TooEarly+hedge.TooEarly
	// Both requests' attempt latencies, the primary's first.
	lat := r.AttemptLatency
	n := copy(lat[:], r.AttemptLatencies())
	copy(lat[n:], hedge.AttemptLatencies())
	switch winner {
	case hedgeWon:
		*r = *hedge
		r.Latency = sentAfter + hedge.Latency
		r.HedgeWon = true
	case noWinner:
		r.Latency = max(r.Latency, sentAfter+hedge.Latency)
	}
	r.Hedged = true
	r.Attempts, r.Got429, r.TooEarly = attempts, got429, tooEarly
	r.AttemptLatency = lat
}

// delayFor returns the hedge delay of calls to upstream up; false when
// they are not hedged (the quantile has no value yet).
func (h *Hedged) delayFor(up int) (time.Duration, bool) {
	delay, _ := h.hedgeOf(up)
	switch {
	case delay < 0:
		return 0, false
	case delay > 0:
		return delay, true
	}
	return h.tracker(up).value()
}

// hedgeOf returns the fixed delay of upstream up's hedges (-1: it is not
// hedged; 0: the quantile of its latency), and that quantile.
func (h *Hedged) hedgeOf(up int) (time.Duration, float64) {
	if up >= 0 && up < len(h.upstreams) {
		switch u := h.upstreams[up]; {
		case u.Off:
			return -1, 0
		case u.Fixed > 0:
			return u.Fixed, 0
		case u.Quantile > 0:
			return 0, u.Quantile
		}
	}
	return h.delay, h.quantile
}

// observe feeds a primary's latency to its upstream's tracker: only when a
// request was sent (not when a breaker refused the call) and the run goes
// on (a call cut short by the stop says nothing of the upstream).
func (h *Hedged) observe(ctx context.Context, c *Call, r *CallResult) {
	if delay, _ := h.hedgeOf(c.UpstreamIndex); delay != 0 || r.Attempts == 0 || ctx.Err() != nil {
		return
	}
	h.tracker(c.UpstreamIndex).record(r.Latency)
}

// tracker returns upstream up's latency tracker, made on first use.
func (h *Hedged) tracker(up int) *latencyTracker {
	up = max(up, 0)
	if ts := h.trackers.Load(); ts != nil && up < len(*ts) {
		return (*ts)[up]
	}
	h.grow.Lock()
	defer h.grow.Unlock()
	var grown []*latencyTracker
	if ts := h.trackers.Load(); ts != nil {
		if up < len(*ts) {
			return (*ts)[up]
		}
		grown = append(grown, *ts...)
	}
	for len(grown) <= up {
		_, q := h.hedgeOf(len(grown))
		if q <= 0 { // a fixed delay: the tracker is never read
			q = DefaultHedgeQuantile
		}
		grown = append(grown, newLatencyTracker(q))
	}
	h.trackers.Store(&grown)
	return grown[up]
}
