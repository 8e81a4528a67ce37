package mockupstream

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// sleeper makes injected delays accurate. A Go timer fires late: when the
// processors are idle the runtime waits for the next timer in whole
// milliseconds (epoll_wait takes a timeout in ms), and these virtual
// machines add about 0.2 ms, so a timer fires 0.2 to 1.2 ms late, 0.5 to
// 0.8 ms in the median at 2,000 requests/s.
//
// A sleeper learns that lateness (an average of the last few dozen
// timers) and sets each timer that much before the deadline; a timer that
// fires before the deadline yields (runtime.Gosched) until it. The yield
// costs CPU only for the part of a delay the timer undershoots, tens of
// microseconds on average, and gives way to every runnable goroutine; at
// most GOMAXPROCS/2 requests yield at once, the others finish on a timer.
//
// Measured on these 2-core VMs, 2,000 delays of 10 ms a second: alone, a
// plain timer ends 0.5 ms late at p50 and 1.1 ms at p99, the sleeper 5–10 µs
// and 0.9–1 ms. End to end (BenchmarkAccuracy, client in the same process)
// the p50 excess falls from 0.85 ms to 0.35 ms and the p99 stays at 2.2–3
// ms (loopback and scheduling make it), for 34% of a core instead of 24%.
// Sleeping the tail in nanosleep(2) was no better and keeps a P in a
// syscall; yielding over a fixed 1.5 ms tail cost 1.8 cores.
//
// A sleeper is safe for concurrent use.
type sleeper struct {
	late     atomic.Int64 // timer lateness, ns, averaged
	yielders atomic.Int32 // requests yielding now
	maxYield int32
}

const (
	maxLead   = 2 * time.Millisecond   // lateness is clamped to this
	startLate = 500 * time.Microsecond // the lateness before any is measured
	lateGain  = 16                     // the average's weight: 1/16 per timer
)

func newSleeper() *sleeper {
	s := &sleeper{maxYield: int32(max(1, runtime.GOMAXPROCS(0)/2))}
	s.late.Store(int64(startLate))
	return s
}

// wait sleeps for d and reports true, or reports false as soon as ctx ends
// (while yielding, at the deadline).
func (s *sleeper) wait(ctx context.Context, d time.Duration) bool {
	start := time.Now()
	deadline := start.Add(d)
	done := ctx.Done()
	if lead := time.Duration(s.late.Load()); d > lead {
		target := d - lead
		t := time.NewTimer(target)
		select {
		case <-t.C:
		case <-done:
			t.Stop()
			return false
		}
		late := min(max(time.Since(start)-target, 0), maxLead)
		s.late.Store(int64(lead + (late-lead)/lateGain)) // a lost update only slows learning
	}
	rest := time.Until(deadline)
	if rest <= 0 {
		return ctx.Err() == nil
	}
	if s.yielders.Add(1) > s.maxYield {
		s.yielders.Add(-1)
		t := time.NewTimer(rest)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-done:
			return false
		}
	}
	for time.Now().Before(deadline) {
		runtime.Gosched()
	}
	s.yielders.Add(-1)
	return ctx.Err() == nil
}
