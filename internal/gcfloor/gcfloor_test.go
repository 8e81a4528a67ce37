package gcfloor

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPercentFor(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	tests := []struct {
		name               string
		floor, live, roots uint64
		want               int
	}{
		{"nothing live yet", 32 * mib, 0, mib, 100},
		{"small heap: goal lifted to the floor", 32 * mib, 8 * mib, 0, 300},
		{"the roots count in the goal", 32 * mib, 7 * mib, mib, 310},
		{"rounded down to 10%", 32 * mib, 6 * mib, 0, 430},
		{"tiny heap: bounded by the runtime's minimum goal", 32 * mib, 512, 0, 800},
		{"tiny heap, a larger floor", 64 * mib, 512, mib, 1600},
		{"small heap, some roots: the roots set it", 64 * mib, 3 * mib, mib, 1520},
		{"GOGC 100 reaches the floor", 32 * mib, 15 * mib, 2 * mib, 100},
		{"large heap: GOGC 100", 32 * mib, 300 * mib, mib, 100},
		{"just under: never below 100", 32 * mib, 16*mib - 1, 0, 100},
	}
	for _, tt := range tests {
		if got := percentFor(tt.floor, tt.live, tt.roots); got != tt.want {
			t.Errorf("%s: percentFor(%d, %d, %d) = %d, want %d", tt.name, tt.floor, tt.live, tt.roots, got, tt.want)
		}
	}
}

// gogc is the collector's current GOGC.
func gogc() int { return int(read("/gc/gogc:percent")) }

func read(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func TestLiftTo(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name                string
		ceiling, live, want uint64
		rate                float64
	}{
		{"rate not known yet: the ceiling", 32 * mib, 4 * mib, 32 * mib, -1},
		{"a second's garbage on the live heap", 32 * mib, 8 * mib, 11 * mib, 3 * mib},
		{"much garbage: at most the ceiling", 32 * mib, 8 * mib, 32 * mib, 100 * mib},
		{"no garbage: the live heap", 32 * mib, 8 * mib, 8 * mib, 0},
	}
	for _, tt := range tests {
		if got := liftTo(tt.ceiling, tt.live, tt.rate); got != tt.want {
			t.Errorf("%s: liftTo(%d, %d, %.0f) = %d, want %d", tt.name, tt.ceiling, tt.live, tt.rate, got, tt.want)
		}
	}
}

// withPeriod sets the rate's window for one test.
func withPeriod(t *testing.T, d time.Duration) {
	old := period
	period = d
	t.Cleanup(func() { period = old })
}

// Until the allocation rate is known, the goal Keep sets is the ceiling,
// within the 10% steps of GOGC.
func TestKeepSetsTheGoalToTheFloor(t *testing.T) {
	t.Setenv("GOGC", "")
	withPeriod(t, time.Hour)
	runtime.GC()
	const floor = 64 << 20
	stop := Keep(floor)
	defer stop()
	// Keep set GOGC from the live heap of the last collection; the one
	// below measures it anew, and the keeper's watcher then sets GOGC
	// (and so the goal) from it, within its polling interval.
	runtime.GC()
	inRange := func(goal uint64) bool { return goal <= floor && goal >= floor*8/10 }
	for deadline := time.Now().Add(10 * time.Second); !inRange(read("/gc/heap/goal:bytes")) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if goal := read("/gc/heap/goal:bytes"); !inRange(goal) {
		t.Errorf("heap goal under Keep(%d MiB) = %.1f MiB, want at most the floor and within 20%% of it", floor>>20, float64(goal)/(1<<20))
	}
}

// The tests below change the process's GOGC: they do not run in parallel.

func TestKeepLiftsASmallHeapAndStopRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	withPeriod(t, time.Hour)
	runtime.GC()
	stop := Keep(1 << 30) // far above this test's heap
	lifted := gogc()
	if lifted <= 100 {
		t.Errorf("GOGC under Keep = %d, want over 100", lifted)
	}
	Keep(1 << 20)() // a second Keep while one is in force does nothing, nor does its stop
	if got := gogc(); got != lifted {
		t.Errorf("GOGC after a second Keep and its stop = %d, want the first's %d", got, lifted)
	}
	stop()
	if got := gogc(); got != 100 {
		t.Errorf("GOGC after stop = %d, want 100", got)
	}
	runtime.GC() // a stopped keeper sets nothing more
	if got := gogc(); got != 100 {
		t.Errorf("GOGC after stop and a collection = %d, want 100", got)
	}
}

func TestKeepLeavesTheUsersGOGC(t *testing.T) {
	t.Setenv("GOGC", "100")
	stop := Keep(1 << 40)
	defer stop()
	if got := gogc(); got != 100 {
		t.Errorf("GOGC = %d with GOGC set in the environment, want it left at 100", got)
	}
}

// After a collection finds the live heap grown past half the floor, GOGC
// comes back to 100: one collection is enough, however soon it follows
// the last.
func TestKeepFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	withPeriod(t, time.Hour)
	const floor = 16 << 20
	runtime.GC()
	stop := Keep(floor)
	defer stop()
	if got := gogc(); got <= 100 {
		t.Fatalf("GOGC under Keep with a small heap = %d, want over 100", got)
	}
	runtime.GC()
	live := make([]byte, floor) // twice the live heap is now over the floor
	runtime.GC()
	for deadline := time.Now().Add(10 * time.Second); gogc() != 100 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if got := gogc(); got != 100 {
		t.Errorf("GOGC with %d MiB live = %d, want 100", len(live)>>20, got)
	}
	runtime.KeepAlive(live)
}

// Once a period has shown how little this test allocates, the goal comes
// down from the ceiling to GOGC 100's.
func TestKeepFollowsTheAllocationRate(t *testing.T) {
	t.Setenv("GOGC", "")
	withPeriod(t, 50*time.Millisecond)
	runtime.GC()
	stop := Keep(1 << 30)
	defer stop()
	if got := gogc(); got <= 100 {
		t.Fatalf("GOGC under Keep before the rate is known = %d, want over 100", got)
	}
	for deadline := time.Now().Add(10 * time.Second); gogc() != 100 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := gogc(); got != 100 {
		t.Errorf("GOGC once an idle test's rate is known = %d, want 100", got)
	}
}

// A second call of stop does nothing: it neither panics nor ends a Keep
// started after the first.
func TestStopTwice(t *testing.T) {
	t.Setenv("GOGC", "")
	withPeriod(t, time.Hour)
	runtime.GC()
	stop := Keep(1 << 30)
	stop()
	next := Keep(1 << 30)
	defer next()
	stop()
	if got := gogc(); got <= 100 {
		t.Errorf("GOGC after the first Keep's second stop = %d, want the second Keep's (over 100)", got)
	}
}
