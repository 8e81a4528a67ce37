package strategies

import (
	"context"
	"time"
)

// Baseline names the sequential strategy, the one the others are compared
// with (their speed-up is its latency over theirs).
const Baseline = "sequential"

func init() {
	Register(Definition{
		Name: Baseline, Rank: 10,
		Doc:      "calls one after another, in scenario order: the baseline, latency about the sum",
		Defaults: func() Options { return &SequentialOptions{} },
	})
}

// SequentialOptions are the options of the sequential strategy.
type SequentialOptions struct {
	// StopOnCriticalFailure: once a critical call fails, the later calls
	// are skipped, and counted as skipped.
	StopOnCriticalFailure bool `yaml:"stop_on_critical_failure" json:"stop_on_critical_failure,omitempty"`
}

// Validate reports nothing: every value is valid.
func (*SequentialOptions) Validate() error { return nil }

// New returns a Sequential strategy.
func (o *SequentialOptions) New(caller Caller, _ Env) (Strategy, error) {
	return &Sequential{Caller: caller, StopOnCriticalFailure: o.StopOnCriticalFailure}, nil
}

// Sequential makes the calls one after another, in scenario order: the
// baseline, whose latency is about the sum of the calls' latencies.
type Sequential struct {
	Caller Caller
	// StopOnCriticalFailure skips the calls after a critical call fails:
	// they end as FailureSkipped, with no request sent.
	StopOnCriticalFailure bool
}

// Name returns "sequential".
func (*Sequential) Name() string { return Baseline }

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
func (*Sequential) Ideal(_ []Call, latencies []time.Duration) time.Duration {
	var sum time.Duration
	for _, l := range latencies {
		sum += l
	}
	return sum
}
