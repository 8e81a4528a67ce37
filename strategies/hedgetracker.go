package strategies

import (
	"sync/atomic"
	"time"
)

// Sizes of a latencyTracker.
const (
	// trackerWindow is how many recent latencies the quantile is taken
	// over: enough for a p99 (ten values above it), few enough to follow a
	// change of the upstream within a second or two at a few hundred calls
	// a second.
	trackerWindow = 1024
	// trackerWarmup is how many latencies an upstream must have before its
	// quantile exists: below it there is no honest p95, and calls to it are
	// not hedged.
	trackerWarmup = 100
	// trackerEvery is how often, in latencies recorded, the quantile is
	// computed again. One computation copies the window and selects in it
	// (a few microseconds), so its cost per call is a few tens of
	// nanoseconds.
	trackerEvery = 64
)

// latencyTracker follows a quantile of an upstream's recent call
// latencies, for every worker at once without a lock: each record is an
// atomic add and an atomic store into a ring of the last trackerWindow
// latencies; every trackerEvery records, the recording worker that hits
// the multiple copies the ring and selects the quantile, then publishes it
// with an atomic store. A worker that finds another one computing skips
// the computation rather than wait: the next multiple will do it.
type latencyTracker struct {
	quantile float64
	count    atomic.Uint64
	ring     [trackerWindow]atomic.Int64
	// current is the published quantile in nanoseconds, -1 until the
	// tracker has trackerWarmup latencies.
	current atomic.Int64
	// busy is held by the worker computing; scratch is its alone.
	busy    atomic.Bool
	scratch [trackerWindow]int64
}

func newLatencyTracker(quantile float64) *latencyTracker {
	t := &latencyTracker{quantile: quantile}
	t.current.Store(-1)
	return t
}

// record adds one latency. It does not allocate.
func (t *latencyTracker) record(d time.Duration) {
	n := t.count.Add(1)
	t.ring[(n-1)%trackerWindow].Store(int64(d))
	if n < trackerWarmup || (n != trackerWarmup && n%trackerEvery != 0) {
		return
	}
	if !t.busy.CompareAndSwap(false, true) {
		return
	}
	m := int(min(n, trackerWindow))
	v := t.scratch[:m]
	for i := range v {
		v[i] = t.ring[i].Load()
	}
	t.current.Store(nth(v, rankOf(t.quantile, m)))
	t.busy.Store(false)
}

// value returns the quantile, false until the tracker has warmed up.
func (t *latencyTracker) value() (time.Duration, bool) {
	d := t.current.Load()
	if d < 0 {
		return 0, false
	}
	return time.Duration(d), true
}

// rankOf is the 0-based index of quantile q among m sorted values, by the
// nearest-rank definition (the smallest value with at least q·m values at
// or below it): p95 of 1…100 is 95.
func rankOf(q float64, m int) int {
	k := int(q*float64(m)+0.999999999) - 1
	return min(max(k, 0), m-1)
}

// nth reorders v so that v[k] holds the value a sort would put there, and
// returns it: Hoare's selection, linear on average, with a median-of-three
// pivot so that sorted input is not its worst case.
func nth(v []int64, k int) int64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k] // between j and i: equal to the pivot
		}
	}
	return v[k]
}
