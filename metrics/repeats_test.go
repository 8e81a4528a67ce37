package metrics

import (
	"math"
	"testing"
	"time"
)

func TestCombineRepeats(t *testing.T) {
	t.Parallel()
	var runs []StrategyResult
	whole := NewRecorder(testLayout)
	for i, n := range []int{1000, 3000, 2000} {
		r := NewRecorder(testLayout)
		fill(r, 0, n)
		fill(whole, 0, n)
		sr, err := r.Summarize("fanout", time.Duration(i+1)*time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		sr.Windows = []Window{{AtS: 0, Started: uint64(n) / 2}, {AtS: 1, Started: uint64(n) / 2}}
		sr.Cost = &Cost{CPUSeconds: 1, PeakGoroutines: 10 * (i + 1), PeakHeapBytes: 100}
		runs = append(runs, sr)
	}
	got, err := CombineRepeats(runs, 7)
	if err != nil {
		t.Fatal(err)
	}
	want, err := whole.Summarize("fanout", 6*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Operations != 6000 || got.Latency != want.Latency {
		t.Errorf("combined: %d operations, latency %+v; want 6000, %+v", got.Operations, got.Latency, want.Latency)
	}
	if got.DurationS != 6 || got.Throughput != 1000 {
		t.Errorf("combined: %v s, %v ops/s; want the durations added up (6 s, 1000 ops/s)", got.DurationS, got.Throughput)
	}
	if len(got.Repeats) != 3 || got.Repeats[1].Operations != 3000 || got.Repeats[2].Seed != 7 || got.Repeats[0].Latency != runs[0].Latency {
		t.Errorf("repeats = %+v, want each run's figures with seed 7", got.Repeats)
	}
	var at []int64
	for _, w := range got.Windows {
		at = append(at, w.AtS)
	}
	if len(at) != 6 || at[0] != 0 || at[2] != 2 || at[5] != 5 {
		t.Errorf("windows at %v, want one run after another: 0..5", at)
	}
	if got.Cost.PeakGoroutines != 30 || got.Cost.PeakHeapBytes != 100 || got.Cost.CPUSeconds != 3 {
		t.Errorf("cost = %+v, want peaks the largest run's (30 goroutines, 100 B) and CPU summed (3 s)", got.Cost)
	}
	if _, err := CombineRepeats(nil, 0); err == nil {
		t.Error("combining no runs: no error")
	}
}

// A run of an async strategy records what it delivered beside its acks;
// a strategy without a queue records no delivery.
func TestRepeatOfDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    StrategyResult
		want *RepeatDelivery
	}{
		{"sync", StrategyResult{Operations: 100, Outcomes: Outcomes{OK: 100}}, nil},
		{"queued", StrategyResult{Operations: 100, Outcomes: Outcomes{OK: 98, Partial: 2},
			Queue: &QueueResult{DeliveredOutcomes: Outcomes{OK: 80, Partial: 5, Failed: 10}, DeliveryLatency: Summary{P50: 310, P99: 900}}},
			&RepeatDelivery{Latency: Summary{P50: 310, P99: 900}, ErrorRate: 0.2, PartialRate: 0.07}},
		{"queued, nothing measured", StrategyResult{Queue: &QueueResult{}}, &RepeatDelivery{}},
	}
	for _, tt := range tests {
		got := RepeatOf(tt.s, 1).Delivery
		switch {
		case (got == nil) != (tt.want == nil):
			t.Errorf("%s: RepeatOf(…).Delivery = %+v, want %+v", tt.name, got, tt.want)
		case got != nil && (got.Latency != tt.want.Latency || math.Abs(got.ErrorRate-tt.want.ErrorRate) > 1e-12 ||
			math.Abs(got.PartialRate-tt.want.PartialRate) > 1e-12):
			t.Errorf("%s: RepeatOf(…).Delivery = %+v, want %+v", tt.name, *got, *tt.want)
		}
	}
}
