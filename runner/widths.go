package runner

import (
	"context"
	"fmt"
	"slices"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// waiter is a strategy's options that say how many of an operation's n
// calls it waits for (fanout, with or without wait_for): the order
// statistic that predicts its latency from one leaf's.
type waiter interface{ Waits(n int) int }

// runWidths runs the strategy at each width of load.widths, narrowest
// first, each a run of the load on fresh upstreams with the repeated call
// made that many times. The result holds the widest step's full figures,
// and each step's headline figures beside the prediction from the leaf's
// latency measured at the narrowest width.
func runWidths(ctx context.Context, sc *scenarios.Scenario, spec scenarios.Strategy, o Options) (metrics.StrategyResult, bool, error) {
	widths := slices.Sorted(slices.Values(sc.Load.Widths))
	leafName := ""
	for _, c := range sc.Operation.Calls {
		if c.Repeat > 0 {
			leafName = c.Upstream
		}
	}
	res := &metrics.WidthSweep{Upstream: leafName}
	var details metrics.StrategyResult
	var leaf *metrics.Histogram
	w, predicts := spec.OptionsOrDefaults().(waiter)
	for _, width := range widths {
		sr, interrupted, err := runStrategy(ctx, sc.WithWidth(width), spec, o)
		if err != nil {
			return metrics.StrategyResult{}, false, fmt.Errorf("width %d: %w", width, err)
		}
		if leaf == nil {
			if enc, ok := sr.Histograms["attempt_latency:"+leafName]; ok {
				if leaf, err = metrics.DecodeHistogram(enc); err != nil {
					return metrics.StrategyResult{}, false, fmt.Errorf("width %d: the leaf's latency: %w", width, err)
				}
			}
		}
		step := metrics.WidthStep{Width: width, Operations: sr.Operations, Throughput: sr.Throughput,
			P50: sr.Latency.P50, P99: sr.Latency.P99, P999: sr.Latency.P999, ErrorRate: sr.ErrorRate, GivenUpCalls: sr.GivenUpCalls}
		if sr.Operations > 0 {
			step.RequestsPerOp = float64(sr.Amplification.Requests) / float64(sr.Operations)
		}
		if predicts && leaf != nil {
			k := w.Waits(width)
			step.Predicted = &metrics.Predicted{Waits: k, LeafSamples: uint64(leaf.Count()), P50: metrics.PredictOrder(leaf, width, k, 0.5),
				P99: metrics.PredictOrder(leaf, width, k, 0.99), P999: metrics.PredictOrder(leaf, width, k, 0.999)}
		}
		res.Steps = append(res.Steps, step)
		progress(o.Progress, "  %s at width %d: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, errors %.2f%%",
			sr.Name, width, step.P50, step.P99, step.P999, step.ErrorRate*100)
		details, res.DetailsAt = sr, width
		if interrupted {
			details.Widths = res
			return details, true, nil
		}
	}
	details.Widths = res
	return details, false, nil
}
