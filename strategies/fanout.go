package strategies

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Fanout makes every call at once, one goroutine per call, and waits for all
// of them, keeping each call's result: latency is about the slowest call's.
type Fanout struct {
	Caller Caller
	// FailFast cancels the calls still in flight once a critical call
	// fails; they end as FailureCanceled. Execute still waits for them to
	// return (a cancelled request returns at once), so that no goroutine
	// outlives the operation.
	FailFast bool
}

// Name returns "fanout".
func (*Fanout) Name() string { return "fanout" }

// Execute starts one goroutine per call and returns when all have finished.
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
	var wg sync.WaitGroup
	for i := range op.Calls {
		wg.Go(func() {
			// Each goroutine writes only its own slot of Results.
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
		})
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
