package metrics

import (
	"strings"
	"testing"
)

// The one rule that sizes the generator's lateness against the latencies
// measured: quiet runs say nothing, small lateness on long operations is
// noise, the same lateness on short operations is material.
func TestRunLateness(t *testing.T) {
	t.Parallel()
	strat := func(name string, late, ops uint64, lagP99, lagMax, p50 float64) StrategyResult {
		return StrategyResult{Name: name, LateStarts: late, Operations: ops,
			ScheduleLag: Summary{P99: lagP99, Max: lagMax}, Latency: Summary{P50: p50}}
	}
	tests := []struct {
		name     string
		ss       []StrategyResult
		fell     bool
		material bool
		says     []string
	}{
		{"none late", []StrategyResult{strat("fanout", 0, 100, 0.2, 0.4, 300)}, false, false, nil},
		{"1% is not behind", []StrategyResult{strat("fanout", 1, 100, 3, 5, 300)}, false, false, nil},
		{"3-6 ms late on 300 ms operations", []StrategyResult{strat("sequential", 0, 60, 0.5, 0.8, 500), strat("fanout", 2, 60, 3.8, 6, 300)},
			true, false, []string{"2 of 60 operations (3.3%)", "(fanout)", "up to 6.0 ms, p99 3.8 ms", "under 2% of the p50 latency (300.0 ms)", "too little"}},
		{"the same lateness on 20 ms operations", []StrategyResult{strat("fanout", 2, 60, 3.8, 6, 20)},
			true, true, []string{"19% of the p50 latency (20.0 ms)", "not trustworthy"}},
		{"two strategies: the worst lag, the smallest p50", []StrategyResult{strat("a", 5, 100, 2, 3, 400), strat("b", 9, 100, 30, 40, 250)},
			true, true, []string{"14 of 200", "(a, b)", "p99 30.0 ms", "12% of the p50 latency (250.0 ms)"}},
		{"exactly at the bound", []StrategyResult{strat("a", 5, 100, 5, 5, 100)}, true, false, []string{"under 5%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, fell := RunLateness(tt.ss)
			if fell != tt.fell {
				t.Fatalf("RunLateness fell behind = %v, want %v", fell, tt.fell)
			}
			if !fell {
				return
			}
			if l.Material() != tt.material {
				t.Errorf("Material() = %v, want %v (share %.3f)", l.Material(), tt.material, l.Share())
			}
			for _, s := range tt.says {
				if !strings.Contains(l.String(), s) {
					t.Errorf("%q lacks %q", l.String(), s)
				}
			}
		})
	}
}

// A queued strategy's lateness is weighed against its deliveries, not its
// ack of a few microseconds.
func TestRunLatenessQueuedByDelivery(t *testing.T) {
	t.Parallel()
	s := StrategyResult{Name: "queued", LateStarts: 6, Operations: 300, ScheduleLag: Summary{P99: 1.3, Max: 2.5},
		Latency: Summary{P50: 0.06}, Queue: &QueueResult{DeliveryLatency: Summary{P50: 80}}}
	l, fell := RunLateness([]StrategyResult{s})
	if !fell || l.P50 != 80 || l.Material() {
		t.Errorf("RunLateness = %+v (material %v), want p50 80 ms, not material", l, l.Material())
	}
}
