// Package gcfloor keeps the garbage collector's heap goal at or above a
// floor, so that a process with a small heap is not collected several
// times a second.
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
// connections of a big run hold hundreds of MiB); the floor only lifts the
// goal of small heaps: GOGC is raised so that the goal is the floor when
// twice the live heap is below it, and is 100 otherwise. The live heap is
// read after every collection (polled every 10 ms). A GOGC the user set
// is left alone.
package gcfloor

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Default is the floor fanbench keeps: its heap then stays well inside
// the 64 MiB a 5,000 operations/s run may take, mocks included.
const Default = 32 << 20

// heapMinimum is the runtime's smallest goal at GOGC 100 (defaultHeapMinimum
// in runtime/mgcpacer.go); it scales with GOGC, so GOGC may not pass
// floor / heapMinimum × 100, or a tiny heap's goal would be that minimum,
// above the floor.
const heapMinimum = 4 << 20

// Keep holds the heap goal at floor or above until stop is first called,
// which puts GOGC back to 100. It does nothing when the GOGC environment
// variable is set, or while another Keep is in force (runs of the CLI's
// tests share a process). Meanwhile a goroutine polls for collections.
func Keep(floor uint64) (stop func()) {
	if os.Getenv("GOGC") != "" || floor == 0 || !inForce.CompareAndSwap(false, true) {
		return func() {}
	}
	k := &keeper{floor: floor, samples: []metrics.Sample{{Name: liveHeap}, {Name: stackScan}, {Name: globalsScan}}}
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
)

type keeper struct {
	floor   uint64
	samples []metrics.Sample
	percent int
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
	cycles := []metrics.Sample{{Name: gcCycles}}
	metrics.Read(cycles)
	last := cycles[0].Value.Uint64()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		metrics.Read(cycles)
		if n := cycles[0].Value.Uint64(); n != last {
			last = n
			k.adjust()
		}
	}
}

// adjust sets GOGC from the live heap of the last collection.
func (k *keeper) adjust() {
	metrics.Read(k.samples)
	p := percentFor(k.floor, k.samples[0].Value.Uint64(), k.samples[1].Value.Uint64()+k.samples[2].Value.Uint64())
	if p != k.percent {
		debug.SetGCPercent(p)
		k.percent = p
	}
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
