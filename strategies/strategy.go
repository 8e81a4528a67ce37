package strategies

import (
	"context"
	"time"
)

// Strategy sends the calls of one operation. Implementations are safe for
// concurrent use: many operations run through one Strategy at once.
type Strategy interface {
	// Name is the strategy's name in scenario files and results.
	Name() string
	// Execute makes op's calls, fills op.Results (one per call, in call
	// order) and returns once the operation's result is known to its caller.
	Execute(ctx context.Context, op *Operation) Outcome
}

// Idealizer is a strategy whose ideal operation latency follows from its
// calls' latencies alone: what it would take with a harness that cost
// nothing. The runner compares it with the measured latency to report the
// harness overhead.
type Idealizer interface {
	// Ideal returns the operation latency implied by the calls' latencies,
	// indexed like the operation's calls. It may reorder latencies, a
	// scratch buffer.
	Ideal(calls []Call, latencies []time.Duration) time.Duration
}

// Pool is a strategy that sends calls through a pool of workers of its own
// (pooled), whose counters the runner reports.
type Pool interface {
	Stats() PoolStats
}

// Gauged is a strategy with a queue of its own (pooled, queued), whose depth
// the runner samples over time.
type Gauged interface {
	// Depth is how many calls (pooled: queued or in service) or messages
	// (queued: not yet acknowledged) the strategy holds now. It must be
	// cheap and safe to call from any goroutine.
	Depth() int
}

// Caller makes one call, with whatever policies wrap it. It is safe for
// concurrent use.
type Caller interface {
	Call(ctx context.Context, seq uint64, c *Call) CallResult
}

// Operation is one logical unit of work handed to a strategy. It is reused
// from one operation to the next by a single worker, so a strategy must not
// keep it after Execute returns.
type Operation struct {
	// Seq is the operation's sequence number: the same operation has the
	// same Seq under every strategy, which is what pairs the draws.
	Seq uint64
	// Intended is when the schedule meant the operation to start; the
	// delivery latency of a queued operation counts from it.
	Intended time.Time
	// Warmup: the operation runs in the warm-up, and its caller will not
	// measure it; a strategy that reports on its own after Execute
	// (queued) leaves it out of its reports too.
	Warmup bool
	// Calls are the calls to make, shared and read-only.
	Calls []Call
	// Results holds each call's result after Execute, indexed like Calls.
	// A strategy that returns before its calls are made (queued) leaves
	// them zero and reports the calls as they are delivered instead.
	Results []CallResult
	// Compensations counts the compensating calls Execute sent, and
	// CompensationResults holds their results, indexed like Calls: the
	// result of Calls[i].Compensation when it was sent, else the zero
	// CallResult (see CallResult.Made).
	Compensations       Compensations
	CompensationResults []CallResult
}

// Compensations counts the compensating calls of an operation (see
// Call.Compensation): those sent, those that failed, and the HTTP requests
// they took.
type Compensations struct {
	Sent, Failed, Attempts int
}

// NewOperation returns an operation of those calls with room for their
// results.
func NewOperation(calls []Call) *Operation {
	return &Operation{Calls: calls, Results: make([]CallResult, len(calls)), CompensationResults: make([]CallResult, len(calls))}
}

// Outcome is the fate of one operation.
type Outcome uint8

const (
	// OK: every call succeeded.
	OK Outcome = iota
	// Partial: some calls failed, none of them critical.
	Partial
	// Failed: a critical call failed.
	Failed
)

// String returns the outcome's name.
func (o Outcome) String() string {
	return [...]string{"ok", "partial", "failed"}[o]
}

// Classify returns the outcome of an operation from its calls' results. A
// call given up once the operation had what it waited for (fanout's
// wait_for) fails nothing.
func Classify(calls []Call, results []CallResult) Outcome {
	out := OK
	for i := range results {
		if results[i].OK() || results[i].Failure == FailureGivenUp {
			continue
		}
		if calls[i].Critical {
			return Failed
		}
		out = Partial
	}
	return out
}

// orNil returns a nil Strategy, not a Strategy holding a nil pointer, when
// a constructor fails.
func orNil[S Strategy](s S, err error) (Strategy, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}
