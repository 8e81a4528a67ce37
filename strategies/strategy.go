package strategies

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
	// indexed like the operation's calls.
	Ideal(latencies []time.Duration) time.Duration
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
	// Calls are the calls to make, shared and read-only.
	Calls []Call
	// Results holds each call's result after Execute, indexed like Calls.
	Results []CallResult
}

// NewOperation returns an operation of those calls with room for their
// results.
func NewOperation(calls []Call) *Operation {
	return &Operation{Calls: calls, Results: make([]CallResult, len(calls))}
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

// Classify returns the outcome of an operation from its calls' results.
func Classify(calls []Call, results []CallResult) Outcome {
	out := OK
	for i := range results {
		if results[i].OK() {
			continue
		}
		if calls[i].Critical {
			return Failed
		}
		out = Partial
	}
	return out
}

// Names lists the strategies New knows.
var Names = []string{"sequential", "fanout"}

// New returns the named strategy, sending its calls through caller.
func New(name string, caller Caller) (Strategy, error) {
	switch name {
	case "sequential":
		return &Sequential{Caller: caller}, nil
	case "fanout":
		return &Fanout{Caller: caller}, nil
	}
	return nil, fmt.Errorf("unknown strategy %q; known: %s", name, strings.Join(slices.Sorted(slices.Values(Names)), ", "))
}
