package stats

import (
	"math"
	"testing"
)

// TestUTestAgainstSciPy checks the U test (benchmath's) against
// scipy.stats.mannwhitneyu 1.10.1, two-sided, with continuity correction:
// method "exact" for small samples without ties, "asymptotic" past the
// exact limits; small samples with ties against scipy.stats.permutation_test
// of the U statistic over every permutation (the exact test with ties).
func TestUTestAgainstSciPy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"scipy docs example (exact)",
			[]float64{19.0, 22.0, 16.0, 29.0, 24.0},
			[]float64{20.0, 11.0, 17.0, 12.0},
			0.1111111111111111},
		{"5 against 5, apart (exact)",
			[]float64{1.0, 2.0, 3.0, 4.0, 5.0},
			[]float64{6.0, 7.0, 8.0, 9.0, 10.0},
			0.007936507936507936},
		{"4 against 4, apart (exact)",
			[]float64{10.5, 10.6, 10.7, 10.8},
			[]float64{11.5, 11.6, 11.7, 11.8},
			0.02857142857142857},
		{"3 against 3, apart (exact)",
			[]float64{1.0, 2.0, 3.0},
			[]float64{4.0, 5.0, 6.0},
			0.1},
		{"2 against 2, apart (exact)",
			[]float64{1.0, 2.0},
			[]float64{3.0, 4.0},
			0.3333333333333333},
		{"6 against 7, interleaved (exact)",
			[]float64{301.2, 302.5, 299.8, 305.1, 300.4, 303.3},
			[]float64{304.0, 306.2, 302.9, 307.7, 305.5, 308.1, 303.9},
			0.013986013986013986},
		{"60 against 60, normal approximation (asymptotic)",
			[]float64{100.006, 101.494, 98.629, 95.547, 97.727, 95.042, 100.301, 106.701, 97.539, 96.898, 102.449, 101.784, 100.527, 95.348, 99.854, 103.477, 93.279, 97.712, 90.494, 93.552, 90.791, 98.825, 93.663, 101.356, 100.784, 99.065, 87.416, 97.307, 99.757, 100.567, 92.349, 97.611, 95.107, 95.956, 105.304, 95.962, 99.837, 104.422, 97.082, 99.441, 100.552, 100.319, 93.875, 100.381, 106.794, 92.264, 104.297, 100.597, 96.793, 110.002, 103.811, 94.004, 100.373, 102.883, 99.056, 103.415, 99.667, 103.336, 107.193, 96.622},
			[]float64{104.016, 100.683, 103.636, 97.064, 100.103, 102.019, 107.494, 108.726, 96.382, 99.027, 106.235, 93.038, 100.684, 102.514, 109.285, 106.447, 101.364, 101.157, 101.749, 110.618, 100.86, 101.482, 104.763, 102.396, 102.014, 97.43, 102.942, 100.782, 108.831, 106.265, 102.879, 106.342, 101.301, 108.261, 102.973, 105.917, 96.546, 104.733, 94.559, 92.823, 101.478, 98.5, 103.82, 114.224, 98.841, 99.88, 104.027, 105.465, 102.118, 101.97, 106.512, 105.6, 97.832, 102.604, 103.176, 97.728, 104.299, 98.71, 107.86, 103.964},
			1.2157704742309071e-05},
		{"30 against 30 with ties, normal approximation (asymptotic)",
			[]float64{50.0, 49.0, 50.0, 46.0, 48.0, 51.0, 46.0, 52.0, 47.0, 52.0, 48.0, 52.0, 50.0, 47.0, 52.0, 53.0, 50.0, 49.0, 50.0, 48.0, 52.0, 49.0, 50.0, 48.0, 49.0, 47.0, 53.0, 50.0, 52.0, 50.0},
			[]float64{50.0, 50.0, 50.0, 51.0, 50.0, 50.0, 48.0, 49.0, 54.0, 50.0, 49.0, 52.0, 54.0, 48.0, 51.0, 50.0, 47.0, 52.0, 51.0, 51.0, 49.0, 52.0, 50.0, 51.0, 49.0, 49.0, 54.0, 50.0, 52.0, 51.0},
			0.15746081559581682},
		{"5 against 5 with ties (exact permutation)",
			[]float64{1, 2, 2, 3, 3},
			[]float64{3, 4, 4, 5, 5},
			0.023809523809523808},
		{"4 against 4, all but one tied (exact permutation)",
			[]float64{0, 0, 0, 0},
			[]float64{0, 0, 0, 0.5},
			1.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := UTestP(tt.x, tt.y, alpha)
			if math.Abs(got-tt.want) > 1e-9*math.Max(1, tt.want) && math.Abs(got-tt.want)/tt.want > 1e-6 {
				t.Errorf("UTestP(%v, %v) = %.12g, want %.12g (scipy)", tt.x, tt.y, got, tt.want)
			}
			if back := UTestP(tt.y, tt.x, alpha); math.Abs(back-got) > 1e-12 {
				t.Errorf("UTestP is not symmetric: %.12g one way, %.12g the other", got, back)
			}
		})
	}
}

func TestUTestEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"all equal", []float64{3, 3, 3}, []float64{3, 3}, 1},
		{"empty side", nil, []float64{1, 2}, 1},
		{"one against one", []float64{1}, []float64{2}, 1},
	}
	for _, tt := range tests {
		if got := UTestP(tt.x, tt.y, alpha); got != tt.want {
			t.Errorf("%s: UTestP(%v, %v) = %v, want %v", tt.name, tt.x, tt.y, got, tt.want)
		}
	}
	x := []float64{3, 1, 2}
	UTestP(x, []float64{5, 4}, alpha)
	if x[0] != 3 || x[1] != 1 {
		t.Errorf("UTestP sorted its input in place: %v", x)
	}
}

func TestMinPAndSamplesNeeded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n1, n2 int
		want   float64
	}{
		{1, 1, 1}, {2, 2, 1.0 / 3}, {3, 3, 0.1}, {4, 4, 2.0 / 70}, {5, 5, 2.0 / 252}, {2, 5, 2.0 / 21}, {0, 5, 1},
	}
	for _, tt := range tests {
		if got := MinP(tt.n1, tt.n2); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("MinP(%d, %d) = %v, want %v", tt.n1, tt.n2, got, tt.want)
		}
		// The bound is what the test itself gives for samples apart.
		if tt.n1 > 0 && tt.n2 > 0 {
			x, y := make([]float64, tt.n1), make([]float64, tt.n2)
			for i := range x {
				x[i] = float64(i)
			}
			for i := range y {
				y[i] = float64(100 + i)
			}
			if got := UTestP(x, y, alpha); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("UTestP of %d against %d values apart = %v, want MinP %v", tt.n1, tt.n2, got, tt.want)
			}
		}
	}
	for _, tt := range []struct {
		alpha float64
		want  int
	}{{0.05, 4}, {0.1, 4}, {0.11, 3}, {0.01, 5}, {0.001, 7}} {
		if got := SamplesNeeded(tt.alpha); got != tt.want {
			t.Errorf("SamplesNeeded(%v) = %d, want %d", tt.alpha, got, tt.want)
		}
	}
}

// alpha is the significance the tests use, as compare.DefaultAlpha.
const alpha = 0.05
