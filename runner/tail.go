package runner

import (
	"time"

	"github.com/fanbench/fanbench/scenarios"
)

// tailThresholds returns, by upstream index, the p99 of each upstream's
// configured latency distribution, against which a call counts as in its
// upstream's tail; nil when tail amplification cannot be measured: a real
// upstream (its p99 is known only after the run), or a mock whose delay has
// no tail (p99 equal to p50, as a fixed delay: every call would be "slow"
// by the transport's own few microseconds). Incidents are not considered:
// the base distribution's p99 is the threshold throughout.
func tailThresholds(sc *scenarios.Scenario) []time.Duration {
	out := make([]time.Duration, len(sc.Upstreams))
	for i, up := range sc.Upstreams {
		if up.Mock == nil {
			return nil
		}
		p99, err := up.Mock.Latency.Quantile(0.99)
		if err != nil {
			return nil
		}
		p50, err := up.Mock.Latency.Quantile(0.50)
		if err != nil || p99 <= p50 {
			return nil
		}
		out[i] = p99
	}
	return out
}
