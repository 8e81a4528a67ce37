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
// earliest; its goroutine runs while there are sleepers.
type waker struct {
	once    sync.Once
	timerfd *os.File // nil when the kernel would not make one
	fd      int

	mu       sync.Mutex
	sleepers sleeperHeap
	armedFor time.Time // the deadline the timerfd is armed for
	running  bool      // the waking goroutine is alive
}

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
	s := sleepers.Get().(*sleeper)
	defer sleepers.Put(s) // after its timer is stopped (defers run last first)
	s.at = t
	w.mu.Lock()
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
	defer s.backup.Stop() // before s goes back to the pool
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

// run wakes the sleepers whose time has come, arms the timerfd for the
// next one and waits for it in the poller, until there are no sleepers.
func (w *waker) run() {
	var expirations [8]byte
	for {
		w.mu.Lock()
		now := time.Now()
		for len(w.sleepers) > 0 && !w.sleepers[0].at.After(now) {
			s := heap.Pop(&w.sleepers).(*sleeper)
			s.wake <- struct{}{}
		}
		if len(w.sleepers) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		if next := w.sleepers[0].at; !next.Equal(w.armedFor) {
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
