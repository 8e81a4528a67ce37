package runner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

func mustThresholds(t *testing.T, m map[string][]string) scenarios.Thresholds {
	t.Helper()
	ts := scenarios.Thresholds{}
	for key, texts := range m {
		for _, text := range texts {
			th, err := scenarios.ParseThreshold(text)
			if err != nil {
				t.Fatalf("ParseThreshold(%q): %v", text, err)
			}
			ts[key] = append(ts[key], th)
		}
	}
	return ts
}

// Each threshold is judged against the figure it names, for every
// strategy it applies to, in run order.
func TestJudgeThresholds(t *testing.T) {
	t.Parallel()
	sc := &scenarios.Scenario{Thresholds: mustThresholds(t, map[string][]string{
		"all":      {"p99 < 350ms", "error_rate < 1%"},
		"fanout":   {"throughput > 500/s", "harness_overhead_p99 < 2ms"},
		"pooled":   {"amplification <= 1.5"},
		"pooled-4": {"p99.9 <= 400ms"},
		"hedged":   {"max < 1s"}, // did not run: not judged
	})}
	res := &metrics.Result{Strategies: []metrics.StrategyResult{
		{Name: "sequential", Strategy: "sequential", Operations: 100, Throughput: 20, ErrorRate: 0.02,
			Latency: metrics.Summary{P99: 500}},
		{Name: "fanout", Strategy: "fanout", Operations: 100, Throughput: 600, ErrorRate: 0,
			Latency: metrics.Summary{P99: 300}, HarnessOverhead: &metrics.Summary{P99: 2.5}},
		{Name: "pooled-4", Strategy: "pooled", Operations: 100, Throughput: 600,
			Latency: metrics.Summary{P99: 300, P999: 400}, Amplification: metrics.Amplification{Ratio: 1.2}},
		{Name: "queued", Strategy: "queued", Operations: 0},
	}}
	var got []string
	for _, v := range JudgeThresholds(sc, res) {
		value := v.Note
		if v.Value != nil {
			value = fmt.Sprintf("%g%s", *v.Value, v.Unit)
		}
		got = append(got, fmt.Sprintf("%s %s: %s = %s %v", v.Strategy, v.Key, v.Threshold, value, v.Pass))
	}
	want := []string{
		"sequential all: p99 < 350ms = 500ms false",
		"sequential all: error_rate < 1% = 0.02share false",
		"fanout all: p99 < 350ms = 300ms true",
		"fanout all: error_rate < 1% = 0share true",
		"fanout fanout: throughput > 500/s = 600/s true",
		"fanout fanout: harness_overhead_p99 < 2ms = 2.5ms false",
		"pooled-4 all: p99 < 350ms = 300ms true",
		"pooled-4 all: error_rate < 1% = 0share true",
		"pooled-4 pooled: amplification <= 1.5 = 1.2ratio true",
		"pooled-4 pooled-4: p99.9 <= 400ms = 400ms true",
		"queued all: p99 < 350ms = no operation finished: none was started false",
		"queued all: error_rate < 1% = no operation finished: none was started false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("JudgeThresholds:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	res.Thresholds = JudgeThresholds(sc, res)
	if n := res.FailedThresholds(); n != 5 {
		t.Errorf("FailedThresholds() = %d, want 5", n)
	}
}

// Every metric a threshold may name has a figure in a result.
func TestMeasuredKnowsEveryMetric(t *testing.T) {
	t.Parallel()
	sr := &metrics.StrategyResult{Operations: 1, HarnessOverhead: &metrics.Summary{}}
	for _, m := range scenarios.ThresholdMetrics() {
		if _, note := measured(sr, m); note != "" {
			t.Errorf("measured(%q) = note %q, want a value", m, note)
		}
	}
}

// A scenario without thresholds gets no verdicts.
func TestJudgeNoThresholds(t *testing.T) {
	t.Parallel()
	res := &metrics.Result{Strategies: []metrics.StrategyResult{{Name: "fanout", Operations: 1}}}
	if got := JudgeThresholds(&scenarios.Scenario{}, res); got != nil {
		t.Errorf("JudgeThresholds without thresholds = %v, want nil", got)
	}
}
