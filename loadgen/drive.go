package loadgen

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/internal/precise"
)

// Ticket is one operation handed to a worker.
type Ticket struct {
	// Seq is the operation's number in the schedule, from 0.
	Seq uint64
	// At is the intended start as an offset from the run's start.
	At time.Duration
	// Intended is when the schedule wanted the operation to start. Latency
	// is measured from here, not from when a worker got to it. In the closed
	// model there is no schedule: Intended is the actual start.
	Intended time.Time
	// Warmup marks an operation intended within the warm-up: the worker
	// runs it but leaves it out of the statistics.
	Warmup bool
	// HeldAtCap marks an operation that waited for a slot at the in-flight
	// cap (every worker busy): it was handed to a worker the moment one
	// was free, and LagAtCap is how late the dispatcher already was when
	// it got to it. Released is, for an operation due while the dispatcher
	// waited at the cap for an earlier one, when that wait ended. Lateness
	// from the cap is the system pushing back, not the generator falling
	// behind.
	HeldAtCap bool
	LagAtCap  time.Duration
	Released  time.Time
}

// GeneratorLag is the part of the operation's lateness that is the
// generator's own, given when it actually started: for an operation held
// at the cap, how late the dispatcher got to it; for one due while an
// earlier one was held, the time past that one's release; else the time
// past its intended start.
func (t Ticket) GeneratorLag(actual time.Time) time.Duration {
	if t.HeldAtCap {
		return t.LagAtCap
	}
	from := t.Intended
	if t.Released.After(from) {
		from = t.Released
	}
	return max(actual.Sub(from), 0)
}

// Worker runs operations one at a time. Drive gives each worker goroutine
// its own Worker, so a Worker may keep unsynchronised state (its own metrics
// shard, its own buffers).
type Worker interface {
	Do(ctx context.Context, t Ticket)
}

// Config says what to drive and how: an open model (Pacer) or a closed one
// (Users), not both.
type Config struct {
	// Pacer is the open model's schedule.
	Pacer Pacer
	// MaxInFlight caps the operations in flight, which is also the most
	// worker goroutines Drive starts. Must be at least 1 in the open model;
	// the closed model runs one worker per user and ignores it.
	MaxInFlight int
	// DropAtCap (open model): an operation due while MaxInFlight operations
	// are running is dropped, and counted in Stats.Dropped, instead of
	// waiting for a slot.
	DropAtCap bool
	// Users is the closed model's schedule of virtual users. Each user runs
	// one operation after another, thinking between them.
	Users *Users
	// Think is the closed model's think time between a user's operations;
	// none when nil. ThinkSeed seeds its draws.
	Think     Think
	ThinkSeed uint64
	// Warmup is the first part of the schedule: operations intended within
	// it run with Ticket.Warmup set, and are not counted by Operations.
	Warmup time.Duration
	// Operations, when above 0, ends the load after that many operations
	// past the warm-up have started, if the schedule has not ended first.
	Operations uint64
	// NewWorker makes the Worker of worker id (0, 1, …). Drive starts workers
	// as the load needs them, up to MaxInFlight, or one per user. Calls to
	// NewWorker are never concurrent.
	NewWorker func(id int) Worker
	// Clock is the time source; Real when nil.
	Clock Clock
	// Grace is how long operations in flight may go on after the load
	// ends (ctx ended, or the schedule did) before their own context is
	// cancelled too. Operations still running then are cut off: the worker
	// sees its context done when the operation returns. 0 means no limit.
	Grace time.Duration
	// Segment is the share of the schedule this drive runs (the whole
	// when zero): in the open model, the operations whose numbers it has,
	// at their usual intended starts; in the closed model, the users whose
	// numbers it has, their operations numbered by Segment.Nth. Operations
	// then counts the whole schedule's operations in the open model, and
	// the segment's share of them in the closed one.
	Segment Segment
	// Length is how long the open model's schedule lasts (0: until an
	// operation count ends it). With Grace, it bounds the drive whatever
	// the schedule holds: the grace period starts at Length on the real
	// clock, even when the dispatcher is behind, and no operation starts
	// after Length + Grace; those still due are counted in Stats.NotStarted.
	Length time.Duration
}

// Stats describes a drive.
type Stats struct {
	// Start is the run's time zero: operation n is intended at
	// Start + Pacer.Due(n).
	Start time.Time
	// End is when the last operation finished.
	End time.Time
	// ScheduleEnd is how long the schedule ran, from Start: its length when
	// it ran out, the intended start of the first operation the operation
	// count left out, or when the drive was stopped; 0 when unknown. A
	// strategy's throughput counts over the longer of it and End − Start, so
	// a schedule of 1/s for 3.5 s is 4 operations in 3.5 s, not in the 3 s
	// from the first start to the last.
	ScheduleEnd time.Duration
	// Started counts operations handed to a worker, warm-up included.
	Started uint64
	// Warmup counts the operations started within the warm-up.
	Warmup uint64
	// Dropped counts operations due while the in-flight cap was full, with
	// DropAtCap: never started.
	Dropped uint64
	// NotStarted counts the operations past the warm-up that were due when
	// the drive reached Length + Grace and so were never started (the
	// dispatcher could not keep up with the schedule).
	NotStarted uint64
	// Workers is how many worker goroutines were started.
	Workers int
	// Interrupted is true when ctx ended before the schedule did; operations
	// due after that were never started.
	Interrupted bool
}

// ErrConfig marks an invalid Config.
var ErrConfig = errors.New("invalid load configuration")

// Drive runs the schedule until it ends or ctx does, then waits for the
// operations in flight, for at most the grace period. It returns an error
// only for an invalid Config.
//
// In the open model, an operation due while MaxInFlight operations are
// running waits for a slot; its Ticket keeps its intended start, so the wait
// shows in its latency (coordinated-omission correction, as wrk2 does). With
// DropAtCap it is dropped and counted instead (as k6 does).
func Drive(ctx context.Context, c Config) (Stats, error) {
	open, closed := c.Pacer != nil, c.Users != nil
	if open == closed || c.NewWorker == nil || open && c.MaxInFlight < 1 {
		return Stats{}, errors.Join(ErrConfig, errors.New("a pacer or a schedule of users (not both), a worker factory and, for a pacer, MaxInFlight of at least 1 are required"))
	}
	if c.Clock == nil {
		c.Clock = Real{}
	}

	// Operations run under workCtx, which outlives ctx by the grace period,
	// so a stopped run lets its operations in flight finish; so does a run
	// whose schedule has ended.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var graceOnce sync.Once
	var graceTimer atomic.Pointer[time.Timer]
	startGrace := func() {
		graceOnce.Do(func() {
			if c.Grace > 0 {
				graceTimer.Store(time.AfterFunc(c.Grace, cancelWork))
			}
		})
	}
	stopWatch := context.AfterFunc(ctx, startGrace)
	defer func() {
		stopWatch()
		graceOnce.Do(func() {}) // no timer may start after this
		if t := graceTimer.Load(); t != nil {
			t.Stop()
		}
	}()

	var st Stats
	if open {
		st = driveOpen(ctx, workCtx, c, startGrace)
	} else {
		st = driveClosed(ctx, workCtx, c, startGrace)
	}
	st.End = c.Clock.Now()
	return st, nil
}

// driveOpen hands the pacer's operations to workers, one dispatching
// goroutine, workers started as the load needs them.
func driveOpen(ctx, workCtx context.Context, c Config, startGrace func()) Stats {
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
	// worker is busy: making one (a goroutine, its operation's buffers, and
	// in the runner's workers the strategy's state) while an operation waits
	// for it would make that operation start late.
	spare := func() {
		if st.Workers < c.MaxInFlight && st.Started-finished.Load() >= uint64(st.Workers) {
			// The worker just handed a ticket usually waits in this
			// goroutine's run slot: let it start before doing slow work.
			runtime.Gosched()
			startWorker()
		}
	}
	startWorker()
	st.Start = c.Clock.Now()
	// The schedule's end starts the grace period, and its end stops the
	// dispatcher, on the real clock: a dispatcher far behind (a rate no
	// machine can keep) must not run on for as long as it takes to start
	// every operation the schedule holds.
	var deadline <-chan struct{}
	if c.Length > 0 && c.Grace > 0 {
		end := time.AfterFunc(c.Length, startGrace)
		defer end.Stop()
		passed := make(chan struct{})
		cut := time.AfterFunc(c.Length+c.Grace, func() { close(passed) })
		defer cut.Stop()
		deadline = passed
	}
	var measured uint64
	// releasedAt is when the dispatcher last got past a full cap: the
	// operations due before it were held by the cap.
	var releasedAt time.Time
dispatch:
	for n := uint64(0); ; n++ {
		at, ok := c.Pacer.Due(n)
		if !ok {
			st.ScheduleEnd = c.Length
			break
		}
		t := Ticket{Seq: n, At: at, Intended: st.Start.Add(at), Warmup: at < c.Warmup}
		if !t.Warmup {
			if c.Operations > 0 && measured == c.Operations {
				st.ScheduleEnd = at
				break
			}
			measured++
		}
		if !c.Segment.Has(n) {
			continue // another segment's: its agent runs it
		}
		if c.Clock.SleepUntil(ctx, t.Intended) != nil {
			st.Interrupted = true
			st.ScheduleEnd = c.Clock.Now().Sub(st.Start)
			break
		}
		select {
		case <-deadline:
			st.NotStarted = notStarted(c, t, measured)
			st.ScheduleEnd = c.Clock.Now().Sub(st.Start)
			break dispatch
		default:
		}
		if t.Intended.Before(releasedAt) {
			t.Released = releasedAt
		}
		select {
		case tickets <- t: // an idle worker took it
			st.count(t)
			spare()
			continue
		default:
		}
		held := false // waiting for a slot at the cap
		if st.Workers < c.MaxInFlight {
			startWorker()
		} else if c.DropAtCap && st.Started-finished.Load() >= uint64(c.MaxInFlight) {
			if !t.Warmup {
				st.Dropped++ // the cap is full: no slot will free up for it now
			}
			continue
		} else {
			held = true
			t.LagAtCap = t.GeneratorLag(c.Clock.Now()) // how late the dispatcher got here
		}
		// At the cap this waits for a slot; the ticket's intended start stays.
		// (With DropAtCap, a slot is free: its worker is about to take it.)
		t.HeldAtCap = held
		select {
		case tickets <- t:
			if held {
				releasedAt = c.Clock.Now()
			}
			st.count(t)
			spare()
		case <-ctx.Done():
			st.Interrupted = true
			st.ScheduleEnd = c.Clock.Now().Sub(st.Start)
			break dispatch
		case <-deadline:
			st.NotStarted = notStarted(c, t, measured)
			st.ScheduleEnd = c.Clock.Now().Sub(st.Start)
			break dispatch
		}
	}
	close(tickets)
	startGrace()
	wg.Wait()
	return st
}

// count notes a started operation.
func (st *Stats) count(t Ticket) {
	st.Started++
	if t.Warmup {
		st.Warmup++
	}
}

// driveClosed runs one goroutine per virtual user, each with its own
// worker, made when the user first becomes active.
func driveClosed(ctx, workCtx context.Context, c Config, startGrace func()) Stats {
	var (
		mu       sync.Mutex // guards st.Workers, st.Warmup and NewWorker
		st       Stats
		seq      atomic.Uint64 // the next operation number, across users
		started  atomic.Uint64
		measured atomic.Uint64 // operations started past the warm-up
		users    sync.WaitGroup
	)
	st.Start = c.Clock.Now()
	// The grace period starts when the schedule ends (users then finish the
	// operation they are in), or when the operation count is reached.
	endOfSchedule := time.AfterFunc(c.Users.Duration(), startGrace)
	defer endOfSchedule.Stop()
	limit := c.Operations
	if limit > 0 && !c.Segment.Whole() {
		limit = max(c.Segment.Below(limit), 1)
	}
	for k := range c.Users.Peak() {
		if !c.Segment.Has(uint64(k)) {
			continue // another segment's user
		}
		if ctx.Err() != nil {
			break // stopped while the users were still being started
		}
		users.Go(func() {
			var w Worker
			for from := time.Duration(0); ; {
				begin, end, ok := c.Users.Window(k, from)
				if !ok || waitUntil(ctx, c.Clock, st.Start.Add(begin)) != nil {
					return
				}
				if w == nil {
					mu.Lock()
					w = c.NewWorker(st.Workers)
					st.Workers++
					mu.Unlock()
				}
				for i := uint64(0); ; i++ {
					now := c.Clock.Now()
					at := now.Sub(st.Start)
					if at >= end || ctx.Err() != nil {
						break
					}
					t := Ticket{Seq: c.Segment.Nth(seq.Add(1) - 1), At: at, Intended: now, Warmup: at < c.Warmup}
					if !t.Warmup && limit > 0 && measured.Add(1) > limit {
						startGrace()
						return
					}
					started.Add(1)
					if t.Warmup {
						mu.Lock()
						st.Warmup++
						mu.Unlock()
					}
					w.Do(workCtx, t)
					if c.Think != nil {
						d := c.Think.Sample(ThinkDraw(c.ThinkSeed, k, i))
						if waitUntil(ctx, c.Clock, c.Clock.Now().Add(d)) != nil {
							return
						}
					}
				}
				from = end
			}
		})
	}
	users.Wait()
	st.Started = started.Load()
	// The load stopped before its schedule ended when ctx did, or a user
	// could not start its next operation (or its think) because it had.
	st.Interrupted = ctx.Err() != nil && c.Clock.Now().Sub(st.Start) < c.Users.Duration() &&
		(limit == 0 || measured.Load() <= limit)
	if !st.Interrupted && (limit == 0 || measured.Load() <= limit) {
		st.ScheduleEnd = c.Users.Duration() // the users' schedule ran out
	}
	startGrace()
	return st
}

// waitUntil waits for t. The closed model has no schedule to keep, so on
// the real clock it sleeps on a plain timer: a think time a millisecond
// long is no error that matters, and a plain timer keeps the model usable
// in a testing/synctest bubble, where the precise clock's timerfd (real
// I/O) would never let the bubble's time advance.
func waitUntil(ctx context.Context, clock Clock, t time.Time) error {
	if _, ok := clock.(Real); !ok {
		return clock.SleepUntil(ctx, t)
	}
	return precise.TimerUntil(ctx, t)
}
