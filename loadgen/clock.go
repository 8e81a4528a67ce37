package loadgen

import (
	"context"
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

// SleepUntil waits on a timer until t.
func (Real) SleepUntil(ctx context.Context, t time.Time) error {
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
