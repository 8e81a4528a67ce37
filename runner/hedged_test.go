package runner

import (
	"math"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

// heavyTail answers in 20–30 ms, except one request in 20, which takes
// 600 ms. The scale is far above what a loaded 2-core VM adds to a timer
// (milliseconds), so the hedging, not the machine, decides the tail.
func heavyTail() *mockupstream.Config {
	ms := func(n int) units.Duration { return units.Duration(time.Duration(n) * time.Millisecond) }
	return &mockupstream.Config{Latency: draws.Latency{Components: []draws.Component{
		{Weight: 0.95, Latency: draws.Latency{Dist: draws.DistUniform, Min: ms(20), Max: ms(30)}},
		{Weight: 0.05, Latency: draws.Latency{Dist: draws.DistFixed, Value: ms(600)}},
	}}}
}

// The "done when": on a heavy-tailed upstream, hedging cuts the
// p99 that fan-out suffers, at a cost the amplification shows: one extra
// request per hedge. The paired draws say which calls are slow, so the
// counts have exact lower bounds; timing only adds hedges (a fast answer
// delayed past 150 ms on a very busy machine). Not parallel: the
// package's other runs, on the same cores, would add their noise.
func TestHedgingCutsTheTail(t *testing.T) {
	// 300 operations (operation numbers 0–299, whose draws are checked
	// below), at 200/s in 1.5 s rather than 150/s in 2 s: the same draws
	// in three quarters of the time.
	const seed, rate, hedgeAfter = 20, 200, 150 * time.Millisecond
	sc := &scenarios.Scenario{
		Name: "heavy-tail",
		Seed: seed,
		Upstreams: scenarios.Upstreams{
			{Name: "profile", Mock: heavyTail()},
			{Name: "audit", Mock: heavyTail()},
		},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "profile", Method: "PUT", Path: "/users/{{.Seq}}", Critical: true},
			{Upstream: "audit", Method: "POST", Path: "/log"},
		}},
		Strategies: []scenarios.Strategy{
			{Name: "fanout"},
			{Name: "hedged", Options: &strategies.HedgeOptions{HedgeDelay: strategies.HedgeDelay{Fixed: hedgeAfter}}},
			{Name: "hedged", Label: "hedged-p90", Options: &strategies.HedgeOptions{HedgeDelay: strategies.HedgeDelay{Quantile: 0.9}}},
		},
		Load: scenarios.LoadSpec{Model: "open", Rate: rate, Duration: units.Duration(1500 * time.Millisecond), MaxInFlight: 400},
	}
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fanout, fixed, p90 := strategyByName(t, res, "fanout"), strategyByName(t, res, "hedged"), strategyByName(t, res, "hedged-p90")

	// What the draws predict for the fixed delay: every slow primary is
	// hedged; its hedge wins when the hedge's own draw is fast; an
	// operation stays slow only when some call's two draws are both slow.
	ops := fixed.Operations
	var slowPrimaries, rescued, bothSlowOps, slowOps uint64
	for seq := range ops {
		bothSlow, slow := false, false
		for _, up := range sc.Upstreams {
			b, err := mockupstream.Compile(*up.Mock)
			if err != nil {
				t.Fatal(err)
			}
			d := mockupstream.NewDrawer(seed, up.Name, b)
			primary := d.Draw(seq, 0).Latency > hedgeAfter
			hedge := d.Draw(seq, strategies.HedgeFirstAttempt).Latency > hedgeAfter
			slow = slow || primary
			if primary {
				slowPrimaries++
				if !hedge {
					rescued++
				}
				bothSlow = bothSlow || hedge
			}
		}
		if bothSlow {
			bothSlowOps++
		}
		if slow {
			slowOps++
		}
	}
	if float64(slowOps) < 0.08*float64(ops) || bothSlowOps*250 > ops {
		t.Fatalf("the draws of seed %d give %d of %d operations a slow call and %d a call slow twice; the test needs ≥ 8%% and ≤ 0.4%%: pick another seed",
			seed, slowOps, ops, bothSlowOps)
	}

	for _, s := range []metrics.StrategyResult{fanout, fixed, p90} {
		if s.Operations == 0 || s.Outcomes.OK != s.Operations {
			t.Errorf("%s: %d operations, outcomes %+v; want all ok", s.Name, s.Operations, s.Outcomes)
		}
	}
	if fanout.Latency.P95 < 590 {
		t.Fatalf("fanout p95 = %.1f ms; the draws put more than 5%% of operations at 600 ms", fanout.Latency.P95)
	}
	// The cut, counted rather than read at p99: the operations over 450 ms
	// (a fast call takes 30 ms, a hedge starts at 150). Fan-out has every
	// slow operation of the draws there, hedging only those slow twice
	// (≤ 0.4%). A stall of a saturated machine adds its own to both, so
	// the count, unlike one percentile of 300 operations, leaves hedging
	// well below fan-out through stalls that would move its p99.
	slowFanout, slowFixed := operationsOver(t, fanout, 450*time.Millisecond), operationsOver(t, fixed, 450*time.Millisecond)
	if 2*slowFanout < int64(slowOps) || 2*slowFixed > slowFanout {
		t.Errorf("operations over 450 ms: hedged %d, fanout %d (the draws make %d slow, %d slow twice); want fanout about the draws' and hedged at most half of fanout's",
			slowFixed, slowFanout, slowOps, bothSlowOps)
	}
	// The p90 delay hedges nothing until each upstream has answered 100
	// calls, so it keeps the slow operations of that warm-up (about a third).
	if slowP90 := operationsOver(t, p90, 450*time.Millisecond); 4*slowP90 > 3*slowFanout {
		t.Errorf("operations over 450 ms: hedged-p90 %d, fanout %d; want at most three quarters of fanout's", slowP90, slowFanout)
	}
	if fanout.Amplification.Ratio != 1 {
		t.Errorf("fanout amplification %+v, want exactly 1", fanout.Amplification)
	}

	for _, s := range []metrics.StrategyResult{fixed, p90} {
		var hedges, won, calls, retries uint64
		for _, u := range s.Upstreams {
			hedges, won, calls, retries = hedges+u.Hedges, won+u.HedgesWon, calls+u.Calls, retries+u.Retries
		}
		a := s.Amplification
		// No retries, no compensations: every extra request is a hedge.
		if a.Requests != a.Minimum+hedges || a.Minimum != calls || retries != 0 {
			t.Errorf("%s: amplification %+v with %d hedges of %d calls, %d retries; want requests = calls + hedges, no retries",
				s.Name, a, hedges, calls, retries)
		}
		if rate := float64(hedges) / float64(calls); a.Ratio <= 1 || math.Abs(a.Ratio-(1+rate)) > 1e-9 {
			t.Errorf("%s: amplification ratio %.3f with a hedge rate of %.3f; want 1 < ratio = 1 + hedge rate", s.Name, a.Ratio, rate)
		}
		if won == 0 || won > hedges {
			t.Errorf("%s: %d hedges won of %d sent", s.Name, won, hedges)
		}
		t.Logf("%s: p95 %.1f ms, p99 %.1f ms (fanout %.1f ms, %.1f ms), %d hedges (%.1f%% of %d calls), %d won, amplification %.3f",
			s.Name, s.Latency.P95, s.Latency.P99, fanout.Latency.P95, fanout.Latency.P99, hedges, 100*float64(hedges)/float64(calls), calls, won, a.Ratio)
	}
	var hedges, won uint64
	for _, u := range fixed.Upstreams {
		hedges, won = hedges+u.Hedges, won+u.HedgesWon
	}
	if hedges < slowPrimaries || won < rescued/2 {
		t.Errorf("fixed delay: %d hedges, %d won; the draws have %d slow primaries (all hedged), %d with a fast hedge (nearly all won)",
			hedges, won, slowPrimaries, rescued)
	}
}

// operationsOver counts s's operations with a latency over d, from its
// latency histogram (to its precision).
func operationsOver(t *testing.T, s metrics.StrategyResult, d time.Duration) int64 {
	t.Helper()
	h, err := metrics.DecodeHistogram(s.Histograms["latency"])
	if err != nil {
		t.Fatalf("%s: latency histogram: %v", s.Name, err)
	}
	// The first quantile over d, by bisection: what lies above it is over d.
	lo, hi := 0.0, 100.0 // percentiles
	for range 40 {
		if mid := (lo + hi) / 2; h.Quantile(mid) > d {
			hi = mid
		} else {
			lo = mid
		}
	}
	return int64(math.Round((100 - hi) / 100 * float64(h.Count())))
}
