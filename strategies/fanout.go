package strategies

import (
	"context"
	"sync"
	"time"
)

// Fanout makes every call at once, one goroutine per call, and waits for all
// of them, keeping each call's result: latency is about the slowest call's.
type Fanout struct {
	Caller Caller
}

// Name returns "fanout".
func (*Fanout) Name() string { return "fanout" }

// Execute starts one goroutine per call and returns when all have finished.
func (f *Fanout) Execute(ctx context.Context, op *Operation) Outcome {
	var wg sync.WaitGroup
	for i := range op.Calls {
		wg.Go(func() {
			// Each goroutine writes only its own slot of Results.
			op.Results[i] = f.Caller.Call(ctx, op.Seq, &op.Calls[i])
		})
	}
	wg.Wait()
	return Classify(op.Calls, op.Results)
}

// Ideal is the slowest call's latency.
func (*Fanout) Ideal(latencies []time.Duration) time.Duration {
	var slowest time.Duration
	for _, l := range latencies {
		slowest = max(slowest, l)
	}
	return slowest
}
