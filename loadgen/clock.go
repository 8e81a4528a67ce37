package loadgen

import (
	"context"
	"runtime"
	"time"
)

// Clock is the time source of a drive. Tests pass a fake one so schedules
// run in microseconds; Real is the monotonic wall clock.
type Clock interface {
	Now() time.Time
	// SleepUntil returns at t, or early with ctx's error when ctx ends first.
	SleepUntil(ctx context.Context, t time.Time) error
}

// Real is the system clock. Its times carry Go's monotonic reading, so all
// arithmetic on them is immune to wall-clock jumps.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Spin limits: SleepUntil yields in a loop for the last spinShare of a wait,
// at most maxSpin. Timers overshoot by a few hundred microseconds, and by a
// millisecond on some virtual machines; that would show as schedule lag. The
// share bounds the CPU the precision costs to a tenth of a core.
const (
	maxSpin   = 1500 * time.Microsecond
	spinShare = 10
)

// SleepUntil waits on a timer until shortly before t, then yields the
// processor in a loop until t.
func (Real) SleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	if sleep := d - min(maxSpin, d/spinShare); sleep > 0 {
		timer := time.NewTimer(sleep)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
	}
	for time.Now().Before(t) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		runtime.Gosched()
	}
	return nil
}
