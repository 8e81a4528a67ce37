package htmlreport

import (
	"math"
	"slices"
	"testing"
)

func series1(ys ...float64) []point {
	pts := make([]point, len(ys))
	for i, y := range ys {
		pts[i] = point{X: float64(i), Y: y}
	}
	return pts
}

func TestLTTB(t *testing.T) {
	t.Parallel()
	spike := make([]float64, 100)
	spike[37] = 50
	dip := make([]float64, 100)
	for i := range dip {
		dip[i] = 10
	}
	dip[81] = -5
	tests := []struct {
		name      string
		data      []point
		threshold int
		want      []point // nil: only check the length and the ends
		mustKeep  []float64
	}{
		{"short enough", series1(1, 2, 3), 5, series1(1, 2, 3), nil},
		{"exactly the threshold", series1(1, 2, 3, 4), 4, series1(1, 2, 3, 4), nil},
		{"threshold below 3 leaves it", series1(1, 2, 3, 4), 2, series1(1, 2, 3, 4), nil},
		{"empty", nil, 10, nil, nil},
		{"keeps the peak of three", series1(0, 1, 9, 1, 0), 3, []point{{0, 0}, {2, 9}, {4, 0}}, nil},
		{"keeps a spike", series1(spike...), 10, nil, []float64{50}},
		{"keeps a dip", series1(dip...), 10, nil, []float64{-5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := lttb(tt.data, tt.threshold)
			if tt.want != nil || len(tt.data) == 0 {
				if !slices.Equal(got, tt.want) {
					t.Errorf("lttb(%v, %d) = %v, want %v", tt.data, tt.threshold, got, tt.want)
				}
				return
			}
			if len(got) != tt.threshold {
				t.Errorf("lttb gave %d points, want %d", len(got), tt.threshold)
			}
			if got[0] != tt.data[0] || got[len(got)-1] != tt.data[len(tt.data)-1] {
				t.Errorf("lttb dropped an end: %v", got)
			}
			for _, y := range tt.mustKeep {
				if !slices.ContainsFunc(got, func(p point) bool { return p.Y == y }) {
					t.Errorf("lttb dropped the extreme %v: %v", y, got)
				}
			}
		})
	}
}

// Downsampled points are a subset of the input, in order.
func TestLTTBSubsetInOrder(t *testing.T) {
	t.Parallel()
	var data []point
	for i := range 10_000 {
		data = append(data, point{X: float64(i), Y: math.Sin(float64(i) / 50)})
	}
	got := lttb(data, maxPoints)
	if len(got) != maxPoints {
		t.Fatalf("len = %d, want %d", len(got), maxPoints)
	}
	for i := 1; i < len(got); i++ {
		if got[i].X <= got[i-1].X {
			t.Fatalf("point %d (x %v) is not after point %d (x %v)", i, got[i].X, i-1, got[i-1].X)
		}
		if got[i] != data[int(got[i].X)] {
			t.Fatalf("point %v is not an input point", got[i])
		}
	}
}
