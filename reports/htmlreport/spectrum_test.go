package htmlreport

import (
	"math"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

func TestSpectrumPoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		values   int // latencies evenly up to 200 ms
		wantLast point
		wantMaxN int
	}{
		{"empty", 0, point{}, 0},
		{"one value", 1, point{X: 1, Y: 200}, 1},
		{"ends where the samples run out", 200, point{X: 200, Y: 200}, 200},
		{"ends at p99.999", 200_000, point{X: 1e5, Y: 200}, 250},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := metrics.NewHistogram()
			for i := 1; i <= tt.values; i++ {
				h.Record(time.Duration(i) * 200 * time.Millisecond / time.Duration(tt.values))
			}
			pts := spectrumPoints(h)
			if tt.values == 0 {
				if pts != nil {
					t.Errorf("spectrum of an empty histogram = %v, want nil", pts)
				}
				return
			}
			if len(pts) > tt.wantMaxN {
				t.Errorf("%d points, want at most %d", len(pts), tt.wantMaxN)
			}
			if pts[0].X != 1 {
				t.Errorf("first x = %v, want 1 (p0)", pts[0].X)
			}
			last := pts[len(pts)-1]
			if last.X != tt.wantLast.X || math.Abs(last.Y-tt.wantLast.Y)/tt.wantLast.Y > 0.01 {
				t.Errorf("last point = %v, want %v (the maximum, within 1%%)", last, tt.wantLast)
			}
			for i := 1; i < len(pts); i++ {
				if pts[i].X <= pts[i-1].X || pts[i].Y < pts[i-1].Y {
					t.Fatalf("points %d and %d go back: %v, %v", i-1, i, pts[i-1], pts[i])
				}
			}
		})
	}
}

// At x = 10 the spectrum reads p90, at 100 p99.
func TestSpectrumPercentiles(t *testing.T) {
	t.Parallel()
	h := metrics.NewHistogram()
	for i := 1; i <= 10_000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	for _, p := range spectrumPoints(h) {
		for _, want := range []struct{ x, ms float64 }{{10, 9000}, {100, 9900}, {1000, 9990}} {
			if p.X == want.x && math.Abs(p.Y-want.ms)/want.ms > 0.01 {
				t.Errorf("at x %v: %v ms, want %v ms within 1%%", p.X, p.Y, want.ms)
			}
		}
	}
}
