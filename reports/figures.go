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

// speedUp is the baseline's p50 latency over s's. It is unknown (false)
// without a baseline, without latencies, and for a queued strategy: its
// latency is an enqueue ack, and dividing by it would compare an enqueue
// with a whole operation.
func speedUp(r *metrics.Result, s metrics.StrategyResult) (float64, bool) {
	base, ok := baseline(r)
	if !ok || base.Latency.P50 <= 0 || s.Latency.P50 <= 0 || s.Queue != nil {
		return 0, false
	}
	return base.Latency.P50 / s.Latency.P50, true
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

// hasQueued reports whether any strategy's latency is an enqueue ack.
func hasQueued(r *metrics.Result) bool {
	for _, s := range r.Strategies {
		if s.Queue != nil {
			return true
		}
	}
	return false
}
