package reports

import (
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// baselineStrategy is what the speed-up compares against.
const baselineStrategy = strategies.Baseline

// breakerOpen is the failure kind of the calls an open breaker refused.
const breakerOpen = "breaker_open"

// baseline is the entry speed-ups divide by: the one named sequential, or
// else the first that ran the sequential strategy under a label.
func baseline(r *metrics.Result) (metrics.StrategyResult, bool) {
	for _, s := range r.Strategies {
		if s.Name == baselineStrategy {
			return s, true
		}
	}
	for _, s := range r.Strategies {
		if s.Strategy == baselineStrategy {
			return s, true
		}
	}
	return metrics.StrategyResult{}, false
}

// speedUp is the baseline's p50 latency over s's, each as the verdict
// judges it: an async strategy (queued) by its delivery latency, never by
// its enqueue ack, which would compare an enqueue with a whole operation.
// It is unknown (false) without a baseline and for a strategy that
// measured nothing.
func speedUp(r *metrics.Result, s metrics.StrategyResult) (float64, bool) {
	base, ok := baseline(r)
	if !ok {
		return 0, false
	}
	b, j := judge(base), judge(s)
	if !b.Measured || !j.Measured || b.P50 <= 0 || j.P50 <= 0 {
		return 0, false
	}
	return b.P50 / j.P50, true
}

// overheadP99 is the harness overhead's p99 in ms; unknown (false) when
// some upstream was real, so the ideal latency was not known.
func overheadP99(s metrics.StrategyResult) (float64, bool) {
	if s.HarnessOverhead == nil {
		return 0, false
	}
	return s.HarnessOverhead.P99, true
}

// cpuPer1000 is the CPU time per 1,000 operations in ms; unknown (false)
// when the cost was not sampled.
func cpuPer1000(s metrics.StrategyResult) (float64, bool) {
	if s.Cost == nil {
		return 0, false
	}
	return s.Cost.CPUMsPer1000Ops, true
}

// includesMocks reports whether any strategy's cost counts in-process mock
// upstreams along with fanbench.
func includesMocks(r *metrics.Result) bool {
	for _, s := range r.Strategies {
		if s.Cost != nil && s.Cost.IncludesMocks {
			return true
		}
	}
	return false
}

// judgedLatency is the latency a strategy is judged by: the delivery
// latency of an async strategy, else the operation latency.
func judgedLatency(s metrics.StrategyResult) metrics.Summary {
	if s.Queue != nil {
		return s.Queue.DeliveryLatency
	}
	return s.Latency
}

// markAsync marks the name of a strategy judged by its delivery.
func markAsync(name string, j Judged) string {
	if j.Async {
		return name + " †"
	}
	return name
}

// hasQueued reports whether any strategy's latency is an enqueue ack.
func hasQueued(r *metrics.Result) bool {
	for _, s := range r.Strategies {
		if s.Queue != nil {
			return true
		}
	}
	return false
}
