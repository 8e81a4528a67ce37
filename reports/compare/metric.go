package compare

import "github.com/fanbench/fanbench/metrics"

// metric is one figure a comparison tests.
type metric struct {
	// key names the metric in tolerances, JSON and JUnit.
	key string
	// label names it for people ("p99", "error rate").
	label string
	// unit is the unit of its values as shown: rates are shown in percent.
	unit string
	// rate marks a share (0–1): its change is in percentage points.
	rate bool
	// higherIsBetter is true for throughput; lower is better otherwise.
	higherIsBetter bool
	// optional marks a figure that not every result holds (harness overhead
	// needs mock upstreams, CPU a cost sample): zero in every repeat of a
	// side means absent, and the metric is skipped.
	optional bool
	// ofRepeat takes the figure from one repeat, in the shown unit.
	ofRepeat func(metrics.Repeat) float64
	// ofWindow takes it from one per-second window; ok is false when the
	// window has none (no operation completed). nil when windows do not
	// carry the figure.
	ofWindow func(metrics.Window) (v float64, ok bool)
	// ofDelivery takes it from what a repeat of an async strategy
	// delivered, in the shown unit: such a strategy is judged by its
	// delivery (see JudgedByDelivery). nil for the figures that are the
	// same either way (throughput, overhead, CPU).
	ofDelivery func(metrics.RepeatDelivery) float64
}

// allMetrics are the metrics compared, in the order they are shown.
var allMetrics = []metric{
	{key: "p50", label: "p50", unit: "ms", ofRepeat: func(r metrics.Repeat) float64 { return r.Latency.P50 },
		ofWindow:   func(w metrics.Window) (float64, bool) { return w.P50, w.Completed > 0 },
		ofDelivery: func(d metrics.RepeatDelivery) float64 { return d.Latency.P50 }},
	{key: "p90", label: "p90", unit: "ms", ofRepeat: func(r metrics.Repeat) float64 { return r.Latency.P90 },
		ofDelivery: func(d metrics.RepeatDelivery) float64 { return d.Latency.P90 }},
	{key: "p99", label: "p99", unit: "ms", ofRepeat: func(r metrics.Repeat) float64 { return r.Latency.P99 },
		ofWindow:   func(w metrics.Window) (float64, bool) { return w.P99, w.Completed > 0 },
		ofDelivery: func(d metrics.RepeatDelivery) float64 { return d.Latency.P99 }},
	{key: "p99.9", label: "p99.9", unit: "ms", ofRepeat: func(r metrics.Repeat) float64 { return r.Latency.P999 },
		ofDelivery: func(d metrics.RepeatDelivery) float64 { return d.Latency.P999 }},
	{key: "throughput", label: "throughput", unit: "ops/s", higherIsBetter: true,
		ofRepeat: func(r metrics.Repeat) float64 { return r.Throughput },
		// A window is one second: its completions are its throughput.
		ofWindow: func(w metrics.Window) (float64, bool) { return float64(w.Completed), true }},
	{key: "error_rate", label: "error rate", unit: "%", rate: true,
		ofRepeat: func(r metrics.Repeat) float64 { return r.ErrorRate * 100 },
		ofWindow: func(w metrics.Window) (float64, bool) {
			return share(w.Partial+w.Failed, w.Completed), w.Completed > 0
		},
		ofDelivery: func(d metrics.RepeatDelivery) float64 { return d.ErrorRate * 100 }},
	{key: "partial_rate", label: "partial rate", unit: "%", rate: true,
		ofRepeat:   func(r metrics.Repeat) float64 { return r.PartialRate * 100 },
		ofWindow:   func(w metrics.Window) (float64, bool) { return share(w.Partial, w.Completed), w.Completed > 0 },
		ofDelivery: func(d metrics.RepeatDelivery) float64 { return d.PartialRate * 100 }},
	{key: "harness_overhead_p99", label: "harness overhead p99", unit: "ms", optional: true,
		ofRepeat: func(r metrics.Repeat) float64 { return r.HarnessOverheadP99MS }},
	{key: "cpu_per_1000_ops", label: "CPU per 1,000 ops", unit: "ms", optional: true,
		ofRepeat: func(r metrics.Repeat) float64 { return r.CPUMsPer1000Ops }},
}

// share is n of total, in percent.
func share(n, total uint64) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) * 100 / float64(total)
}

// labelFor names metric key of strategy s for people: "delivery p99" and
// "delivered error rate" for a strategy judged by its delivery.
func labelFor(s StrategyComparison, key string) string {
	m, ok := metricByKey(key)
	if !ok {
		return key
	}
	if s.JudgedBy != JudgedByDelivery || m.ofDelivery == nil {
		return m.label
	}
	if m.rate {
		return "delivered " + m.label
	}
	return "delivery " + m.label
}

// metricByKey finds a metric by its key; "p999" is accepted for "p99.9".
func metricByKey(key string) (metric, bool) {
	if key == "p999" {
		key = "p99.9"
	}
	for _, m := range allMetrics {
		if m.key == key {
			return m, true
		}
	}
	return metric{}, false
}

// MetricKeys lists the keys of the metrics compared, in the order shown:
// the names tolerances use.
func MetricKeys() []string {
	keys := make([]string, len(allMetrics))
	for i, m := range allMetrics {
		keys[i] = m.key
	}
	return keys
}
