package loadgen

import (
	"context"
	"time"

	"github.com/fanbench/fanbench/internal/precise"
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

// SleepUntil returns at t, within microseconds (see package precise: a
// plain timer would start operations up to a millisecond late, and show
// it as schedule lag), or early with ctx's error.
func (Real) SleepUntil(ctx context.Context, t time.Time) error {
	return precise.SleepUntil(ctx, t)
}
