package mockupstream

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

func mustCompile(t testing.TB, c Config) *Behavior {
	t.Helper()
	b, err := Compile(c)
	if err != nil {
		t.Fatalf("Compile(%+v) = %v, want no error", c, err)
	}
	return b
}

func ms(n int) units.Duration { return units.Duration(time.Duration(n) * time.Millisecond) }

func uniformConfig(lo, hi units.Duration) Config {
	return Config{Latency: draws.Latency{Dist: draws.DistUniform, Min: lo, Max: hi}}
}

func TestDrawIsPure(t *testing.T) {
	t.Parallel()
	c := uniformConfig(0, units.Duration(time.Hour))
	c.Errors = map[int]units.Fraction{503: 0.3, 429: 0.2}
	// Two behaviours compiled apart, so no state can be shared between them.
	d1 := NewDrawer(42, "profile", mustCompile(t, c))
	d2 := NewDrawer(42, "profile", mustCompile(t, c))
	for seq := range uint64(1000) {
		for attempt := range uint32(3) {
			a, b := d1.Draw(seq, attempt), d1.Draw(seq, attempt)
			if a != b {
				t.Fatalf("Draw(%d, %d) twice = %+v then %+v, want equal", seq, attempt, a, b)
			}
			if c := d2.Draw(seq, attempt); a != c {
				t.Fatalf("Draw(%d, %d) = %+v from one drawer and %+v from another, want equal", seq, attempt, a, c)
			}
		}
	}
}

func TestDrawChangesWithEveryCoordinate(t *testing.T) {
	t.Parallel()
	// Over an hour of uniform latency, two independent draws are equal with
	// probability about 1/3.6e12: any equality below is a broken hash.
	b := mustCompile(t, uniformConfig(0, units.Duration(time.Hour)))
	type coords struct {
		seed     uint64
		upstream string
		seq      uint64
		attempt  uint32
	}
	base := coords{42, "profile", 7, 0}
	tests := []struct {
		name string
		c    coords
	}{
		{"seed", coords{43, "profile", 7, 0}},
		{"seed 0", coords{0, "profile", 7, 0}},
		{"upstream", coords{42, "audit", 7, 0}},
		{"upstream empty", coords{42, "", 7, 0}},
		{"upstream one byte more", coords{42, "profile2", 7, 0}},
		{"seq", coords{42, "profile", 8, 0}},
		{"seq 0", coords{42, "profile", 0, 0}},
		{"attempt", coords{42, "profile", 7, 1}},
		{"seq and attempt swapped", coords{42, "profile", 0, 7}},
	}
	want := NewDrawer(base.seed, base.upstream, b).Draw(base.seq, base.attempt)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := NewDrawer(tt.c.seed, tt.c.upstream, b).Draw(tt.c.seq, tt.c.attempt)
			if got == want {
				t.Errorf("draw of %+v = %+v, the same as the draw of %+v; want a different draw", tt.c, got, base)
			}
		})
	}
}

func TestDrawLatency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		c      Config
		lo, hi time.Duration // every draw in [lo, hi]
	}{
		{"zero config", Config{}, 0, 0},
		{"fixed", Config{Latency: draws.Latency{Value: ms(200)}}, 200 * time.Millisecond, 200 * time.Millisecond},
		{"fixed named", Config{Latency: draws.Latency{Dist: draws.DistFixed, Value: ms(5)}}, 5 * time.Millisecond, 5 * time.Millisecond},
		{"uniform min equals max", uniformConfig(ms(20), ms(20)), 20 * time.Millisecond, 20 * time.Millisecond},
		{"uniform", uniformConfig(ms(10), ms(30)), 10 * time.Millisecond, 30 * time.Millisecond},
		{"uniform huge", uniformConfig(0, units.Duration(math.MaxInt64)), 0, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := NewDrawer(1, "x", mustCompile(t, tt.c))
			for seq := range uint64(10_000) {
				if got := d.Draw(seq, 0); got.Latency < tt.lo || got.Latency > tt.hi || got.Status != http.StatusOK {
					t.Fatalf("Draw(%d, 0) = %+v, want latency in [%v, %v] and status 200", seq, got, tt.lo, tt.hi)
				}
			}
		})
	}
}

func TestDrawNilBehavior(t *testing.T) {
	t.Parallel()
	if got, want := NewDrawer(1, "x", nil).Draw(3, 0), (Draw{Status: http.StatusOK}); got != want {
		t.Errorf("nil behaviour: Draw(3, 0) = %+v, want %+v", got, want)
	}
}

const samples = 100_000

func TestDrawUniformMean(t *testing.T) {
	t.Parallel()
	lo, hi := 10*time.Millisecond, 30*time.Millisecond
	d := NewDrawer(42, "profile", mustCompile(t, uniformConfig(units.Duration(lo), units.Duration(hi))))
	var sum float64
	for seq := range uint64(samples) {
		sum += float64(d.Draw(seq, 0).Latency)
	}
	mean := sum / samples
	want := float64(lo+hi) / 2
	se := float64(hi-lo) / math.Sqrt(12) / math.Sqrt(samples) // sd of a uniform / √n
	if math.Abs(mean-want) > 4*se {
		t.Errorf("mean of %d uniform draws in [%v, %v] = %v, want %v ± %v (4 standard errors)",
			samples, lo, hi, time.Duration(mean), time.Duration(want), time.Duration(4*se))
	}
}

func TestDrawErrorFrequencies(t *testing.T) {
	t.Parallel()
	probs := map[int]float64{429: 0.2, 500: 0.01, 503: 0.05, 599: 0.001, 404: 0}
	c := Config{Errors: map[int]units.Fraction{}}
	ok := 1.0
	for s, p := range probs {
		c.Errors[s] = units.Fraction(p)
		ok -= p
	}
	probs[http.StatusOK] = ok
	d := NewDrawer(42, "profile", mustCompile(t, c))
	counts := map[int]int{}
	for seq := range uint64(samples) {
		counts[d.Draw(seq, 0).Status]++
	}
	for s, p := range probs {
		got := float64(counts[s]) / samples
		se := math.Sqrt(p * (1 - p) / samples)
		if math.Abs(got-p) > 4*se {
			t.Errorf("status %d drawn in %.4f of %d draws, want %.4f ± %.4f (4 standard errors)", s, got, samples, p, 4*se)
		}
	}
	for s, n := range counts {
		if _, ok := probs[s]; !ok {
			t.Errorf("status %d drawn %d times, want never", s, n)
		}
	}
}

func TestDrawCertainFault(t *testing.T) {
	t.Parallel()
	d := NewDrawer(42, "profile", mustCompile(t, Config{Errors: map[int]units.Fraction{500: 0.5, 503: 0.5}}))
	for seq := range uint64(1000) {
		if got := d.Draw(seq, 0).Status; got != 500 && got != 503 {
			t.Fatalf("errors at 100%%: Draw(%d, 0).Status = %d, want 500 or 503", seq, got)
		}
	}
}

// TestDrawUncorrelated is a rough check that the latency and the fault of a
// request, and the draws of neighbouring requests and attempts, are
// independent: each Pearson correlation is within 4/√n of 0.
func TestDrawUncorrelated(t *testing.T) {
	t.Parallel()
	c := uniformConfig(0, ms(1000))
	c.Errors = map[int]units.Fraction{503: 0.5}
	d := NewDrawer(42, "profile", mustCompile(t, c))
	lat := func(seq uint64, attempt uint32) float64 { return float64(d.Draw(seq, attempt).Latency) }
	fault := func(seq uint64, attempt uint32) float64 {
		if d.Draw(seq, attempt).Status != http.StatusOK {
			return 1
		}
		return 0
	}
	tests := []struct {
		name string
		x, y func(seq uint64) float64
	}{
		{"latency and fault", func(s uint64) float64 { return lat(s, 0) }, func(s uint64) float64 { return fault(s, 0) }},
		{"latency of seq and seq+1", func(s uint64) float64 { return lat(s, 0) }, func(s uint64) float64 { return lat(s+1, 0) }},
		{"latency of attempt 0 and 1", func(s uint64) float64 { return lat(s, 0) }, func(s uint64) float64 { return lat(s, 1) }},
		{"fault of attempt 0 and 1", func(s uint64) float64 { return fault(s, 0) }, func(s uint64) float64 { return fault(s, 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var sx, sy, sxx, syy, sxy float64
			for seq := range uint64(samples) {
				x, y := tt.x(seq), tt.y(seq)
				sx, sy, sxx, syy, sxy = sx+x, sy+y, sxx+x*x, syy+y*y, sxy+x*y
			}
			n := float64(samples)
			r := (n*sxy - sx*sy) / math.Sqrt((n*sxx-sx*sx)*(n*syy-sy*sy))
			if limit := 4 / math.Sqrt(n); math.Abs(r) > limit {
				t.Errorf("correlation of %s over %d draws = %.4f, want within ±%.4f", tt.name, samples, r, limit)
			}
		})
	}
}

// TestDrawGolden pins concrete draws. If it fails, the hash changed: every
// paired run, baseline and result file made before the change now draws
// different upstream behaviour for the same seed. Change these values only
// on purpose, and say so in the release notes.
func TestDrawGolden(t *testing.T) {
	t.Parallel()
	c := uniformConfig(0, units.Duration(time.Second))
	c.Errors = map[int]units.Fraction{429: 0.1, 503: 0.3}
	b := mustCompile(t, c)
	tests := []struct {
		seed     uint64
		upstream string
		seq      uint64
		attempt  uint32
		want     Draw
	}{
		{42, "profile", 0, 0, Draw{Latency: 55807293, Status: 200}},
		{42, "profile", 0, 1, Draw{Latency: 906076523, Status: 503, Fault: FaultStatus}},
		{42, "profile", 2, 0, Draw{Latency: 358242196, Status: 503, Fault: FaultStatus}},
		{42, "profile", 11, 0, Draw{Latency: 251774926, Status: 429, Fault: FaultStatus}},
		{42, "audit", 12, 0, Draw{Latency: 253962255, Status: 200}},
		{7, "audit", 1 << 40, 3, Draw{Latency: 245260263, Status: 200}},
	}
	for _, tt := range tests {
		if got := NewDrawer(tt.seed, tt.upstream, b).Draw(tt.seq, tt.attempt); got != tt.want {
			t.Errorf("NewDrawer(%d, %q, b).Draw(%d, %d) = %#v, want %#v", tt.seed, tt.upstream, tt.seq, tt.attempt, got, tt.want)
		}
	}
}

// TestDrawAllocs is not parallel: AllocsPerRun counts every goroutine's
// allocations.
func TestDrawAllocs(t *testing.T) {
	c := uniformConfig(ms(1), ms(9))
	c.Errors = map[int]units.Fraction{500: 0.1, 503: 0.1}
	d := NewDrawer(42, "profile", mustCompile(t, c))
	var seq uint64
	if n := testing.AllocsPerRun(1000, func() { seq++; _ = d.Draw(seq, 1) }); n != 0 {
		t.Errorf("Draw allocates %v times per call, want 0", n)
	}
}

func BenchmarkDraw(b *testing.B) {
	c := uniformConfig(ms(1), ms(9))
	c.Errors = map[int]units.Fraction{429: 0.05, 500: 0.01, 503: 0.02}
	d := NewDrawer(42, "profile", mustCompile(b, c))
	b.ReportAllocs()
	var sink Draw
	var seq uint64
	for b.Loop() {
		seq++
		sink = d.Draw(seq, 0)
	}
	_ = sink
}

// The copies of a repeated call draw apart by their ordinal, ordinal 0 as
// before; a correlated upstream draws one latency per operation, for every
// copy, retry and hedge, and still draws faults by request.
func TestDrawCallOrdinalAndCorrelation(t *testing.T) {
	t.Parallel()
	c := Config{Latency: draws.Latency{Dist: draws.DistUniform, Min: ms(1), Max: ms(100)}, Errors: map[int]units.Fraction{503: 0.5}}
	d := NewDrawer(7, "leaf", mustCompile(t, c))
	for seq := range uint64(50) {
		if d.DrawCall(0, seq, 0, 2) != d.DrawAt(0, seq, 2) {
			t.Fatalf("seq %d: ordinal 0 draws otherwise than DrawAt", seq)
		}
		seen := map[time.Duration]bool{}
		for o := range uint32(20) {
			seen[d.DrawCall(0, seq, o, 0).Latency] = true
		}
		if len(seen) < 19 {
			t.Fatalf("seq %d: 20 ordinals drew %d latencies, want them apart", seq, len(seen))
		}
	}
	c.Correlated = true
	cd := NewDrawer(7, "leaf", mustCompile(t, c))
	statuses := map[int]int{}
	for seq := range uint64(50) {
		want := cd.DrawCall(0, seq, 0, 0).Latency
		for o := range uint32(20) {
			for _, attempt := range []uint32{0, 1, 100} {
				got := cd.DrawCall(0, seq, o, attempt)
				if got.Latency != want {
					t.Fatalf("correlated: seq %d ordinal %d attempt %d latency %v, want the operation's %v", seq, o, attempt, got.Latency, want)
				}
				statuses[got.Status]++
			}
		}
	}
	if statuses[503] < 1000 || statuses[200] < 1000 {
		t.Errorf("correlated: statuses %v, want about half 503 still drawn by request", statuses)
	}
}
