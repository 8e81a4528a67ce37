package runner

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/schematest"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

// tailScenario fans out to two mocks with a uniform 1–10 ms delay: a
// distribution with a tail, so tail amplification is measured.
func tailScenario() *scenarios.Scenario {
	cfg := mockupstream.Config{Latency: draws.Latency{Dist: draws.DistUniform,
		Min: units.Duration(time.Millisecond), Max: units.Duration(10 * time.Millisecond)}}
	return &scenarios.Scenario{
		Name:      "tail",
		Seed:      5,
		Upstreams: scenarios.Upstreams{{Name: "a", Mock: &cfg}, {Name: "b", Mock: &cfg}},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "a", Method: "GET", Path: "/"}, {Upstream: "b", Method: "GET", Path: "/"}}},
		Strategies: []scenarios.Strategy{{Name: "fanout"}},
		Load:       scenarios.LoadSpec{Model: "open", Rate: 200, Duration: units.Duration(1500 * time.Millisecond), MaxInFlight: 50},
	}
}

// A real run's result holds windows that add up to its counts, its cost,
// and tail amplification (its shares depend on the machine's load: only
// their consistency is checked); and it matches the committed JSON Schema.
func TestResultHasWindowsCostAndTail(t *testing.T) {
	t.Parallel()
	res, err := Run(t.Context(), tailScenario(), Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	s := strategyByName(t, res, "fanout")
	var started, completed uint64
	for _, w := range s.Windows {
		started += w.Started
		completed += w.Completed
		if w.Completed > 0 && (w.P50 <= 0 || w.P99 < w.P50 || w.Max < w.P99) {
			t.Errorf("window %d: p50 %.2f, p99 %.2f, max %.2f ms; want 0 < p50 ≤ p99 ≤ max", w.AtS, w.P50, w.P99, w.Max)
		}
	}
	if len(s.Windows) < 2 || started != s.Operations || completed != s.Operations {
		t.Errorf("%d windows with %d started and %d completed; want at least 2, each sum = %d operations",
			len(s.Windows), started, completed, s.Operations)
	}
	c := s.Cost
	if c == nil || c.CPUSeconds <= 0 || c.CPUMsPer1000Ops <= 0 || c.PeakGoroutines <= 0 || c.PeakHeapBytes == 0 ||
		c.PeakOpenConns <= 0 || !c.IncludesMocks {
		t.Errorf("cost = %+v, want CPU, goroutines, heap and connections above 0, mocks included", c)
	}
	ta := s.TailAmplification
	if ta == nil {
		t.Fatal("no tail amplification for mocks with a latency tail")
	}
	if ta.Operations != s.Operations || ta.CallsPerOperation != 2 || math.Abs(ta.Predicted-(1-0.99*0.99)) > 1e-9 ||
		ta.Calls != 2*s.Operations || ta.Slow > ta.Operations || ta.CallsOverP99 > ta.Calls {
		t.Errorf("tail amplification = %+v, want %d operations of 2 calls, predicted 1−0.99², measured a share", ta, s.Operations)
	}
	t.Logf("tail %+v; cost %+v; window 0 %+v", *ta, *c, s.Windows[0])
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
}

// A fixed delay has no tail: no tail amplification.
func TestNoTailForFixedDelays(t *testing.T) {
	t.Parallel()
	sc := tailScenario()
	cfg := mockupstream.Config{Latency: draws.Latency{Value: units.Duration(time.Millisecond)}}
	sc.Upstreams[0].Mock = &cfg
	if got := tailThresholds(sc); got != nil {
		t.Errorf("tailThresholds(a fixed delay) = %v, want nil", got)
	}
	sc.Upstreams[0].Mock, sc.Upstreams[0].URL = nil, "http://127.0.0.1:1"
	if got := tailThresholds(sc); got != nil {
		t.Errorf("tailThresholds(a real upstream) = %v, want nil", got)
	}
}
