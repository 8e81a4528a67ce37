package strategies

import (
	"context"
	"time"
)

// Sequential makes the calls one after another, in scenario order: the
// baseline, whose latency is about the sum of the calls' latencies.
type Sequential struct {
	Caller Caller
	// StopOnCriticalFailure skips the calls after a critical call fails:
	// they end as FailureSkipped, with no request sent.
	StopOnCriticalFailure bool
}

// Name returns "sequential".
func (*Sequential) Name() string { return "sequential" }

// Execute makes every call in order and waits for each, then compensates
// the calls that succeeded if the operation failed.
func (s *Sequential) Execute(ctx context.Context, op *Operation) Outcome {
	stopped := false
	for i := range op.Calls {
		if stopped {
			op.Results[i] = CallResult{Failure: FailureSkipped, Err: ErrSkipped}
			continue
		}
		op.Results[i] = s.Caller.Call(ctx, op.Seq, &op.Calls[i])
		if s.StopOnCriticalFailure && op.Calls[i].Critical && !op.Results[i].OK() {
			stopped = true
		}
	}
	outcome := Classify(op.Calls, op.Results)
	compensate(ctx, s.Caller, op, outcome)
	return outcome
}

// Ideal is the sum of the calls' latencies.
func (*Sequential) Ideal(latencies []time.Duration) time.Duration {
	var sum time.Duration
	for _, l := range latencies {
		sum += l
	}
	return sum
}
