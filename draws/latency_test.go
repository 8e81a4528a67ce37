package draws

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/units"
)

// Standard normal quantiles Φ⁻¹(q), from tables, so the expected values
// below do not lean on the code under test.
var zTable = map[float64]float64{
	0.5:   0,
	0.9:   1.2815515655446004,
	0.99:  2.3263478740408408,
	0.999: 3.090232306167813,
}

// Φ is the standard normal distribution function.
func Φ(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// Analytic quantiles, in milliseconds, written out from the textbook
// formulas.
func lognormalQ(median, sigma, q float64) float64 { return median * math.Exp(sigma*zTable[q]) }
func exponentialQ(mean, q float64) float64        { return -mean * math.Log(1-q) }
func paretoQ(scale, shape, q float64) float64     { return scale / math.Pow(1-q, 1/shape) }

// truncNormalQ inverts the distribution function of the normal (mean, sd)
// conditioned on >= 0 by bisection, not by the formula the sampler uses.
func truncNormalQ(mean, sd, q float64) float64 {
	a := Φ(-mean / sd)
	cdf := func(x float64) float64 { return (Φ((x-mean)/sd) - a) / (1 - a) }
	lo, hi := 0.0, mean+40*sd
	for range 200 {
		if mid := (lo + hi) / 2; cdf(mid) > q {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// The distributions the tests below share, one per dist and form.
var (
	latFixed       = Latency{Dist: DistFixed, Value: ms(20)}
	latUniform     = Latency{Dist: DistUniform, Min: ms(10), Max: ms(30)}
	latNormal      = Latency{Dist: DistNormal, Mean: ms(50), Stddev: ms(40)}
	latLognormal   = Latency{Dist: DistLognormal, Median: ms(40), Sigma: 0.5}
	latLognormalPP = Latency{Dist: DistLognormal, P50: ms(40), P99: ms(120)}
	latExponential = Latency{Dist: DistExponential, Mean: ms(50)}
	latPareto      = Latency{Dist: DistPareto, Scale: ms(10), Shape: 4}
	latPercentiles = Latency{P50: ms(40), P90: ms(80), P99: ms(150), P999: ms(250)}
	latMixture     = Latency{Components: []Component{
		{Weight: 0.85, Latency: Latency{Dist: DistUniform, Min: ms(10), Max: ms(20)}},
		{Weight: 0.13, Latency: Latency{Dist: DistUniform, Min: ms(100), Max: ms(200)}},
		{Weight: 0.02, Latency: Latency{Dist: DistMixture, Components: []Component{
			{Weight: 0.3, Latency: Latency{Value: ms(1000)}},
			{Weight: 0.7, Latency: Latency{Value: ms(2000)}},
		}}},
	}}
	latMixtureLN = Latency{Dist: DistMixture, Components: []Component{
		{Weight: 0.95, Latency: Latency{Dist: DistLognormal, Median: ms(20), Sigma: 0.3}},
		{Weight: 0.05, Latency: Latency{Dist: DistUniform, Min: ms(200), Max: ms(400)}},
	}}
)

// everyDist holds a Latency of every dist and form, some capped by max.
var everyDist = []struct {
	name string
	lat  Latency
}{
	{"fixed", latFixed},
	{"uniform", latUniform},
	{"normal", latNormal},
	{"normal/max", Latency{Dist: DistNormal, Mean: ms(50), Stddev: ms(40), Max: ms(100)}},
	{"lognormal", latLognormal},
	{"lognormal/p50_p99", latLognormalPP},
	{"lognormal/max", Latency{Dist: DistLognormal, Median: ms(40), Sigma: 2, Max: ms(500)}},
	{"exponential", latExponential},
	{"exponential/max", Latency{Dist: DistExponential, Mean: ms(50), Max: ms(120)}},
	{"pareto", latPareto},
	{"pareto/heavy", Latency{Dist: DistPareto, Scale: ms(10), Shape: 0.05, Max: ms(60_000)}},
	{"pareto/max", Latency{Dist: DistPareto, Scale: ms(10), Shape: 1.2, Max: ms(300)}},
	{"percentiles", latPercentiles},
	{"percentiles/all", Latency{Dist: DistPercentiles, Min: ms(5), P50: ms(40), P75: ms(60), P90: ms(80),
		P95: ms(100), P99: ms(150), P999: ms(400), P9999: ms(900), Max: ms(2000)}},
	{"mixture", latMixture},
	{"mixture/lognormal", latMixtureLN},
}

func mustQuantile(t *testing.T, l Latency, q float64) time.Duration {
	t.Helper()
	got, err := l.Quantile(q)
	if err != nil {
		t.Fatalf("%+v.Quantile(%v) = %v, want no error", l, q, err)
	}
	return got
}

func TestLatencyQuantile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		lat  Latency
		q    float64
		want float64 // milliseconds
		tol  float64 // relative
	}{
		{"fixed", latFixed, 0.99, 20, 0},
		{"fixed shorthand", Latency{Value: ms(7)}, 0, 7, 0},
		{"uniform p0", latUniform, 0, 10, 0},
		{"uniform p90", latUniform, 0.9, 28, 1e-9},
		{"normal p50", latNormal, 0.5, truncNormalQ(50, 40, 0.5), 1e-8},
		{"normal p99", latNormal, 0.99, truncNormalQ(50, 40, 0.99), 1e-8},
		{"normal p0 is 0", latNormal, 0, 0, 0},
		{"normal far from 0", Latency{Dist: DistNormal, Mean: ms(100), Stddev: ms(10)}, 0.9, 100 + 10*zTable[0.9], 1e-8},
		{"normal max", Latency{Dist: DistNormal, Mean: ms(50), Stddev: ms(40), Max: ms(100)}, 0.99, 100, 0},
		{"lognormal p50", latLognormal, 0.5, 40, 0},
		{"lognormal p99", latLognormal, 0.99, lognormalQ(40, 0.5, 0.99), 1e-9},
		{"lognormal p99.9", latLognormal, 0.999, lognormalQ(40, 0.5, 0.999), 1e-9},
		{"lognormal p0", latLognormal, 0, 0, 0},
		{"lognormal p50 p99: p50", latLognormalPP, 0.5, 40, 0},
		{"lognormal p50 p99: p99", latLognormalPP, 0.99, 120, 0},
		{"lognormal p50 p99: p90", latLognormalPP, 0.9, 40 * math.Pow(3, zTable[0.9]/zTable[0.99]), 1e-9},
		{"lognormal max", Latency{Dist: DistLognormal, Median: ms(40), Sigma: 2, Max: ms(500)}, 0.99, 500, 0},
		{"exponential p50", latExponential, 0.5, exponentialQ(50, 0.5), 1e-9},
		{"exponential p99.9", latExponential, 0.999, exponentialQ(50, 0.999), 1e-9},
		{"exponential max", Latency{Dist: DistExponential, Mean: ms(50), Max: ms(120)}, 0.99, 120, 0},
		{"pareto p0", latPareto, 0, 10, 0},
		{"pareto p99", latPareto, 0.99, paretoQ(10, 4, 0.99), 1e-9},
		{"pareto max", Latency{Dist: DistPareto, Scale: ms(10), Shape: 1.2, Max: ms(300)}, 0.999, 300, 0},
		{"percentiles p50", latPercentiles, 0.5, 40, 0},
		{"percentiles p90", latPercentiles, 0.9, 80, 0},
		{"percentiles p99", latPercentiles, 0.99, 150, 0},
		{"percentiles p99.9", latPercentiles, 0.999, 250, 0},
		{"percentiles default min", latPercentiles, 0, 20, 0},
		{"percentiles below p50, linear", latPercentiles, 0.25, 30, 1e-9},
		{"percentiles between, lognormal", latPercentiles, 0.95,
			80 * math.Exp(math.Log(150.0/80)*(1.6448536269514722-zTable[0.9])/(zTable[0.99]-zTable[0.9])), 1e-9},
		{"percentiles tail, Pareto slope", latPercentiles, 0.9999,
			250 * math.Exp(math.Log(250.0/150)*math.Log(10)/math.Log(10)), 1e-9},
		{"percentiles tail cap", latPercentiles, oneBelow, 2500, 0},
		{"percentiles min", Latency{Min: ms(5), P50: ms(40), P99: ms(300)}, 0, 5, 0},
		{"percentiles max", Latency{P50: ms(40), P99: ms(300), Max: ms(500)}, 0.995, 400, 1e-9},
		{"percentiles p75 p99.99", Latency{Dist: DistPercentiles, P75: ms(60), P9999: ms(900)}, 0.9999, 900, 0},
		{"percentiles table of a lognormal", Latency{P50: ms(40), P99: ms(120)}, 0.9, 40 * math.Pow(3, zTable[0.9]/zTable[0.99]), 1e-9},
		{"mixture p50", latMixture, 0.5, 10 + 10*0.5/0.85, 1e-6},
		{"mixture p90", latMixture, 0.9, 100 + 100*0.05/0.13, 1e-6},
		{"mixture p99 (nested)", latMixture, 0.99, 2000, 0},
		{"mixture p98.2 (nested)", latMixture, 0.982, 1000, 0},
		{"mixture p99, lognormal and uniform", latMixtureLN, 0.99, 360, 1e-6},
		{"mixture of one", Latency{Components: []Component{{Weight: 1, Latency: latExponential}}}, 0.999, exponentialQ(50, 0.999), 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustQuantile(t, tt.lat, tt.q)
			want := time.Duration(math.Round(tt.want * float64(time.Millisecond)))
			if d := math.Abs(float64(got - want)); d > 1 && d > tt.tol*float64(want) {
				t.Errorf("%+v.Quantile(%v) = %v, want %v (± %g)", tt.lat, tt.q, got, want, tt.tol)
			}
		})
	}
}

// TestLatencyQuantileErrors checks that Quantile validates l and q.
func TestLatencyQuantileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		lat  Latency
		q    float64
		want string
	}{
		{"invalid latency", Latency{Dist: DistNormal, Mean: ms(10)}, 0.5, "latency.stddev: "},
		{"q of 1", latExponential, 1, "out of range"},
		{"negative q", latExponential, -0.1, "out of range"},
		{"NaN q", latExponential, math.NaN(), "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.lat.Quantile(tt.q)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%+v.Quantile(%v) = %v, %v; want an error containing %q", tt.lat, tt.q, got, err, tt.want)
			}
		})
	}
}

// TestLatencyStatistics draws 100,000 delays of each distribution the way a
// mock upstream does (NewDrawer, Draw) and compares the empirical p50, p90
// and p99 with the analytic or configured values: within 2%, the bound the
// issue sets. The draws are seeded, so the outcome is fixed; the standard
// error of each empirical quantile is logged, and the parameters are chosen
// so that 2% is at least 2.5 standard errors.
func TestLatencyStatistics(t *testing.T) {
	t.Parallel()
	const n = 100_000
	qs := []float64{0.5, 0.9, 0.99}
	ln := func(median, sigma float64) []float64 {
		return []float64{lognormalQ(median, sigma, 0.5), lognormalQ(median, sigma, 0.9), lognormalQ(median, sigma, 0.99)}
	}
	mixLN := func(q float64) float64 { // 95% lognormal(20ms, 0.3), 5% uniform(200ms, 400ms)
		if q < 0.95 {
			return 20 * math.Exp(0.3*math.Sqrt2*math.Erfinv(2*q/0.95-1))
		}
		return 200 + 200*(q-0.95)/0.05
	}
	tests := []struct {
		name string
		lat  Latency
		want []float64 // p50, p90, p99 in ms
	}{
		{"fixed", latFixed, []float64{20, 20, 20}},
		{"uniform", latUniform, []float64{20, 28, 29.8}},
		{"normal", latNormal, []float64{truncNormalQ(50, 40, 0.5), truncNormalQ(50, 40, 0.9), truncNormalQ(50, 40, 0.99)}},
		{"lognormal", latLognormal, ln(40, 0.5)},
		{"lognormal/p50_p99", latLognormalPP, ln(40, math.Log(3)/zTable[0.99])},
		{"exponential", latExponential, []float64{exponentialQ(50, 0.5), exponentialQ(50, 0.9), exponentialQ(50, 0.99)}},
		{"pareto", Latency{Dist: DistPareto, Scale: ms(10), Shape: 5}, []float64{paretoQ(10, 5, 0.5), paretoQ(10, 5, 0.9), paretoQ(10, 5, 0.99)}},
		{"percentiles", latPercentiles, []float64{40, 80, 150}},
		{"mixture", latMixture, []float64{10 + 10*0.5/0.85, 100 + 100*0.05/0.13, 2000}},
		{"mixture/lognormal", latMixtureLN, []float64{mixLN(0.5), mixLN(0.9), mixLN(0.99)}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newTestDrawer(t, uint64(1000+i), "stats", tt.lat)
			draws := make([]time.Duration, n)
			for seq := range draws {
				draws[seq] = d.draw(uint64(seq))
			}
			slices.Sort(draws)
			for j, q := range qs {
				got := float64(draws[int(q*n)]) / 1e6
				want := tt.want[j]
				// The standard error of the empirical quantile: the slope of the
				// quantile function times sqrt(q(1−q)/n).
				h := 1e-3 * (1 - q)
				slope := float64(mustQuantile(t, tt.lat, q+h)-mustQuantile(t, tt.lat, q-h)) / 1e6 / (2 * h)
				se := slope * math.Sqrt(q*(1-q)/n) / want
				t.Logf("p%g: got %.4gms, want %.4gms (%+.2f%%, standard error %.2f%%)", q*100, got, want, (got/want-1)*100, se*100)
				if math.Abs(got/want-1) > 0.02 {
					t.Errorf("p%g of %d draws of %+v = %.4gms, want %.4gms ± 2%%", q*100, n, tt.lat, got, want)
				}
				if 0.02 < 2.5*se {
					t.Errorf("p%g of %+v: 2%% is only %.1f standard errors; choose lighter parameters", q*100, tt.lat, 0.02/se)
				}
			}
		})
	}
}

// TestMixtureShares checks that each component of a mixture is drawn in
// proportion to its weight, within 4 standard errors, telling the
// components apart by their disjoint ranges.
func TestMixtureShares(t *testing.T) {
	t.Parallel()
	const n = 100_000
	tests := []struct {
		name   string
		lo, hi time.Duration
		weight float64
	}{
		{"components[0]", 10 * time.Millisecond, 20 * time.Millisecond, 0.85},
		{"components[1]", 100 * time.Millisecond, 200 * time.Millisecond, 0.13},
		{"components[2].components[0]", time.Second, time.Second, 0.02 * 0.3},
		{"components[2].components[1]", 2 * time.Second, 2 * time.Second, 0.02 * 0.7},
	}
	d := newTestDrawer(t, 7, "mixture", latMixture)
	counts := make([]int, len(tests))
	for seq := range uint64(n) {
		lat := d.draw(seq)
		found := false
		for i, tt := range tests {
			if lat >= tt.lo && lat <= tt.hi {
				counts[i]++
				found = true
			}
		}
		if !found {
			t.Fatalf("draw(%d) = %v, in no component of %+v", seq, lat, latMixture)
		}
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := float64(counts[i]) / n
			se := math.Sqrt(tt.weight * (1 - tt.weight) / n)
			if math.Abs(got-tt.weight) > 4*se {
				t.Errorf("share of %s in %d draws = %.4f, want %.4f ± %.4f (4 standard errors)", tt.name, n, got, tt.weight, 4*se)
			}
		})
	}
}

// uGrid returns the u's the property tests try: an even grid, the quantiles
// of the percentile points, and values close to 0 and to 1.
func uGrid() []float64 {
	us := []float64{0, 0x1p-53, 1e-12, 1e-6}
	for i := range 20_000 {
		us = append(us, float64(i)/20_000)
	}
	us = append(us, pointQuantiles[:]...)
	for _, e := range []float64{1e-6, 1e-9, 1e-12, 1e-15} {
		us = append(us, 1-e)
	}
	us = append(us, oneBelow)
	slices.Sort(us)
	return slices.Compact(us)
}

// TestSampleProperties checks, on a grid of u, that every distribution
// draws delays that are never negative, never above max, and that never
// fall as u grows. A mixture is monotone within each component's share of
// [0, 1) only, since u picks the component first.
func TestSampleProperties(t *testing.T) {
	t.Parallel()
	us := uGrid()
	for _, tt := range everyDist {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := compileLatency(tt.lat)
			bounds := []float64{1} // the ends of the stretches of u where the delay must rise
			for _, p := range s.parts {
				bounds = append(bounds[:len(bounds)-1], p.hi, 1)
			}
			sup := s.sup()
			prevU, prev := -1.0, time.Duration(-1)
			for _, u := range us {
				got := s.sample(u)
				if got < 0 {
					t.Fatalf("sample(%v) = %v, want >= 0", u, got)
				}
				if tt.lat.Max > 0 && got > tt.lat.Max.D() {
					t.Fatalf("sample(%v) = %v, want <= max %v", u, got, tt.lat.Max)
				}
				if got > sup {
					t.Fatalf("sample(%v) = %v, want <= sup %v", u, got, sup)
				}
				if u >= bounds[0] {
					bounds, prev = bounds[1:], -1
				}
				if got < prev {
					t.Fatalf("sample(%v) = %v < sample(%v) = %v, want non-decreasing", u, got, prevU, prev)
				}
				prevU, prev = u, got
			}
		})
	}
}

// TestSampleMatchesQuantile checks that a draw at u is the distribution's
// quantile at u, so the runner's Quantile and the mock's draws agree.
func TestSampleMatchesQuantile(t *testing.T) {
	t.Parallel()
	for _, tt := range everyDist {
		if tt.lat.EffectiveDist() == DistMixture {
			continue // a mixture's draw at u is not its quantile at u
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := compileLatency(tt.lat)
			for _, u := range []float64{0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, oneBelow} {
				if got, want := s.sample(u), mustQuantile(t, tt.lat, u); got != want {
					t.Errorf("sample(%v) = %v, want Quantile(%v) = %v", u, got, u, want)
				}
			}
		})
	}
}

func TestLatencyValidation(t *testing.T) {
	t.Parallel()
	mix := func(cs ...Component) Latency { return Latency{Dist: DistMixture, Components: cs} }
	fixed := Latency{Value: ms(1)}
	nest := func(l Latency) Latency { return mix(Component{Weight: 1, Latency: l}) }
	tests := []struct {
		name string
		lat  Latency
		want []string // fields blamed, sorted; nil for a valid latency
	}{
		{"zero", Latency{}, nil},
		{"unknown dist", Latency{Dist: "zipf"}, []string{"latency.dist"}},
		{"fixed with min", Latency{Min: ms(1)}, []string{"latency.min"}},
		{"fixed with stddev", Latency{Dist: DistFixed, Value: ms(1), Stddev: ms(1)}, []string{"latency.stddev"}},
		{"negative value", Latency{Value: -ms(1)}, []string{"latency.value"}},
		{"uniform without max", Latency{Dist: DistUniform}, []string{"latency.max"}},
		{"uniform max below min", Latency{Dist: DistUniform, Min: ms(30), Max: ms(10)}, []string{"latency.max"}},
		{"uniform with value", Latency{Dist: DistUniform, Value: ms(1), Max: ms(2)}, []string{"latency.value"}},
		{"uniform negative min", Latency{Dist: DistUniform, Min: -ms(1), Max: ms(2)}, []string{"latency.min"}},
		{"normal empty", Latency{Dist: DistNormal}, []string{"latency.mean", "latency.stddev"}},
		{"normal negative stddev", Latency{Dist: DistNormal, Mean: ms(1), Stddev: -ms(1)}, []string{"latency.stddev"}},
		{"normal with min and sigma", Latency{Dist: DistNormal, Mean: ms(1), Stddev: ms(1), Min: ms(1), Sigma: 1},
			[]string{"latency.min", "latency.sigma"}},
		{"lognormal empty", Latency{Dist: DistLognormal}, []string{"latency.median", "latency.sigma"}},
		{"lognormal no sigma", Latency{Dist: DistLognormal, Median: ms(40)}, []string{"latency.sigma"}},
		{"lognormal NaN sigma", Latency{Dist: DistLognormal, Median: ms(40), Sigma: math.NaN()}, []string{"latency.sigma"}},
		{"lognormal infinite sigma", Latency{Dist: DistLognormal, Median: ms(40), Sigma: math.Inf(1)}, []string{"latency.sigma"}},
		{"lognormal negative sigma", Latency{Dist: DistLognormal, Median: ms(40), Sigma: -1}, []string{"latency.sigma"}},
		{"lognormal p50 only", Latency{Dist: DistLognormal, P50: ms(40)}, []string{"latency.p99"}},
		{"lognormal p99 only", Latency{Dist: DistLognormal, P99: ms(40)}, []string{"latency.p50"}},
		{"lognormal p99 below p50", Latency{Dist: DistLognormal, P50: ms(40), P99: ms(40)}, []string{"latency.p99"}},
		{"lognormal both forms", Latency{Dist: DistLognormal, Median: ms(40), Sigma: 1, P50: ms(40), P99: ms(80)}, []string{"latency"}},
		{"lognormal with p90", Latency{Dist: DistLognormal, P50: ms(40), P90: ms(60), P99: ms(80)}, []string{"latency.p90"}},
		{"exponential empty", Latency{Dist: DistExponential}, []string{"latency.mean"}},
		{"exponential with stddev", Latency{Dist: DistExponential, Mean: ms(1), Stddev: ms(1)}, []string{"latency.stddev"}},
		{"exponential with min", Latency{Dist: DistExponential, Mean: ms(1), Min: ms(1)}, []string{"latency.min"}},
		{"pareto empty", Latency{Dist: DistPareto}, []string{"latency.scale", "latency.shape"}},
		{"pareto zero shape", Latency{Dist: DistPareto, Scale: ms(1)}, []string{"latency.shape"}},
		{"pareto NaN shape", Latency{Dist: DistPareto, Scale: ms(1), Shape: math.NaN()}, []string{"latency.shape"}},
		{"pareto with mean", Latency{Dist: DistPareto, Scale: ms(1), Shape: 2, Mean: ms(1)}, []string{"latency.mean"}},
		{"shape on lognormal", Latency{Dist: DistLognormal, Median: ms(1), Sigma: 1, Shape: 2}, []string{"latency.shape"}},
		{"percentiles empty", Latency{Dist: DistPercentiles}, []string{"latency"}},
		{"percentiles one point", Latency{P99: ms(300)}, []string{"latency"}},
		{"percentiles falling", Latency{P50: ms(40), P90: ms(30), P99: ms(300)}, []string{"latency.p90"}},
		{"percentiles equal", Latency{P50: ms(40), P99: ms(300), P999: ms(300)}, []string{"latency.p99.9"}},
		{"percentiles min above lowest", Latency{P50: ms(40), P99: ms(300), Min: ms(50)}, []string{"latency.min"}},
		{"percentiles max below highest", Latency{P50: ms(40), P99: ms(300), Max: ms(200)}, []string{"latency.max"}},
		{"percentiles negative point", Latency{P50: -ms(40), P90: ms(200), P99: ms(300)}, []string{"latency.p50"}},
		{"percentiles with mean", Latency{P50: ms(40), P99: ms(300), Mean: ms(50)}, []string{"latency.mean"}},
		{"percentiles with value", Latency{P50: ms(40), P99: ms(300), Value: ms(50)}, []string{"latency.value"}},
		{"p99 on fixed", Latency{Dist: DistFixed, P99: ms(1)}, []string{"latency.p99"}},
		{"mixture empty", Latency{Dist: DistMixture}, []string{"latency.components"}},
		{"mixture with value", Latency{Dist: DistMixture, Value: ms(1), Components: []Component{{Weight: 1, Latency: fixed}}},
			[]string{"latency.value"}},
		{"mixture weights short", mix(Component{0.5, fixed}, Component{0.4, fixed}), []string{"latency.components"}},
		{"mixture weights over", mix(Component{0.7, fixed}, Component{0.4, fixed}), []string{"latency.components"}},
		{"mixture weights within 1e-9", mix(Component{0.7, fixed}, Component{0.3 + 1e-10, fixed}), nil},
		{"mixture zero weight", mix(Component{0, fixed}, Component{1, fixed}), nil},
		{"mixture negative weight", mix(Component{-0.5, fixed}, Component{1, fixed}), []string{"latency.components[0].weight"}},
		{"mixture NaN weight", mix(Component{units.Fraction(math.NaN()), fixed}, Component{1, fixed}),
			[]string{"latency.components[0].weight"}},
		{"mixture bad component", mix(Component{0.5, fixed}, Component{0.5, Latency{Dist: DistUniform, Max: ms(1), Stddev: ms(1)}}),
			[]string{"latency.components[1].latency.stddev"}},
		{"mixture nested bad max", mix(Component{0.5, fixed}, Component{0.5, nest(Latency{Dist: DistUniform, Min: ms(2), Max: ms(1)})}),
			[]string{"latency.components[1].latency.components[0].latency.max"}},
		{"mixture 4 deep", nest(nest(nest(nest(fixed)))), nil},
		// Beyond these a draw is no longer a delay: "never" or 0 ms.
		{"pareto shape 1e-300", Latency{Dist: DistPareto, Scale: ms(10), Shape: 1e-300}, []string{"latency.shape"}},
		{"pareto shape 0.5", Latency{Dist: DistPareto, Scale: ms(10), Shape: 0.5}, []string{"latency.shape"}},
		{"pareto shape 0.5 capped", Latency{Dist: DistPareto, Scale: ms(10), Shape: 0.5, Max: ms(2000)}, nil},
		{"pareto shape 1e-300 capped", Latency{Dist: DistPareto, Scale: ms(10), Shape: 1e-300, Max: ms(2000)}, []string{"latency.shape"}},
		{"pareto shape 1000", Latency{Dist: DistPareto, Scale: ms(10), Shape: 1000}, []string{"latency.shape"}},
		{"lognormal sigma 1e308", Latency{Dist: DistLognormal, Median: ms(40), Sigma: 1e308}, []string{"latency.sigma"}},
		{"lognormal sigma 1e308 capped", Latency{Dist: DistLognormal, Median: ms(40), Sigma: 1e308, Max: ms(2000)}, []string{"latency.sigma"}},
		{"lognormal sigma 1e-9", Latency{Dist: DistLognormal, Median: ms(40), Sigma: 1e-9}, []string{"latency.sigma"}},
		{"mixture 5 deep", nest(nest(nest(nest(nest(fixed))))),
			[]string{"latency.components[0].latency.components[0].latency.components[0].latency.components[0].latency.components"}},
		{"every problem at once", mix(
			Component{0.5, Latency{Dist: DistNormal, Value: ms(1)}},
			Component{0.2, Latency{Dist: "gamma"}},
			Component{0.2, Latency{P50: ms(2), P99: ms(1), Max: ms(1)}},
		), []string{
			"latency.components",
			"latency.components[0].latency.mean", "latency.components[0].latency.stddev", "latency.components[0].latency.value",
			"latency.components[1].latency.dist",
			"latency.components[2].latency.max", "latency.components[2].latency.p99",
		}},
	}
	for _, d := range everyDist {
		tests = append(tests, struct {
			name string
			lat  Latency
			want []string
		}{"valid " + d.name, d.lat, nil})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			var msgs []string
			tt.lat.Check("latency", func(field, format string, args ...any) {
				got = append(got, field)
				msgs = append(msgs, field+": "+fmt.Sprintf(format, args...))
			})
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check(%+v) blames %q, want %q\n%s", tt.lat, got, tt.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

// TestLatencyValidationMessages checks that messages name the allowed
// values and the fields that belong.
func TestLatencyValidationMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lat  Latency
		want string
	}{
		{Latency{Dist: "zipf"}, `latency.dist: unknown distribution "zipf"; allowed: fixed, uniform, normal, lognormal, exponential, pareto, percentiles, mixture`},
		{Latency{Dist: DistExponential, Mean: ms(1), Stddev: ms(1)}, "latency.stddev: stddev belongs to dist: normal; dist: exponential takes mean and optionally max"},
		{Latency{Min: ms(1)}, "latency.min: min belongs to dist: uniform, percentiles; dist: fixed takes value"},
		{Latency{Dist: DistNormal, Mean: ms(1)}, "latency.stddev: stddev is required for dist: normal, such as stddev: 20ms"},
		{Latency{Dist: DistPareto, Scale: ms(1), Shape: -1}, "latency.shape: shape is -1; it must be a number above 0, such as shape: 2.5"},
		{Latency{P50: ms(40), P90: ms(30)}, "latency.p90: p90 (30ms) is not above p50 (40ms); the points must rise with the quantile"},
		{Latency{Components: []Component{{Weight: 0.5, Latency: Latency{Value: ms(1)}}}}, "latency.components: the weights add up to 50%; they must add up to 100%"},
		{Latency{Dist: DistPareto, Scale: ms(10), Shape: 1e-300},
			"latency.shape: shape is 1e-300; allowed: 1 to 100 (below 1, p99.99 is over 10,000 times the scale and the mean is infinite; set max to go lower)"},
		{Latency{Dist: DistLognormal, Median: ms(40), Sigma: 1e308},
			"latency.sigma: sigma is 1e+308; allowed: 0.01 to 5 (at 5, p99 is already 110,000 times the median)"},
	}
	for _, tt := range tests {
		var got []string
		tt.lat.Check("latency", func(field, format string, args ...any) {
			got = append(got, field+": "+fmt.Sprintf(format, args...))
		})
		if !slices.Contains(got, tt.want) {
			t.Errorf("Check(%+v) = %q, want it to hold %q", tt.lat, got, tt.want)
		}
	}
}

func TestLatencyEffectiveDist(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lat  Latency
		want string
	}{
		{Latency{}, DistFixed},
		{Latency{Value: ms(1)}, DistFixed},
		{Latency{P50: ms(40), P99: ms(300)}, DistPercentiles},
		{Latency{Dist: DistLognormal, P50: ms(40), P99: ms(300)}, DistLognormal},
		{latMixture, DistMixture},
		{Latency{Dist: "zipf"}, "zipf"},
	}
	for _, tt := range tests {
		if got := tt.lat.EffectiveDist(); got != tt.want {
			t.Errorf("%+v.EffectiveDist() = %q, want %q", tt.lat, got, tt.want)
		}
	}
}

// TestLatencyJSONRoundTrip checks that json.Marshal then json.Unmarshal
// gives back a Latency of each dist unchanged.
func TestLatencyJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range everyDist {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.lat)
			if err != nil {
				t.Fatalf("json.Marshal(%+v) = %v", tt.lat, err)
			}
			var got Latency
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("json.Unmarshal(%s) = %v", b, err)
			}
			if !reflect.DeepEqual(got, tt.lat) {
				t.Errorf("json.Unmarshal(json.Marshal(%+v)) = %+v, want it unchanged (JSON %s)", tt.lat, got, b)
			}
		})
	}
}

func TestLatencyJSONSpelling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Latency
	}{
		{`"200ms"`, Latency{Dist: DistFixed, Value: ms(200)}},
		{`{"p50":"40ms","p99.9":"1s","p99.99":"2s","min":"1ms"}`, Latency{P50: ms(40), P999: ms(1000), P9999: ms(2000), Min: ms(1)}},
		{`{"dist":"lognormal","median":"40ms","sigma":0.5,"max":"1s"}`, Latency{Dist: DistLognormal, Median: ms(40), Sigma: 0.5, Max: ms(1000)}},
		{`{"dist":"pareto","scale":"10ms","shape":2.5}`, Latency{Dist: DistPareto, Scale: ms(10), Shape: 2.5}},
		{`{"components":[{"weight":"95%","latency":"20ms"},{"weight":"5%","latency":{"dist":"uniform","min":"1s","max":"2s"}}]}`,
			Latency{Components: []Component{
				{Weight: 0.95, Latency: Latency{Dist: DistFixed, Value: ms(20)}},
				{Weight: 0.05, Latency: Latency{Dist: DistUniform, Min: ms(1000), Max: ms(2000)}},
			}}},
	}
	for _, tt := range tests {
		var got Latency
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("json.Unmarshal(%s) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// TestSampleAllocs checks that a draw allocates nothing. Not parallel:
// AllocsPerRun counts the allocations of the whole process.
func TestSampleAllocs(t *testing.T) {
	for _, tt := range everyDist {
		s := compileLatency(tt.lat)
		u := 0.0
		if got := testing.AllocsPerRun(1000, func() {
			u += 0.000999
			_ = s.sample(u - math.Floor(u))
		}); got != 0 {
			t.Errorf("%s: sample allocates %v times per call, want 0", tt.name, got)
		}
	}
}

// FuzzLatencyJSON decodes arbitrary JSON into a Latency; whatever validates
// must compile and draw delays that are never negative nor above max.
func FuzzLatencyJSON(f *testing.F) {
	for _, tt := range everyDist {
		b, err := json.Marshal(tt.lat)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, 0.5)
	}
	f.Add([]byte(`"200ms"`), 0.99)
	f.Fuzz(func(t *testing.T, b []byte, u float64) {
		var l Latency
		if json.Unmarshal(b, &l) != nil {
			return
		}
		ok := true
		l.Check("latency", func(string, string, ...any) { ok = false })
		if !ok {
			return
		}
		if !(u >= 0 && u < 1) {
			u = 0.5
		}
		s := compileLatency(l)
		got := s.sample(u)
		if got < 0 || (l.Max > 0 && l.EffectiveDist() != DistMixture && got > l.Max.D()) {
			t.Errorf("%+v: sample(%v) = %v, want in [0, max]", l, u, got)
		}
		if _, err := l.Quantile(u); err != nil {
			t.Errorf("%+v.Quantile(%v) = %v after validation passed", l, u, err)
		}
	})
}

func BenchmarkSample(b *testing.B) {
	for _, tt := range everyDist {
		b.Run(tt.name, func(b *testing.B) {
			s := compileLatency(tt.lat)
			b.ReportAllocs()
			var sink time.Duration
			i := uint64(0)
			for b.Loop() {
				sink += s.sample(Key(i).Uniform(1))
				i++
			}
			_ = sink
		})
	}
}

// testDrawer draws latencies as a mock upstream does: the latency stream of
// attempt 0 of each seq, under one seed and name.
type testDrawer struct {
	key Key
	s   *Sampler
}

func newTestDrawer(t *testing.T, seed uint64, name string, l Latency) testDrawer {
	t.Helper()
	s, err := NewSampler(l)
	if err != nil {
		t.Fatalf("NewSampler(%+v) = %v", l, err)
	}
	return testDrawer{key: NewKey(seed, name), s: s}
}

func (d testDrawer) draw(seq uint64) time.Duration {
	return d.s.Sample(d.key.Request(seq, 0).Uniform(1))
}

func ms(n int) units.Duration { return units.Duration(time.Duration(n) * time.Millisecond) }
