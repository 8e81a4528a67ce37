package runner

import (
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

// A repeated call becomes that many calls, each with its {{.Index}} and
// its ordinal among the calls to its upstream.
func TestBuildCallsRepeat(t *testing.T) {
	t.Parallel()
	sc := &scenarios.Scenario{
		Upstreams: scenarios.Upstreams{{Name: "front", URL: "http://127.0.0.1:1"}, {Name: "leaf", URL: "http://127.0.0.1:2"}},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "front", Method: "GET", Path: "/", Critical: true},
			{Upstream: "leaf", Method: "GET", Path: "/shard/{{.Index}}", Repeat: 4},
			{Upstream: "leaf", Method: "GET", Path: "/extra"},
		}},
	}
	calls, err := buildCalls(sc, map[string]string{"front": "http://127.0.0.1:1", "leaf": "http://127.0.0.1:2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 6 {
		t.Fatalf("%d calls, want 6", len(calls))
	}
	for i, want := range []struct {
		path    string
		ordinal uint32
	}{{"/", 0}, {"/shard/0", 0}, {"/shard/1", 1}, {"/shard/2", 2}, {"/shard/3", 3}, {"/extra", 4}} {
		c := calls[i]
		if got := c.Path.Expand(7); got != want.path || c.Ordinal != want.ordinal || c.Index != i {
			t.Errorf("calls[%d] = path %q ordinal %d index %d; want %q, %d, %d", i, got, c.Ordinal, c.Index, want.path, want.ordinal, i)
		}
		if (c.OrdinalHeader == nil) != (c.Ordinal == 0) {
			t.Errorf("calls[%d]: ordinal %d with header %v", i, c.Ordinal, c.OrdinalHeader)
		}
	}
}

// End to end: 20 copies of a call to one mock draw apart (their ideal is
// the slowest copy's), and waiting for 90% of them gives up the two
// slowest of each operation.
func TestWideFanoutWaitFor(t *testing.T) {
	t.Parallel()
	leaf := mockupstream.Config{Latency: draws.Latency{Dist: draws.DistUniform, Min: units.Duration(time.Millisecond), Max: units.Duration(40 * time.Millisecond)}}
	sc := &scenarios.Scenario{
		Name: "wide", Seed: 3,
		Upstreams: scenarios.Upstreams{{Name: "leaf", Mock: &leaf}},
		Operation: scenarios.Operation{Calls: []scenarios.Call{{Upstream: "leaf", Method: "GET", Path: "/shard/{{.Index}}", Repeat: 20}}},
		Strategies: []scenarios.Strategy{{Name: "fanout"},
			{Name: "fanout", Label: "fanout-90", Options: &strategies.FanoutOptions{WaitFor: strategies.WaitFor{Share: 0.9}}}},
		Load: scenarios.LoadSpec{Model: "open", Rate: 50, Duration: units.Duration(time.Second), MaxInFlight: 100},
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, most := strategyByName(t, res, "fanout"), strategyByName(t, res, "fanout-90")
	// Two calls an operation are still out when 18 have answered; either
	// may answer before its cancellation lands, and is then ok (on a busy
	// machine, an operation may even complete in full).
	if all.GoodEnough != 0 || most.GoodEnough == 0 || most.GivenUpCalls < most.GoodEnough || most.GivenUpCalls > 2*most.GoodEnough {
		t.Errorf("good enough %d/%d, given up %d; want operations good enough with 1 or 2 calls given up each (and none for fanout: %d)",
			most.GoodEnough, most.Operations, most.GivenUpCalls, all.GoodEnough)
	}
	if most.Outcomes.OK != most.Operations {
		t.Errorf("fanout-90 outcomes %+v: a given-up call must fail nothing", most.Outcomes)
	}
	// The copies draw apart: waiting for all 20 waits for the slowest of 20
	// uniform(1, 40 ms) draws, about 38 ms, whatever the machine adds.
	if all.Latency.P50 < 30 {
		t.Errorf("fanout p50 %.1f ms: the 20 copies did not draw apart", all.Latency.P50)
	}
}

// A width sweep runs each width, narrowest first, and predicts the
// fan-out's latency from the leaf's measured at the narrowest; a
// sequential strategy (which sums the calls) gets no prediction.
func TestWidthSweep(t *testing.T) {
	t.Parallel()
	leaf := mockupstream.Config{Latency: draws.Latency{Dist: draws.DistUniform, Min: units.Duration(time.Millisecond), Max: units.Duration(20 * time.Millisecond)}}
	sc := &scenarios.Scenario{
		Name: "widths", Seed: 5,
		Upstreams:  scenarios.Upstreams{{Name: "leaf", Mock: &leaf}},
		Operation:  scenarios.Operation{Calls: []scenarios.Call{{Upstream: "leaf", Method: "GET", Path: "/shard/{{.Index}}", Repeat: 1}}},
		Strategies: []scenarios.Strategy{{Name: "fanout"}, {Name: "sequential"}},
		Load:       scenarios.LoadSpec{Model: "open", Rate: 40, Duration: units.Duration(500 * time.Millisecond), MaxInFlight: 100, Widths: []int{8, 1}},
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fan, seq := strategyByName(t, res, "fanout"), strategyByName(t, res, "sequential")
	for _, s := range []metrics.StrategyResult{fan, seq} {
		if s.Widths == nil || len(s.Widths.Steps) != 2 || s.Widths.Steps[0].Width != 1 || s.Widths.Steps[1].Width != 8 || s.Widths.DetailsAt != 8 {
			t.Fatalf("%s: width sweep %+v, want widths 1 then 8, details at 8", s.Name, s.Widths)
		}
		if got := s.Upstreams[0].Calls; got != 8*s.Operations {
			t.Errorf("%s: %d calls for %d operations at width 8, want 8 each", s.Name, got, s.Operations)
		}
	}
	p := fan.Widths.Steps[1].Predicted
	if p == nil || p.Waits != 8 || !(p.P50 > 10) {
		t.Errorf("fanout at width 8: prediction %+v, want waiting for 8 with a p50 above 10 ms (the slowest of 8 uniform(1, 20 ms))", p)
	}
	// 20 leaf samples cannot place the p99 of the slowest of 8 (the leaf's
	// 99.87th percentile): no prediction rather than the slowest sample.
	if p != nil && (p.P99 != 0 || p.LeafSamples == 0) {
		t.Errorf("fanout at width 8: prediction %+v, want no p99 from 20 leaf samples", p)
	}
	if seq.Widths.Steps[1].Predicted != nil {
		t.Errorf("sequential: a prediction %+v, want none", seq.Widths.Steps[1].Predicted)
	}
}
