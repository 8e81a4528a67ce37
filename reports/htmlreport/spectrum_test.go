package htmlreport

import (
	"math"
	"slices"
	"strings"
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

// An async strategy is drawn by its delivery; its ack joins, dotted, only
// when it does not stretch the latency axis.
func TestSpectrumDrawsDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(s *metrics.StrategyResult)
		wantAck  bool
		wantNote string
	}{
		{"an ack 1,000× faster is left out", nil, false, "The ack of queued (what its caller waits, p50 0.013 ms) is left out"},
		{"an ack in range is drawn", func(s *metrics.StrategyResult) {
			s.Histograms["latency"] = s.Histograms["delivery_latency"]
			s.Latency = s.Queue.DeliveryLatency
		}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := everything(t)
			q := &r.Strategies[3]
			if q.Queue == nil {
				t.Fatal("everything.json's fourth strategy is not queued")
			}
			if tt.edit != nil {
				tt.edit(q)
			}
			page := renderPage(t, r)
			_, opts := options(t, page)
			var names []string
			ack := false
			for _, s := range series(opts["chart-spectrum"]) {
				name, _ := s["name"].(string)
				names = append(names, name)
				if name == "queued · ack (caller waits)" {
					ack = dig(s, "lineStyle", "type") == "dotted"
				}
			}
			if !slices.Contains(names, "queued · delivery") || slices.Contains(names, "queued") || slices.Contains(names, "queued · service time") {
				t.Errorf("spectrum series %q: want queued by its delivery, without its ack's own line or service time", names)
			}
			if ack != tt.wantAck {
				t.Errorf("ack drawn dotted: %v, want %v (series %q)", ack, tt.wantAck, names)
			}
			if tt.wantNote != "" && !strings.Contains(page, tt.wantNote) {
				t.Errorf("the spectrum does not say %q", tt.wantNote)
			}
		})
	}
}
