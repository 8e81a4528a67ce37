package metrics

import (
	"math"
	"testing"
	"time"
)

// The order statistic's quantiles, against closed forms: the slowest of n
// uniform(0, 100 ms) draws has quantile q at 100 q^(1/n); the median of 3
// (k = 2) has P(X(2) ≤ x) = 3F² − 2F³.
func TestPredictOrder(t *testing.T) {
	t.Parallel()
	leaf := NewHistogram()
	for i := range 100_000 {
		leaf.Record(time.Duration(i+1) * time.Microsecond) // uniform on (0, 100 ms]
	}
	tests := []struct {
		n, k int
		q    float64
		want float64 // ms
	}{
		{1, 1, 0.5, 50},
		{10, 10, 0.5, 100 * math.Pow(0.5, 0.1)},
		{100, 100, 0.99, 100 * math.Pow(0.99, 0.01)},
		{3, 2, 0.5, 50}, // symmetric: the median of 3 has median 50
		{100, 95, 0.5, 0},
	}
	for _, tt := range tests {
		got := PredictOrder(leaf, tt.n, tt.k, tt.q)
		want := tt.want
		if want == 0 { // the 95th of 100 at its median: F near 0.95 − a little
			lo, hi := 93.0, 96.5
			if got < lo || got > hi {
				t.Errorf("PredictOrder(n %d, k %d, q %v) = %.2f ms, want within [%v, %v]", tt.n, tt.k, tt.q, got, lo, hi)
			}
			continue
		}
		if math.Abs(got-want) > 0.01*want+0.1 {
			t.Errorf("PredictOrder(n %d, k %d, q %v) = %.3f ms, want %.3f", tt.n, tt.k, tt.q, got, want)
		}
	}
	if PredictOrder(nil, 1, 1, 0.5) != 0 || PredictOrder(leaf, 2, 3, 0.5) != 0 {
		t.Error("no leaf, or k > n: want 0")
	}
	// 100 samples place the median, but not the p99 of the slowest of 100
	// (the leaf's 99.99th percentile) nor its own p99.9.
	short := NewHistogram()
	for i := range 100 {
		short.Record(time.Duration(i+1) * time.Millisecond)
	}
	if got := PredictOrder(short, 1, 1, 0.5); math.Abs(got-50) > 1 {
		t.Errorf("100 samples, median = %.2f ms, want 50", got)
	}
	for _, c := range []struct {
		n int
		q float64
	}{{100, 0.99}, {1, 0.999}} {
		if got := PredictOrder(short, c.n, c.n, c.q); got != 0 {
			t.Errorf("100 samples, n %d, q %v: predicted %.2f ms from the last few samples, want 0", c.n, c.q, got)
		}
	}
}
