package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// loadScenario writes a one-strategy scenario with the given load block to
// a file and loads it, as fanbench run FILE does.
func loadScenario(t *testing.T, upstreamLatency, load string) *scenarios.Scenario {
	t.Helper()
	src := "name: load-model\nseed: 3\nupstreams: {a: {mock: {latency: " + upstreamLatency + "}}}\n" +
		"operation: {calls: [{upstream: a}]}\nstrategies: [fanout]\n" + load + "\n"
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func runOne(t *testing.T, sc *scenarios.Scenario) metrics.StrategyResult {
	t.Helper()
	res, err := Run(t.Context(), sc, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Strategies) != 1 || res.Interrupted {
		t.Fatalf("Run = %d strategies, interrupted %v", len(res.Strategies), res.Interrupted)
	}
	return res.Strategies[0]
}

// Every load model runs end to end from a scenario file. Counts are exact
// where the schedule fixes them; timing claims are wide.
func TestLoadModelsEndToEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		latency string
		load    string
		check   func(t *testing.T, sr metrics.StrategyResult)
	}{
		{"open constant with warm-up", "1ms", "load: {rate: 100/s, duration: 1s, warmup: 300ms}", func(t *testing.T, sr metrics.StrategyResult) {
			if sr.Operations != 70 || sr.Warmup != 30 || sr.LatencyFrom != "intended_start" {
				t.Errorf("%d measured, %d in the warm-up, latency from %q; want 70, 30, intended_start", sr.Operations, sr.Warmup, sr.LatencyFrom)
			}
		}},
		{"open ramp", "1ms", "load: {stages: [{duration: 500ms, target: 200/s}, {duration: 500ms, target: 200/s}]}", func(t *testing.T, sr metrics.StrategyResult) {
			if sr.Operations != 150 { // 50 on the way up, 100 at the top
				t.Errorf("%d operations, want 150", sr.Operations)
			}
		}},
		{"open poisson, operation count", "1ms", "load: {rate: 200/s, arrivals: poisson, operations: 120}", func(t *testing.T, sr metrics.StrategyResult) {
			if sr.Operations != 120 {
				t.Errorf("%d operations, want 120", sr.Operations)
			}
		}},
		{"open drop at cap", "200ms", "load: {rate: 100/s, duration: 1s, max_in_flight: 5, on_cap: drop}", func(t *testing.T, sr metrics.StrategyResult) {
			// 5 in flight for 200 ms each: about 25/s run, the rest dropped.
			if sr.Operations+sr.Dropped != 100 || sr.Dropped < 50 {
				t.Errorf("%d run + %d dropped; want 100 in all, most dropped", sr.Operations, sr.Dropped)
			}
			if sr.Latency.P99 > 400 {
				t.Errorf("p99 %.1f ms: an operation that ran did not wait for a slot", sr.Latency.P99)
			}
		}},
		{"closed users with think", "10ms", "load: {model: closed, users: 4, think: 40ms, duration: 1s}", func(t *testing.T, sr metrics.StrategyResult) {
			// 4 users, about 50 ms a turn: about 80; wide bounds.
			if sr.Operations < 40 || sr.Operations > 90 || sr.LatencyFrom != "actual_start" {
				t.Errorf("%d operations, latency from %q; want 40 to 90, actual_start", sr.Operations, sr.LatencyFrom)
			}
		}},
		{"closed ramp, operation count", "5ms", "load: {model: closed, stages: [{duration: 500ms, target: 4}, {duration: 1s, target: 4}], think: {dist: uniform, min: 1ms, max: 5ms}, operations: 50}",
			func(t *testing.T, sr metrics.StrategyResult) {
				if sr.Operations != 50 {
					t.Errorf("%d operations, want 50", sr.Operations)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, runOne(t, loadScenario(t, tt.latency, tt.load)))
		})
	}
}

// Operations still in flight when the grace period ends are counted as
// interrupted and not measured.
func TestGraceCutsOffAtTheEnd(t *testing.T) {
	t.Parallel()
	sc := loadScenario(t, "5s", "load: {rate: 20/s, duration: 200ms}")
	res, err := Run(t.Context(), sc, Options{Version: "test", Grace: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Strategies[0]
	if sr.Interrupted != 4 || sr.Operations != 0 {
		t.Errorf("%d interrupted, %d measured; want 4 and 0", sr.Interrupted, sr.Operations)
	}
}

func TestIdleConnsPerHost(t *testing.T) {
	t.Parallel()
	open := func(cap int, calls ...scenarios.Call) *scenarios.Scenario {
		return &scenarios.Scenario{Load: scenarios.LoadSpec{Model: "open", MaxInFlight: cap}, Operation: scenarios.Operation{Calls: calls}}
	}
	tests := []struct {
		name string
		sc   *scenarios.Scenario
		want int
	}{
		{"at least 64", open(10, scenarios.Call{Upstream: "a"}), 64},
		{"the cap times the calls", open(100, scenarios.Call{Upstream: "a"}, scenarios.Call{Upstream: "b"}), 200},
		{"repeats counted", open(20, scenarios.Call{Upstream: "shard", Repeat: 100}), 2000},
		{"closed: the most users", &scenarios.Scenario{Load: scenarios.LoadSpec{Model: scenarios.ModelClosed, Users: 32},
			Operation: scenarios.Operation{Calls: []scenarios.Call{{Upstream: "a"}, {Upstream: "b"}, {Upstream: "c"}}}}, 96},
	}
	for _, tt := range tests {
		if got := idleConnsPerHost(tt.sc); got != tt.want {
			t.Errorf("%s: idleConnsPerHost = %d, want %d", tt.name, got, tt.want)
		}
	}
}
