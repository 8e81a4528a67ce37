package strategies

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
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
}

// Validate reports nothing: every value is valid.
func (*FanoutOptions) Validate() error { return nil }

// New returns a Fanout strategy; Close it when done.
func (o *FanoutOptions) New(caller Caller, _ Env) (Strategy, error) {
	return NewFanout(caller, o.FailFast), nil
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
	// goroutines, when set (New sets them; Close ends them), run the calls
	// on goroutines kept from one operation to the next; without them each
	// call gets a new goroutine.
	goroutines *callGoroutines
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
	callCtx, cancel := ctx, context.CancelFunc(nil)
	if f.FailFast {
		callCtx, cancel = context.WithCancel(ctx)
		defer cancel()
	}
	var decided atomic.Bool // a critical call has failed
	call := func(i int) {
		// Each call writes only its own slot of Results.
		r := f.Caller.Call(callCtx, op.Seq, &op.Calls[i])
		switch {
		case !r.OK() && op.Calls[i].Critical && decided.CompareAndSwap(false, true):
			// This failure decides the operation.
			if cancel != nil {
				cancel()
			}
		case decided.Load():
			r.Wasted = true
		}
		op.Results[i] = r
	}
	// Every call but the last runs on another goroutine; the last runs on
	// this one, which is waiting anyway. That saves a goroutine per
	// operation, and its stack growth: a new goroutine's stack is grown,
	// by copying, on its way into the HTTP client (see callGoroutines for
	// the others; the cost measured is in docs/performance.md).
	var wg sync.WaitGroup
	last := len(op.Calls) - 1
	for i := range last {
		wg.Add(1)
		f.goroutines.run(func() {
			defer wg.Done()
			call(i)
		})
	}
	if last >= 0 {
		call(last)
	}
	wg.Wait()
	outcome := Classify(op.Calls, op.Results)
	compensate(ctx, f.Caller, op, outcome)
	return outcome
}

// Ideal is the slowest call's latency.
func (*Fanout) Ideal(latencies []time.Duration) time.Duration {
	var slowest time.Duration
	for _, l := range latencies {
		slowest = max(slowest, l)
	}
	return slowest
}
