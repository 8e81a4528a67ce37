package runner

import (
	"fmt"
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
// operation finished, or no harness overhead was measured. A strategy that
// measured no operation fails even when the scenario sets no threshold for
// it, on an implicit "operations > 0" (see NoOperation): a run whose every
// operation was cut off, dropped or not started measured nothing, and must
// not pass for one that met its targets.
func JudgeThresholds(sc *scenarios.Scenario, res *metrics.Result) []metrics.ThresholdResult {
	var out []metrics.ThresholdResult
	for i := range res.Strategies {
		sr := &res.Strategies[i]
		entry := scenarios.Strategy{Name: sr.Strategy, Label: sr.Name}
		if entry.Name == "" { // a result built without the strategy's name
			entry.Name = sr.Name
		}
		keys, list := sc.Thresholds.For(entry)
		if len(list) == 0 && sr.Operations == 0 {
			out = append(out, metrics.ThresholdResult{Strategy: sr.Name, Threshold: NoOperation, Metric: "operations",
				Unit: "count", Note: noOperationNote(sr)})
			continue
		}
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

// NoOperation is the implicit threshold every strategy must pass: it
// measured at least one operation.
const NoOperation = "operations > 0"

// noOperationNote says why a strategy measured no operation.
func noOperationNote(sr *metrics.StrategyResult) string {
	var why []string
	if sr.Interrupted > 0 {
		why = append(why, fmt.Sprintf("%d cut off when the grace period ran out (do the calls have a timeout?)", sr.Interrupted))
	}
	if n := sr.Dropped - min(sr.NotStarted, sr.Dropped); n > 0 {
		why = append(why, fmt.Sprintf("%d dropped at the in-flight cap", n))
	}
	if sr.NotStarted > 0 {
		why = append(why, fmt.Sprintf("%d not started before the run's end", sr.NotStarted))
	}
	if sr.Warmup > 0 {
		why = append(why, fmt.Sprintf("%d in the warm-up", sr.Warmup))
	}
	if len(why) == 0 {
		return "no operation finished: none was started"
	}
	return "no operation finished: " + strings.Join(why, ", ")
}

// measured is a strategy's figure for a threshold metric, in the metric's
// unit, or a note saying why there is none.
func measured(sr *metrics.StrategyResult, metric string) (float64, string) {
	if sr.Operations == 0 {
		return 0, noOperationNote(sr)
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
