//go:build !linux

package precise

import (
	"context"
	"time"
)

var std waker

// waker has no precise timer outside Linux: SleepUntil uses a plain one.
type waker struct{}

func (waker) ok() bool { return false }

func (waker) sleepUntil(context.Context, time.Time) error { panic("unreachable") }

func (waker) pending() (int, bool) { return 0, false }
