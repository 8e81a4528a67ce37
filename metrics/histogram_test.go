package metrics

import (
	"testing"
	"time"
)

// Lowest keeps the n lowest values, in the same buckets, or all of them.
func TestHistogramLowest(t *testing.T) {
	h := NewHistogram()
	for _, ms := range []int{5, 1, 3, 3, 9} {
		h.Record(time.Duration(ms) * time.Millisecond)
	}
	for _, c := range []struct {
		n       int64
		count   int64
		highest time.Duration
	}{{0, 0, 0}, {1, 1, time.Millisecond}, {3, 3, 3 * time.Millisecond}, {4, 4, 5 * time.Millisecond}, {5, 5, 9 * time.Millisecond}, {9, 5, 9 * time.Millisecond}} {
		l := h.Lowest(c.n)
		if l.Count() != c.count || c.count > 0 && (l.Quantile(100) < c.highest || l.Quantile(100) > c.highest+c.highest/100) {
			t.Errorf("Lowest(%d): %d values up to %v; want %d up to %v", c.n, l.Count(), l.Quantile(100), c.count, c.highest)
		}
	}
	if h.Count() != 5 {
		t.Errorf("Lowest changed its histogram: %d values", h.Count())
	}
}
