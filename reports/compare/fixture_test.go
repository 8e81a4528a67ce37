package compare

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// scenarioJSON is a scenario as a result file records it; seed and
// duration can be changed without making it another scenario.
func scenarioJSON(seed uint64, duration string, latency string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"name":"seed","seed":%d,"upstreams":[{"name":"profile","mock":{"latency":{"dist":"fixed","value":%q}}},`+
		`{"name":"audit","mock":{"latency":{"dist":"fixed","value":"300ms"}}}],"operation":{"calls":[{"upstream":"profile","method":"PUT","path":"/users/{{.Seq}}","critical":true},`+
		`{"upstream":"audit","method":"POST","path":"/log","critical":false}]},"strategies":[{"name":"sequential"},{"name":"fanout"}],`+
		`"load":{"model":"open","rate":"20/s","duration":%q,"max_in_flight":1000,"on_cap":"wait"}}`, seed, latency, duration))
}

// repeat makes a run's headline figures around a p50 of p50 ms: the other
// percentiles follow it, k varies them a little, as repeats do.
func repeat(seed uint64, p50 float64, k int) metrics.Repeat {
	j := float64(k%5) * 0.2 // 0 … 0.8 ms of noise
	return metrics.Repeat{
		Seed: seed, Operations: 200,
		Latency:              metrics.Summary{Count: 200, P50: p50 + j, P90: p50 + 3 + j, P95: p50 + 4 + j, P99: p50 + 6 + j, P999: p50 + 9 + j, Max: p50 + 10 + j, Mean: p50 + 1},
		Throughput:           20 - j/10,
		ErrorRate:            0.005 * float64(k%2),
		PartialRate:          0.005 * float64(k%2),
		HarnessOverheadP99MS: 1.5 + j,
		CPUMsPer1000Ops:      900 + 10*j,
	}
}

// strategy makes a strategy whose headline figures are those of its
// first repeat and whose Repeats are reps (none when a single run).
func strategy(name string, reps []metrics.Repeat) metrics.StrategyResult {
	r := reps[0]
	s := metrics.StrategyResult{Name: name, Strategy: name, Operations: r.Operations, Throughput: r.Throughput,
		ErrorRate: r.ErrorRate, Latency: r.Latency,
		Outcomes:        metrics.Outcomes{OK: r.Operations - uint64(r.PartialRate*float64(r.Operations)), Partial: uint64(r.PartialRate * float64(r.Operations))},
		HarnessOverhead: &metrics.Summary{P99: r.HarnessOverheadP99MS}, Cost: &metrics.Cost{CPUMsPer1000Ops: r.CPUMsPer1000Ops}}
	if len(reps) > 1 {
		s.Repeats = reps
	}
	return s
}

func result(sc json.RawMessage, ss ...metrics.StrategyResult) *metrics.Result {
	return &metrics.Result{Schema: metrics.Schema, Scenario: sc, Strategies: ss}
}

// repeatsFixture is 5 repeats a side of sequential (unchanged) and fanout,
// whose current p50 moves by fanoutShift ms (and its tail with it).
func repeatsFixture(fanoutShift float64) (base, cur *metrics.Result) {
	var bs, bf, cs, cf []metrics.Repeat
	for k := range 5 {
		bs = append(bs, repeat(42, 500, k))
		cs = append(cs, repeat(42, 500, k+2))
		bf = append(bf, repeat(42, 300, k))
		cf = append(cf, repeat(42, 300+fanoutShift, k+1))
	}
	return result(scenarioJSON(42, "10s", "200ms"), strategy("sequential", bs), strategy("fanout", bf)),
		result(scenarioJSON(42, "10s", "200ms"), strategy("sequential", cs), strategy("fanout", cf))
}

// windows makes n seconds of a run at 20 operations a second, latencies
// around p50 ms; the first and last windows are the partial edges.
func windows(n int, p50 float64, failedEvery int) []metrics.Window {
	ws := make([]metrics.Window, n+1)
	for i := range ws {
		w := metrics.Window{AtS: int64(i), Started: 20, Completed: 20, P50: p50 + float64(i%3)*0.1, P99: p50 + 2 + float64(i%4)*0.1}
		if failedEvery > 0 && i%failedEvery == 0 {
			w.Failed = 1
		}
		switch i {
		case 0:
			w.Completed = 10
		case n:
			w.Started, w.Completed = 0, 10
		}
		ws[i] = w
	}
	return ws
}

func mustCompare(t *testing.T, base, cur []*metrics.Result, o Options) *Comparison {
	t.Helper()
	c, err := Compare(base, cur, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func findMetric(t *testing.T, c *Comparison, strategy, key string) MetricComparison {
	t.Helper()
	for _, s := range c.Strategies {
		if s.Name != strategy {
			continue
		}
		for _, m := range s.Metrics {
			if m.Metric == key {
				return m
			}
		}
	}
	t.Fatalf("no %s %s in the comparison", strategy, key)
	return MetricComparison{}
}

func notesContain(c *Comparison, fragment string) bool {
	for _, n := range c.Notes {
		if strings.Contains(n, fragment) {
			return true
		}
	}
	return false
}
