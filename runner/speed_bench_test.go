package runner

import (
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/gcfloor"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

// BenchmarkHarnessOverhead is the accuracy check of issue 5: 1,000
// operations/s of fanout to two in-process mocks with a fixed 10 ms delay
// for 5 s. The ideal of every operation is 10 ms, so the harness overhead
// (measured − ideal, from the intended start) is what fanbench adds:
// scheduling, the HTTP round trips on loopback, the mock's timer overshoot
// and recording. Targets: p50 ≤ 0.5 ms, p99 ≤ 1.5 ms. One sub-benchmark
// per HTTP client; one iteration is one 5 s run (run it with -benchtime
// 1x); skipped with -short.
func BenchmarkHarnessOverhead(b *testing.B) {
	if testing.Short() {
		b.Skip("a 5 s run; skipped with -short")
	}
	for _, client := range strategies.Clients {
		b.Run(client, func(b *testing.B) { benchmarkHarnessOverhead(b, strategies.Client(client)) })
	}
}

// benchmarkHarnessOverhead is BenchmarkHarnessOverhead through one client.
func benchmarkHarnessOverhead(b *testing.B, client strategies.Client) {
	fixed := mockupstream.Config{Latency: draws.Latency{Value: units.Duration(10 * time.Millisecond)}}
	sc := &scenarios.Scenario{
		Name:      "accuracy",
		Seed:      1,
		Upstreams: scenarios.Upstreams{{Name: "a", Mock: &fixed, Client: client}, {Name: "b", Mock: &fixed, Client: client}},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "a", Method: "GET", Path: "/"}, {Upstream: "b", Method: "GET", Path: "/"}}},
		Strategies: []scenarios.Strategy{{Name: "fanout"}},
		Load: scenarios.LoadSpec{Model: "open", Rate: 1000, Duration: units.Duration(5 * time.Second),
			MaxInFlight: scenarios.DefaultMaxInFlight},
	}
	defer gcfloor.Keep(gcfloor.Default)() // as fanbench run does
	var p50, p99, max, lag float64
	var late, ops uint64
	for b.Loop() {
		res, err := Run(b.Context(), sc, Options{Version: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		s := res.Strategies[0]
		if s.HarnessOverhead == nil || s.HarnessOverhead.Count == 0 {
			b.Fatalf("no harness overhead measured: %+v", s)
		}
		p50, p99, max = s.HarnessOverhead.P50, s.HarnessOverhead.P99, s.HarnessOverhead.Max
		lag, late, ops = s.ScheduleLag.P99, s.LateStarts, s.Operations
	}
	b.ReportMetric(p50, "overhead-p50-ms")
	b.ReportMetric(p99, "overhead-p99-ms")
	b.ReportMetric(max, "overhead-max-ms")
	b.ReportMetric(lag, "lag-p99-ms")
	b.ReportMetric(float64(late), "late-starts")
	b.ReportMetric(float64(ops), "operations")
}
