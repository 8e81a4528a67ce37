package loadgen

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Ticket is one operation handed to a worker.
type Ticket struct {
	// Seq is the operation's number in the schedule, from 0.
	Seq uint64
	// At is the intended start as an offset from the run's start.
	At time.Duration
	// Intended is when the schedule wanted the operation to start. Latency
	// is measured from here, not from when a worker got to it.
	Intended time.Time
}

// Worker runs operations one at a time. Drive gives each worker goroutine
// its own Worker, so a Worker may keep unsynchronised state (its own metrics
// shard, its own buffers).
type Worker interface {
	Do(ctx context.Context, t Ticket)
}

// Config says what to drive and how.
type Config struct {
	// Pacer is the schedule.
	Pacer Pacer
	// MaxInFlight caps the operations in flight, which is also the most
	// worker goroutines Drive starts. Must be at least 1.
	MaxInFlight int
	// NewWorker makes the Worker of worker id (0, 1, …). Drive starts workers
	// as the load needs them, up to MaxInFlight.
	NewWorker func(id int) Worker
	// Clock is the time source; Real when nil.
	Clock Clock
	// Grace is how long operations in flight may go on after ctx ends
	// before their own context is cancelled too.
	Grace time.Duration
}

// Stats describes a drive.
type Stats struct {
	// Start is the run's time zero: operation n is intended at
	// Start + Pacer.Due(n).
	Start time.Time
	// End is when the last operation finished.
	End time.Time
	// Started counts operations handed to a worker.
	Started uint64
	// Workers is how many worker goroutines were started.
	Workers int
	// Interrupted is true when ctx ended before the schedule did; operations
	// due after that were never started.
	Interrupted bool
}

// ErrConfig marks an invalid Config.
var ErrConfig = errors.New("invalid load configuration")

// Drive runs the schedule until it ends or ctx does, then waits for the
// operations in flight. It returns an error only for an invalid Config.
//
// An operation due while MaxInFlight operations are running waits for a
// slot; its Ticket keeps its intended start, so the wait shows in its
// latency (coordinated-omission correction, as wrk2 does).
func Drive(ctx context.Context, c Config) (Stats, error) {
	if c.Pacer == nil || c.NewWorker == nil || c.MaxInFlight < 1 {
		return Stats{}, errors.Join(ErrConfig, errors.New("a pacer, a worker factory and MaxInFlight of at least 1 are required"))
	}
	clock := c.Clock
	if clock == nil {
		clock = Real{}
	}

	// Operations run under workCtx, which outlives ctx by the grace period,
	// so a stopped run lets its operations in flight finish.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var graceTimer *time.Timer
	var graceMu sync.Mutex
	stopWatch := context.AfterFunc(ctx, func() {
		graceMu.Lock()
		defer graceMu.Unlock()
		graceTimer = time.AfterFunc(c.Grace, cancelWork)
	})
	defer func() {
		stopWatch()
		graceMu.Lock()
		defer graceMu.Unlock()
		if graceTimer != nil {
			graceTimer.Stop()
		}
	}()

	tickets := make(chan Ticket)
	var wg sync.WaitGroup
	var finished atomic.Uint64
	st := Stats{}
	startWorker := func() {
		w := c.NewWorker(st.Workers)
		st.Workers++
		wg.Go(func() {
			for t := range tickets {
				w.Do(workCtx, t)
				finished.Add(1)
			}
		})
	}
	// A spare worker is started, between two operations, whenever every
	// worker is busy: making one (its recorder is about a megabyte) while an
	// operation waits for it would make that operation start late.
	spare := func() {
		if st.Workers < c.MaxInFlight && st.Started-finished.Load() >= uint64(st.Workers) {
			// The worker just handed a ticket usually waits in this
			// goroutine's run slot: let it start before doing slow work.
			runtime.Gosched()
			startWorker()
		}
	}
	startWorker()
	st.Start = clock.Now()
dispatch:
	for n := uint64(0); ; n++ {
		at, ok := c.Pacer.Due(n)
		if !ok {
			break
		}
		t := Ticket{Seq: n, At: at, Intended: st.Start.Add(at)}
		if clock.SleepUntil(ctx, t.Intended) != nil {
			st.Interrupted = true
			break
		}
		select {
		case tickets <- t: // an idle worker took it
			st.Started++
			spare()
			continue
		default:
		}
		if st.Workers < c.MaxInFlight {
			startWorker()
		}
		// At the cap this waits for a slot; the ticket's intended start stays.
		select {
		case tickets <- t:
			st.Started++
			spare()
		case <-ctx.Done():
			st.Interrupted = true
			break dispatch
		}
	}
	close(tickets)
	wg.Wait()
	st.End = clock.Now()
	return st, nil
}
