package runner

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/schematest"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

// capacityScenario sweeps one mock that serves 1 request at a time in 20 ms,
// the rest queued: it can sustain 50 calls/s, and beyond that its queue,
// and the latency, grow for as long as the step lasts. Low rates keep the
// test light on a busy machine; steps 30/s apart and an SLO of 300 ms keep
// the steps either side of the capacity far from the line, so a stall of
// the machine (over 100 ms under the race detector, with other tests
// beside) cannot fail a step under it.
func capacityScenario(from, to float64) *scenarios.Scenario {
	cfg := mockupstream.Config{Latency: draws.Latency{Value: units.Duration(20 * time.Millisecond)},
		Capacity: mockupstream.Capacity{Concurrency: 1, Queue: 1000}}
	slo, err := scenarios.ParseSLO("p99 < 300ms and error_rate < 1%")
	if err != nil {
		panic(err)
	}
	return &scenarios.Scenario{
		Name:       "capacity",
		Seed:       1,
		Upstreams:  scenarios.Upstreams{{Name: "a", Mock: &cfg}},
		Operation:  scenarios.Operation{Calls: []scenarios.Call{{Upstream: "a", Method: "GET", Path: "/"}}},
		Strategies: []scenarios.Strategy{{Name: "fanout"}},
		Load: scenarios.LoadSpec{Model: "open", MaxInFlight: 100, Warmup: units.Duration(250 * time.Millisecond), Sweep: &scenarios.Sweep{From: units.Rate(from), To: units.Rate(to),
			Step: 30, StepDuration: units.Duration(time.Second), SLO: slo}},
	}
}

// The sweep finds the mock's capacity, 50/s, between two steps. At 40/s a
// call waits for no one (p99 about 20–30 ms); at 70/s the queue grows by
// 20 calls a second, so by the end of a 1.25 s step (warm-up included) a
// call waits about 500 ms and p99 breaks 300 ms: the sustained rate is
// 40/s, the sweep stops at 70/s. Each step warms up for 250 ms: a fresh run's first operations (new
// connections, new workers) are slow, much more so under the race
// detector. About 4 s.
func TestSweepFindsTheCapacity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		from, to  float64
		sustained []float64 // any of these
	}{
		{"from below the capacity", 10, 200, []float64{40}},
		{"first step over it", 80, 200, []float64{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // one after the other: a saturated run beside slows the other
			sc := capacityScenario(tt.from, tt.to)
			if err := sc.Validate(); err != nil {
				t.Fatal(err)
			}
			res, err := Run(t.Context(), sc, Options{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			sw := strategyByName(t, res, "fanout").Sweep
			if sw == nil {
				t.Fatal("no sweep in the result")
			}
			for _, s := range sw.Steps {
				t.Logf("%v/s: %d ops, p50 %.1f, p99 %.1f ms, errors %.2f%%, passed %v %s", s.Rate, s.Operations, s.P50, s.P99, s.ErrorRate*100, s.Passed, s.Broke)
			}
			last := sw.Steps[len(sw.Steps)-1]
			if !containsRate(tt.sustained, sw.SustainedRate) || sw.StoppedAt != sw.SustainedRate+30 && sw.SustainedRate > 0 ||
				last.Passed || last.Rate != sw.StoppedAt || !strings.HasPrefix(last.Broke, "p99 ") {
				t.Errorf("sustained %v/s, stopped at %v/s, last step %+v; want sustained one of %v, stopped 30/s above it by its p99",
					sw.SustainedRate, sw.StoppedAt, last, tt.sustained)
			}
			for _, s := range sw.Steps[:len(sw.Steps)-1] {
				if !s.Passed {
					t.Errorf("step %v/s failed (%s) but the sweep went on", s.Rate, s.Broke)
				}
			}
			want := sw.SustainedRate
			if want == 0 {
				want = tt.from
			}
			if sw.DetailsAt != want || sw.SLO != "p99 < 300ms and error_rate < 1%" || sw.StepDurationS != 1 {
				t.Errorf("details at %v/s, SLO %q, step %v s; want %v/s, the SLO as written, 1 s", sw.DetailsAt, sw.SLO, sw.StepDurationS, want)
			}
			data, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			schematest.Validate(t, data)
		})
	}
}

func containsRate(rates []float64, r float64) bool {
	for _, x := range rates {
		if x == r {
			return true
		}
	}
	return false
}

func TestJudgeStep(t *testing.T) {
	t.Parallel()
	slo, err := scenarios.ParseSLO("p90 < 100ms and error_rate < 5%")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sr     metrics.StrategyResult
		passed bool
		broke  string
		errors float64
	}{
		{"within", metrics.StrategyResult{Operations: 100, ErrorRate: 0.02, Latency: metrics.Summary{P90: 99, P99: 500}}, true, "", 0.02},
		{"slow at its percentile", metrics.StrategyResult{Operations: 100, Latency: metrics.Summary{P90: 100}}, false, "p90 100ms ≥ 100ms", 0},
		{"dropped count as errors", metrics.StrategyResult{Operations: 90, Dropped: 10, Latency: metrics.Summary{P90: 1}}, false, "error rate 10.00% ≥ 5%", 0.1},
		{"nothing measured", metrics.StrategyResult{}, false, "no operation measured", 0},
	}
	for _, tt := range tests {
		got := judgeStep(slo, 100, tt.sr)
		if got.Passed != tt.passed || got.Broke != tt.broke || got.ErrorRate != tt.errors {
			t.Errorf("%s: judgeStep = passed %v, broke %q, error rate %v; want %v, %q, %v",
				tt.name, got.Passed, got.Broke, got.ErrorRate, tt.passed, tt.broke, tt.errors)
		}
	}
}

func TestStepScenarioKeepsTheRestOfTheLoad(t *testing.T) {
	t.Parallel()
	sc := capacityScenario(100, 400)
	sc.Load.Warmup = units.Duration(100 * time.Millisecond)
	step := stepScenario(sc, 250)
	l := step.Load
	if l.Sweep != nil || l.Rate != 250 || l.Duration.D() != time.Second || l.Warmup != sc.Load.Warmup || l.MaxInFlight != 100 {
		t.Errorf("stepScenario(250) load = %+v", l)
	}
	if sc.Load.Sweep == nil || sc.Load.Rate != 0 {
		t.Errorf("stepScenario changed the scenario's own load: %+v", sc.Load)
	}
}
