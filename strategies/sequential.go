package strategies

import (
	"context"
	"time"
)

// Sequential makes the calls one after another, in scenario order: the
// baseline, whose latency is about the sum of the calls' latencies.
type Sequential struct {
	Caller Caller
}

// Name returns "sequential".
func (*Sequential) Name() string { return "sequential" }

// Execute makes every call in order and waits for each.
func (s *Sequential) Execute(ctx context.Context, op *Operation) Outcome {
	for i := range op.Calls {
		op.Results[i] = s.Caller.Call(ctx, op.Seq, &op.Calls[i])
	}
	return Classify(op.Calls, op.Results)
}

// Ideal is the sum of the calls' latencies.
func (*Sequential) Ideal(latencies []time.Duration) time.Duration {
	var sum time.Duration
	for _, l := range latencies {
		sum += l
	}
	return sum
}
