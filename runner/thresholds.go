package runner

import (
	"strings"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// JudgeThresholds gives the verdict on each of the scenario's thresholds
// for each strategy that ran, in run order. Strategies that did not run (an
// interrupted run, or --strategies) are not judged: an interrupted run is
// judged on what it measured, and says so in its warnings.
//
// A threshold fails without a value when there is nothing to judge: no
// operation finished, or no harness overhead was measured.
func JudgeThresholds(sc *scenarios.Scenario, res *metrics.Result) []metrics.ThresholdResult {
	if len(sc.Thresholds) == 0 {
		return nil
	}
	var out []metrics.ThresholdResult
	for i := range res.Strategies {
		sr := &res.Strategies[i]
		entry := scenarios.Strategy{Name: sr.Strategy, Label: sr.Name}
		if entry.Name == "" { // a result built without the strategy's name
			entry.Name = sr.Name
		}
		keys, list := sc.Thresholds.For(entry)
		for j, t := range list {
			v := metrics.ThresholdResult{Strategy: sr.Name, Key: keys[j], Threshold: t.String(),
				Metric: t.Metric, Unit: scenarios.ThresholdUnit(t.Metric)}
			value, note := measured(sr, t.Metric)
			if note != "" {
				v.Note = note
			} else {
				v.Value = &value
				v.Pass = t.Passes(value)
			}
			out = append(out, v)
		}
	}
	return out
}

// measured is a strategy's figure for a threshold metric, in the metric's
// unit, or a note saying why there is none.
func measured(sr *metrics.StrategyResult, metric string) (float64, string) {
	if sr.Operations == 0 {
		return 0, "no operation finished"
	}
	switch metric {
	case "error_rate":
		return sr.ErrorRate, ""
	case "throughput":
		return sr.Throughput, ""
	case "amplification":
		return sr.Amplification.Ratio, ""
	}
	summary, stat := &sr.Latency, metric
	if rest, ok := strings.CutPrefix(metric, "harness_overhead_"); ok {
		if sr.HarnessOverhead == nil {
			return 0, "no harness overhead measured (it needs mock upstreams)"
		}
		summary, stat = sr.HarnessOverhead, rest
	}
	switch stat {
	case "p50":
		return summary.P50, ""
	case "p90":
		return summary.P90, ""
	case "p95":
		return summary.P95, ""
	case "p99":
		return summary.P99, ""
	case "p99.9":
		return summary.P999, ""
	case "max":
		return summary.Max, ""
	case "mean":
		return summary.Mean, ""
	}
	return 0, "unknown metric " + metric
}
