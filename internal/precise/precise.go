// Package precise wakes goroutines at a given time to within tens of
// microseconds, where a Go timer fires up to a millisecond and more late.
//
// Why timers are late: when every processor is idle, the runtime waits for
// the next timer in epoll_wait, whose timeout is in whole milliseconds and
// rounded down, so a timer due in 9.4 ms wakes the poller at 9 ms, which
// then waits 1 ms more: most timers fire on a millisecond boundary after
// their time. A load generator's schedule and a mock upstream's injected
// delay would each carry that error into every figure.
//
// How this does better, on Linux: the sleepers' deadlines are kept in one
// heap, and a Linux timerfd (a timer the kernel keeps in nanoseconds) is
// armed for the earliest. The timerfd sits in the runtime's network poller
// like a socket, so its expiry wakes epoll_wait as an event, at once,
// rather than at the next whole millisecond. One goroutine, blocked on the
// timerfd while there are sleepers and gone when there are none, wakes
// each sleeper when its time has come. Nothing spins: a sleep costs a heap
// push, a timer and two goroutine wake-ups. The timer backs the timerfd
// up when every processor is busy: the poller is then looked at only
// between goroutines, timers at every switch; the first to fire wakes the
// sleeper. Elsewhere than Linux, SleepUntil is a plain timer.
package precise

import (
	"context"
	"time"
)

// SleepUntil returns at t, within tens of microseconds on Linux when a
// processor is free, or early with ctx's error when ctx ends first.
func SleepUntil(ctx context.Context, t time.Time) error {
	if time.Until(t) > 0 && std.ok() {
		return std.sleepUntil(ctx, t)
	}
	return TimerUntil(ctx, t)
}

// TimerUntil is SleepUntil on a plain Go timer: up to a millisecond late,
// but it needs no I/O, so the time of a testing/synctest bubble can advance
// while it waits.
func TimerUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
