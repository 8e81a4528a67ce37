package strategies

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/draws"
)

// fanoutName is the strategy's name in files and results.
const fanoutName = "fanout"

func init() {
	Register(Definition{
		Name: fanoutName, Rank: 20,
		Doc:      "one goroutine per call, waiting for all: latency about the slowest call's",
		Defaults: func() Options { return &FanoutOptions{} },
	})
}

// FanoutOptions are the options of the fanout strategy.
type FanoutOptions struct {
	// FailFast: once a critical call fails, the calls still in flight are
	// cancelled.
	FailFast bool `yaml:"fail_fast" json:"fail_fast,omitempty"`
	// WaitFor completes an operation once that share (95%) or count (95)
	// of its calls succeeded, and every critical call ended: the calls
	// still in flight are cancelled and counted as given up. Default: all.
	WaitFor WaitFor `yaml:"wait_for" json:"wait_for,omitzero"`
}

// Validate reports every problem of the options.
func (o *FanoutOptions) Validate() error {
	var ps draws.Problems
	if msg := o.WaitFor.check(); msg != "" {
		ps.Add("wait_for", "%s", msg)
	}
	return ps.Err()
}

// Waits is how many of n calls an operation waits for: what the
// prediction of a width sweep takes as the order statistic.
func (o *FanoutOptions) Waits(n int) int { return o.WaitFor.need(n) }

// New returns a Fanout strategy; Close it when done.
func (o *FanoutOptions) New(caller Caller, _ Env) (Strategy, error) {
	f := NewFanout(caller, o.FailFast)
	f.WaitFor = o.WaitFor
	return f, nil
}

// Fanout makes every call at once (the last on the operation's goroutine,
// the others on goroutines of their own) and waits for all of them, keeping
// each call's result: latency is about the slowest call's.
type Fanout struct {
	Caller Caller
	// FailFast cancels the calls still in flight once a critical call
	// fails; they end as FailureCanceled. Execute still waits for them to
	// return (a cancelled request returns at once), so that no call
	// outlives the operation.
	FailFast bool
	// WaitFor ends an operation early, once enough of its calls
	// succeeded (see FanoutOptions.WaitFor); the zero value waits for all.
	WaitFor WaitFor
	// goroutines, when set (New sets them; Close ends them), run the calls
	// on goroutines kept from one operation to the next; without them each
	// call gets a new goroutine.
	goroutines *callGoroutines
	runs       sync.Pool // of *fanoutRun
}

// NewFanout returns a Fanout whose calls run on goroutines it keeps; Close
// it when done.
func NewFanout(caller Caller, failFast bool) *Fanout {
	return &Fanout{Caller: caller, FailFast: failFast, goroutines: newCallGoroutines()}
}

// Close ends the goroutines a NewFanout keeps, once every operation has
// returned. It does nothing for a Fanout made otherwise.
func (f *Fanout) Close() error {
	if f.goroutines != nil {
		f.goroutines.close()
	}
	return nil
}

// Name returns "fanout".
func (*Fanout) Name() string { return fanoutName }

// Execute makes every call concurrently and returns when all have finished.
// A call that finishes after a critical sibling failed is marked Wasted:
// the operation's fate was known, so its work (or its cancellation) bought
// nothing.
func (f *Fanout) Execute(ctx context.Context, op *Operation) Outcome {
	s, _ := f.runs.Get().(*fanoutRun)
	if s == nil {
		s = &fanoutRun{f: f}
	}
	s.op, s.callCtx, s.cancel = op, ctx, nil
	s.need = f.WaitFor.need(len(op.Calls))
	s.early = s.need < len(op.Calls) // complete once `need` calls succeeded
	if f.FailFast || s.early {
		s.callCtx, s.cancel = context.WithCancel(ctx)
	}
	if s.early {
		for i := range op.Calls {
			if op.Calls[i].Critical {
				s.criticalLeft.Add(1)
			}
		}
	}
	// Every call but the last runs on another goroutine; the last runs on
	// this one, which is waiting anyway. That saves a goroutine per
	// operation, and its stack growth: a new goroutine's stack is grown,
	// by copying, on its way into the HTTP client (see callGoroutines for
	// the others; the cost measured is in docs/performance.md).
	last := len(op.Calls) - 1
	s.wg.Add(max(last, 0))
	for i := range last {
		f.goroutines.run(s, i)
	}
	if last >= 0 {
		s.call(last)
	}
	s.wg.Wait()
	if s.cancel != nil {
		s.cancel()
	}
	*s = fanoutRun{f: f} // nothing of this operation is kept
	f.runs.Put(s)
	outcome := Classify(op.Calls, op.Results)
	compensate(ctx, f.Caller, op, outcome)
	return outcome
}

// fanoutRun is one operation of a Fanout in progress, reused from one
// operation to the next so that fanning out allocates nothing: its calls
// reach the kept goroutines as (run, index), not as a closure each.
type fanoutRun struct {
	f       *Fanout
	op      *Operation
	callCtx context.Context
	cancel  context.CancelFunc // nil unless FailFast or early
	need    int
	early   bool
	wg      sync.WaitGroup // the calls on other goroutines
	decided atomic.Bool    // a critical call has failed
	// With WaitFor: the successes so far, the critical calls still out,
	// and whether the operation had enough (then the rest are given up).
	succeeded, criticalLeft atomic.Int64
	enough                  atomic.Bool
}

// runCall makes call i on a goroutine other than the operation's.
func (s *fanoutRun) runCall(i int) {
	s.call(i)
	s.wg.Done() // the last touch of s: Execute may reuse it after Wait
}

// call makes call i; each call writes only its own slot of Results.
func (s *fanoutRun) call(i int) {
	op := s.op
	r := s.f.Caller.Call(s.callCtx, op.Seq, &op.Calls[i])
	critical := op.Calls[i].Critical
	switch {
	case !r.OK() && critical && s.decided.CompareAndSwap(false, true):
		// This failure decides the operation.
		if s.f.FailFast {
			s.cancel()
		}
	case s.decided.Load():
		r.Wasted = true
	case s.early && s.enough.Load() && !r.OK():
		// Cancelled once the operation had what it waited for.
		r.Failure, r.Wasted = FailureGivenUp, true
	}
	if s.early {
		n := s.succeeded.Load()
		if r.OK() {
			n = s.succeeded.Add(1)
		}
		c := s.criticalLeft.Load()
		if critical {
			c = s.criticalLeft.Add(-1)
		}
		if n >= int64(s.need) && c == 0 && !s.decided.Load() && s.enough.CompareAndSwap(false, true) {
			s.cancel() // the rest are given up
		}
	}
	op.Results[i] = r
}

// Ideal is the slowest call's latency; with WaitFor, the later of the
// slowest critical call and the call that makes enough successes. It
// sorts latencies in place then.
func (f *Fanout) Ideal(calls []Call, latencies []time.Duration) time.Duration {
	need := f.WaitFor.need(len(latencies))
	if need == len(latencies) {
		var slowest time.Duration
		for _, l := range latencies {
			slowest = max(slowest, l)
		}
		return slowest
	}
	var critical time.Duration
	for i, l := range latencies {
		if i < len(calls) && calls[i].Critical {
			critical = max(critical, l)
		}
	}
	if need == 0 {
		return critical
	}
	slices.Sort(latencies)
	return max(critical, latencies[need-1])
}
