package loadgen

import (
	"math"
	"testing"
	"time"
)

func mustRamp(t testing.TB, start float64, stages ...Stage) *Ramp {
	t.Helper()
	r, err := NewRamp(start, stages)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRampDue(t *testing.T) {
	t.Parallel()
	s := time.Second
	tests := []struct {
		name   string
		start  float64
		stages []Stage
		n      uint64
		wantAt time.Duration
		wantOK bool
	}{
		// Flat: the same as Constant.
		{"flat first", 10, []Stage{{10 * s, 10}}, 0, 0, true},
		{"flat", 10, []Stage{{10 * s, 10}}, 7, 700 * time.Millisecond, true},
		{"flat last", 10, []Stage{{10 * s, 10}}, 99, 9900 * time.Millisecond, true},
		{"flat end", 10, []Stage{{10 * s, 10}}, 100, 0, false},
		// 0 → 10/s over 10 s: the integral is t²/2, so n is due at √(2n).
		{"up from 0", 0, []Stage{{10 * s, 10}}, 0, 0, true},
		{"up n=2", 0, []Stage{{10 * s, 10}}, 2, 2 * s, true},
		{"up n=8", 0, []Stage{{10 * s, 10}}, 8, 4 * s, true},
		{"up n=32", 0, []Stage{{10 * s, 10}}, 32, 8 * s, true},
		{"up end", 0, []Stage{{10 * s, 10}}, 50, 0, false},
		// 10 → 0 over 10 s: 50 arrivals, the integral is 10t − t²/2.
		{"down n=0", 10, []Stage{{10 * s, 0}}, 0, 0, true},
		{"down n=18", 10, []Stage{{10 * s, 0}}, 18, 2 * s, true},
		{"down n=42", 10, []Stage{{10 * s, 0}}, 42, 6 * s, true},
		{"down n=49", 10, []Stage{{10 * s, 0}}, 49, time.Duration(math.Round((10 - math.Sqrt(2)) * 1e9)), true},
		{"down end", 10, []Stage{{10 * s, 0}}, 50, 0, false},
		// Up, hold, down: 50 + 100 + 50 arrivals.
		{"hold start", 0, []Stage{{10 * s, 10}, {10 * s, 10}, {10 * s, 0}}, 50, 10 * s, true},
		{"hold", 0, []Stage{{10 * s, 10}, {10 * s, 10}, {10 * s, 0}}, 60, 11 * s, true},
		{"down again", 0, []Stage{{10 * s, 10}, {10 * s, 10}, {10 * s, 0}}, 168, 22 * s, true},
		// A stage at rate 0 is a pause: nothing starts during it.
		{"into a pause", 10, []Stage{{s, 10}, {5 * s, 0}, {5 * s, 0}, {2 * s, 10}}, 34, 5 * s, true},
		{"over a pause", 10, []Stage{{s, 10}, {5 * s, 0}, {5 * s, 0}, {2 * s, 10}}, 35, 11 * s, true},
		{"after a pause", 10, []Stage{{s, 10}, {5 * s, 0}, {5 * s, 0}, {2 * s, 10}}, 40, 11*s + time.Duration(math.Sqrt(2)*1e9), true},
		{"after pause", 0, []Stage{{5 * s, 0}, {s, 10}}, 0, 5 * s, true},
		{"after pause n=5", 0, []Stage{{5 * s, 0}, {2 * s, 10}}, 5, 5*s + time.Duration(math.Sqrt(2)*1e9), true},
	}
	for _, tt := range tests {
		r := mustRamp(t, tt.start, tt.stages...)
		at, ok := r.Due(tt.n)
		if ok != tt.wantOK || ok && absDur(at-tt.wantAt) > time.Microsecond {
			t.Errorf("%s: NewRamp(%v, %v).Due(%d) = %v, %v; want %v, %v", tt.name, tt.start, tt.stages, tt.n, at, ok, tt.wantAt, tt.wantOK)
		}
	}
}

func absDur(d time.Duration) time.Duration { return max(d, -d) }

// Properties of every ramp: Due rises with n, stays within the ramp, a flat
// ramp agrees with Constant, and the count is the integral of the rate.
func TestRampProperties(t *testing.T) {
	t.Parallel()
	s := time.Second
	ramps := []struct {
		start  float64
		stages []Stage
		want   uint64 // ⌈integral⌉
	}{
		{0, []Stage{{10 * s, 100}}, 500},
		{100, []Stage{{10 * s, 0}}, 500},
		{3, []Stage{{7 * s, 3}}, 21},
		{0, []Stage{{30 * s, 500}, {60 * s, 500}, {10 * s, 0}}, 7500 + 30000 + 2500},
		{1000, []Stage{{1500 * time.Millisecond, 10}, {s, 0}, {2 * s, 0}, {3 * s, 777}}, 757 + 5 + 1166},
	}
	for _, rt := range ramps {
		r := mustRamp(t, rt.start, rt.stages...)
		if got := Count(r, 1<<24); absDiff(got, rt.want) > 1 {
			t.Errorf("NewRamp(%v, %v) schedules %d operations, want %d ± 1", rt.start, rt.stages, got, rt.want)
		}
		prev := time.Duration(-1)
		for n := uint64(0); ; n++ {
			at, ok := r.Due(n)
			if !ok {
				break
			}
			if at < prev || at >= r.Duration() {
				t.Fatalf("NewRamp(%v, %v).Due(%d) = %v after %v; want rising and before %v", rt.start, rt.stages, n, at, prev, r.Duration())
			}
			prev = at
		}
	}
	c := Constant{Rate: 3, Duration: time.Hour}
	r := mustRamp(t, 3, Stage{time.Hour, 3})
	for n := uint64(0); n < 10_800; n += 37 {
		ca, _ := c.Due(n)
		ra, _ := r.Due(n)
		if absDur(ca-ra) > time.Microsecond {
			t.Fatalf("a flat ramp at 3/s puts operation %d at %v, Constant at %v", n, ra, ca)
		}
	}
}

func absDiff(a, b uint64) uint64 { return max(a, b) - min(a, b) }

func TestNewRampRejects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		start  float64
		stages []Stage
	}{
		{1, nil},
		{-1, []Stage{{time.Second, 1}}},
		{math.Inf(1), []Stage{{time.Second, 1}}},
		{1, []Stage{{0, 1}}},
		{1, []Stage{{time.Second, math.NaN()}}},
		{1, []Stage{{math.MaxInt64, 1}, {1, 1}}},
	} {
		if _, err := NewRamp(tt.start, tt.stages); err == nil {
			t.Errorf("NewRamp(%v, %v) accepted", tt.start, tt.stages)
		}
	}
}

// Poisson: a pure function of (seed, n), in any order of asking; gaps
// average 1/rate; different seeds differ.
func TestPoissonIsPureAndRateIsRight(t *testing.T) {
	t.Parallel()
	const rate, n = 1000, 20_000
	p := NewPoisson(Constant{Rate: rate, Duration: time.Hour}, 7)
	first := make([]time.Duration, n)
	for i := range first {
		at, ok := p.Due(uint64(i))
		if !ok {
			t.Fatalf("Due(%d) ended an hour-long schedule", i)
		}
		if i > 0 && at < first[i-1] {
			t.Fatalf("Due(%d) = %v before Due(%d) = %v", i, at, i-1, first[i-1])
		}
		first[i] = at
	}
	for _, i := range []int{n - 1, 5, 0, 12345, 12344} {
		if at, _ := p.Due(uint64(i)); at != first[i] {
			t.Errorf("Due(%d) asked again = %v, first %v", i, at, first[i])
		}
		fresh := NewPoisson(Constant{Rate: rate, Duration: time.Hour}, 7)
		if at, _ := fresh.Due(uint64(i)); at != first[i] {
			t.Errorf("Due(%d) on a fresh pacer = %v, want %v", i, at, first[i])
		}
	}
	// The sum of n unit exponentials has mean n and standard deviation √n:
	// the last start is n/rate within 5 standard deviations.
	mean := float64(first[n-1]) / 1e9 * rate
	if math.Abs(mean-n) > 5*math.Sqrt(n) {
		t.Errorf("%d Poisson arrivals at %v/s took %v, want about %v s", n, rate, first[n-1], n/rate)
	}
	// Exponential gaps: about e⁻¹ of them are longer than the mean.
	long := 0
	for i := 1; i < n; i++ {
		if first[i]-first[i-1] > time.Second/rate {
			long++
		}
	}
	if share := float64(long) / n; math.Abs(share-math.Exp(-1)) > 0.02 {
		t.Errorf("%.3f of the gaps are longer than the mean, want e⁻¹ ≈ 0.368", share)
	}
	other := NewPoisson(Constant{Rate: rate, Duration: time.Hour}, 8)
	if at, _ := other.Due(100); at == first[100] {
		t.Errorf("seeds 7 and 8 put operation 100 at the same time %v", at)
	}
}

// Poisson along a ramp: the count follows the ramp's integral.
func TestPoissonOnRamp(t *testing.T) {
	t.Parallel()
	r := mustRamp(t, 0, Stage{10 * time.Second, 2000}) // 10,000 expected
	got := Count(NewPoisson(r, 1), 1<<20)
	if math.Abs(float64(got)-10_000) > 5*100 {
		t.Errorf("Poisson along a ramp of 10,000 expected arrivals made %d", got)
	}
	// Half the arrivals come in the last 29% of the time (1 − 1/√2).
	p := NewPoisson(r, 1)
	at, _ := p.Due(got / 2)
	if want := time.Duration(10 * math.Sqrt(0.5) * 1e9); absDur(at-want) > 100*time.Millisecond {
		t.Errorf("the median arrival is at %v, want about %v", at, want)
	}
}

func TestExpGapIsFinite(t *testing.T) {
	t.Parallel()
	for i := range uint64(100_000) {
		if g := ExpGap(3, i); !(g >= 0) || math.IsInf(g, 0) {
			t.Fatalf("ExpGap(3, %d) = %v", i, g)
		}
	}
}

func BenchmarkRampDue(b *testing.B) {
	r := mustRamp(b, 0, Stage{30 * time.Second, 5000}, Stage{time.Hour, 5000}, Stage{30 * time.Second, 0})
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		_, _ = r.Due(i)
	}
}

func BenchmarkPoissonDue(b *testing.B) {
	p := NewPoisson(Constant{Rate: 5000, Duration: 1 << 62}, 1)
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		_, _ = p.Due(i)
	}
}

func TestDueAllocatesNothing(t *testing.T) {
	r := mustRamp(t, 0, Stage{time.Hour, 5000})
	p := NewPoisson(r, 1)
	var n uint64
	if a := testing.AllocsPerRun(1000, func() { _, _ = r.Due(n); _, _ = p.Due(n); n++ }); a != 0 {
		t.Errorf("Due allocates %v times per call, want 0", a)
	}
}
