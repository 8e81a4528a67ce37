// Package gcfloor keeps the garbage collector's heap goal high enough that
// a process with a small live heap and a steady stream of garbage is not
// collected several times a second, and no higher.
//
// Why: with GOGC=100 the collector runs each time the heap doubles its
// live size. A load generator's live heap can be small (a few MiB at 1,000
// operations/s) while it allocates steadily (net/http: about 15 KB per
// operation of two calls, mock servers included), so it was collected
// 4–5 times a second, and every collection slows the goroutines it drafts
// into marking: the operations that start or end meanwhile carry it in
// their latency. Measured at 1,000 operations/s of fan-out to two mocks,
// 30 s: harness overhead p99 2.0–2.6 ms with 140 collections, 1.0–1.7 ms
// with 34 (GOGC=400).
//
// A fixed higher GOGC would multiply a large heap as well (the 10,000
// connections of a big run hold hundreds of MiB), and a fixed floor makes
// a run that allocates little hold a heap it does not need (the floor was
// once a fixed 32 MiB: most of a 5,000 operations/s run's peak RSS once
// the mocks stopped making garbage). So the goal is lifted to what the
// process allocates in a second on top of its live heap (about one
// collection a second), never above a ceiling, and GOGC is 100 where that
// would set it lower. The live heap is read after every collection and
// the allocation rate every second (both polled every 10 ms). A GOGC the
// user set is left alone.
package gcfloor

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Default is the ceiling fanbench lifts the goal to: its heap then stays
// well inside the 48 MiB a 5,000 operations/s run may take, mocks included.
const Default = 32 << 20

// period is how often, at most, the lifted goal lets the collector run at
// a steady allocation rate; also the window the rate is measured over.
var period = time.Second

// heapMinimum is the runtime's smallest goal at GOGC 100 (defaultHeapMinimum
// in runtime/mgcpacer.go); it scales with GOGC, so GOGC may not pass
// floor / heapMinimum × 100, or a tiny heap's goal would be that minimum,
// above the floor.
const heapMinimum = 4 << 20

// Keep lifts the heap goal to the live heap plus a second's allocations,
// up to ceiling, until stop is first called, which puts GOGC back to 100.
// Until the first second's rate is known the goal is lifted to ceiling. It does nothing when the GOGC environment
// variable is set, or while another Keep is in force (runs of the CLI's
// tests share a process). Meanwhile a goroutine polls for collections.
func Keep(ceiling uint64) (stop func()) {
	if os.Getenv("GOGC") != "" || ceiling == 0 || !inForce.CompareAndSwap(false, true) {
		return func() {}
	}
	k := &keeper{ceiling: ceiling, rate: -1,
		samples: []metrics.Sample{{Name: liveHeap}, {Name: stackScan}, {Name: globalsScan}}}
	k.adjust()
	done := make(chan struct{})
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		k.watch(done)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-watching
			debug.SetGCPercent(100)
			inForce.Store(false)
		})
	}
}

// inForce: a Keep has not been stopped.
var inForce atomic.Bool

// What the pacer sets the goal from (Go 1.21 and later):
// goal = live + (live + stacks + globals) × GOGC/100.
const (
	liveHeap    = "/gc/heap/live:bytes"
	stackScan   = "/gc/scan/stack:bytes"
	globalsScan = "/gc/scan/globals:bytes"
	gcCycles    = "/gc/cycles/total:gc-cycles"
	heapAllocs  = "/gc/heap/allocs:bytes"
)

type keeper struct {
	ceiling uint64
	samples []metrics.Sample
	percent int
	rate    float64 // bytes allocated per second in the last period; -1 before the first
}

// pollEvery is how often the keeper looks for a finished collection. The
// heap grows by well under a MiB in that time at 5,000 operations/s.
const pollEvery = 10 * time.Millisecond

// watch calls adjust after each collection until done is closed: it polls
// the count of collections, cheap to read.
//
// Why not a cleanup on a sentinel object, which runs after the collection
// that finds it unreachable, with no polling? A sentinel allocated while
// the next collection is marking is marked live and survives it, so one
// cycle went by with a GOGC set for a far smaller heap. In the first
// second of a run, where collections come 10 ms apart, that made the goal
// 61 MiB instead of 32 (live heap 6 MiB at GOGC 800), and the run's peak
// RSS 79 MiB where its steady state holds 54.
func (k *keeper) watch(done <-chan struct{}) {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	counters := []metrics.Sample{{Name: gcCycles}, {Name: heapAllocs}}
	metrics.Read(counters)
	last := counters[0].Value.Uint64()
	windowAt, windowAllocs := time.Now(), counters[1].Value.Uint64()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		metrics.Read(counters)
		changed := false
		if n := counters[0].Value.Uint64(); n != last {
			last, changed = n, true
		}
		if now := time.Now(); now.Sub(windowAt) >= period {
			allocs := counters[1].Value.Uint64()
			k.rate = float64(allocs-windowAllocs) / now.Sub(windowAt).Seconds()
			windowAt, windowAllocs, changed = now, allocs, true
		}
		if changed {
			k.adjust()
		}
	}
}

// adjust sets GOGC from the live heap of the last collection and the
// allocation rate.
func (k *keeper) adjust() {
	metrics.Read(k.samples)
	live := k.samples[0].Value.Uint64()
	p := percentFor(liftTo(k.ceiling, live, k.rate), live, k.samples[1].Value.Uint64()+k.samples[2].Value.Uint64())
	if p != k.percent {
		debug.SetGCPercent(p)
		k.percent = p
	}
}

// liftTo is the goal to lift to: the live heap and a period's allocations
// at rate bytes a second, at most ceiling; ceiling while the rate is not
// known (negative).
func liftTo(ceiling, live uint64, rate float64) uint64 {
	if rate < 0 {
		return ceiling
	}
	return min(ceiling, live+uint64(rate*period.Seconds()))
}

// percentFor is the GOGC that sets the goal, live + (live + roots) ×
// GOGC/100 with roots the stacks and globals scanned, to floor when GOGC
// 100 would set it lower, and 100 otherwise. It moves in steps of 10%, so
// that a live heap wobbling by a few bytes does not reset GOGC.
func percentFor(floor, live, roots uint64) int {
	if live == 0 || 2*live+roots >= floor {
		return 100
	}
	p := min((floor-live)*100/(live+roots), floor*100/heapMinimum)
	p -= p % 10
	return int(max(p, 100))
}
