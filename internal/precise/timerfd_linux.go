package precise

import (
	"container/heap"
	"context"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

var std waker

// waker holds the sleepers, earliest first, and the timerfd armed for the
// earliest; its goroutine runs while there are sleepers, and lingers for a
// while after the last.
type waker struct {
	once    sync.Once
	timerfd *os.File // nil when the kernel would not make one
	fd      int

	mu       sync.Mutex
	sleepers sleeperHeap
	idle     sleeperQueue // sleepers not in use, for reuse
	armedFor time.Time    // the deadline the timerfd is armed for
	running  bool         // the waking goroutine is alive
	// lingerFor overrides linger when positive (tests).
	lingerFor time.Duration
}

// linger is how long the waking goroutine waits for a new sleeper after
// the last one has woken, before it ends.
//
// Why not end at once: a goroutine started with go is put in the starting
// processor's next-to-run slot, and the open model's dispatcher sleeps
// right after handing an operation to a worker, which sits in that very
// slot. Where the dispatcher was the only sleeper (mocks in another
// process), each of its sleeps started the goroutine anew, for about a
// third of the operations, and pushed the worker to the back of the run
// queue, behind the goroutines of thousands of connections: at 5,000
// operations in flight the handed workers waited p90 6 ms, p99 140 ms
// before running, and 0.75 and 21 ms with the goroutine lingering. A
// waiting goroutine is woken by its timerfd through the poller, which
// takes no one's slot.
const linger = 50 * time.Millisecond

// ok reports whether the waker has its timerfd, making it on first use.
func (w *waker) ok() bool {
	w.once.Do(func() {
		fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
		if err != nil {
			return
		}
		// Non-blocking, so os.NewFile hands it to the network poller.
		w.fd, w.timerfd = fd, os.NewFile(uintptr(fd), "precise-timerfd")
	})
	return w.timerfd != nil
}

func (w *waker) sleepUntil(ctx context.Context, t time.Time) error {
	w.mu.Lock()
	s := w.idle.get()
	s.at = t
	heap.Push(&w.sleepers, s)
	switch {
	case !w.running:
		w.running = true
		go w.run()
	case s.index == 0: // earlier than the timerfd is armed for
		w.arm(t)
	}
	w.mu.Unlock()
	// A Go timer for the same time backs the timerfd up: when every
	// processor is busy, the poller, and so the timerfd, is looked at only
	// between goroutines (or every 10 ms), while timers are run at each
	// switch; whichever comes first wakes the sleeper.
	s.startBackup()
	defer w.release(s)
	var err error
	select {
	case <-s.wake:
		return nil
	case <-s.backup.C:
	case <-ctx.Done():
		err = ctx.Err()
	}
	w.mu.Lock()
	queued := s.index >= 0
	if queued {
		first := s.index == 0
		heap.Remove(&w.sleepers, s.index)
		if first && err != nil {
			// The timerfd is armed for s, whose time may be an hour away:
			// wake the goroutine now, to arm it for the next sleeper or to
			// end when there is none. (When the backup timer woke s, the
			// timerfd is due now too and needs no arming: a syscall saved
			// on every sleep the backup wins, which under load is most.)
			w.arm(time.Now())
		}
	}
	w.mu.Unlock()
	if !queued {
		<-s.wake // woken meanwhile: take the wake-up, so s can be reused
	}
	return err
}

// release stops s's backup timer and returns s for reuse.
func (w *waker) release(s *sleeper) {
	s.backup.Stop()
	w.mu.Lock()
	w.idle.put(s)
	w.mu.Unlock()
}

// run wakes the sleepers whose time has come, arms the timerfd for the
// next one and waits for it in the poller, until there have been no
// sleepers for the linger time.
func (w *waker) run() {
	var expirations [8]byte
	var idleSince time.Time // when the last sleeper woke; zero while some wait
	for {
		w.mu.Lock()
		now := time.Now()
		woke := false
		for len(w.sleepers) > 0 && !w.sleepers[0].at.After(now) {
			s := heap.Pop(&w.sleepers).(*sleeper)
			s.wake <- struct{}{}
			woke = true
		}
		next := now
		if len(w.sleepers) > 0 {
			idleSince, next = time.Time{}, w.sleepers[0].at
		} else {
			if woke || idleSince.IsZero() {
				idleSince = now
			}
			d := linger
			if w.lingerFor > 0 {
				d = w.lingerFor
			}
			if next = idleSince.Add(d); !now.Before(next) {
				w.running = false
				w.mu.Unlock()
				return
			}
		}
		if !next.Equal(w.armedFor) {
			w.arm(next)
		}
		w.mu.Unlock()
		// Returns when the timerfd expires (now, if it already has); an
		// error (the fd's deadline, never set) only means look again.
		_, _ = w.timerfd.Read(expirations[:])
	}
}

// arm sets the timerfd to expire at t; w.mu is held.
func (w *waker) arm(t time.Time) {
	d := max(time.Until(t), time.Microsecond) // a zero value would disarm it
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(d.Nanoseconds())}
	if unix.TimerfdSettime(w.fd, 0, &spec, nil) == nil {
		w.armedFor = t
	}
}

// pending counts the sleepers waiting, and reports whether the waking
// goroutine is alive.
func (w *waker) pending() (int, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.sleepers), w.running
}
