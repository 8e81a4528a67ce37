package mockupstream

import (
	"context"
	"time"

	"github.com/fanbench/fanbench/internal/precise"
)

// sleep waits out an injected delay d and reports true, or reports false
// as soon as ctx ends. The delay is kept to within microseconds (package
// precise): a plain timer would end it up to a millisecond late, most often
// on the next millisecond boundary, and every strategy's latency and the
// harness overhead would carry that error.
//
// Measured on these 2-core VMs, 20 delays of 10 ms at a time
// (go test -bench Lateness ./internal/precise): a timer ends 0.58–0.62 ms
// late at p50 and 1.2–1.7 ms at p99, this 0.10–0.12 ms and 0.5–0.6 ms
// (2026-11-26; a plain nanosleep on this VM oversleeps by 0.12 ms at p50).
func sleep(ctx context.Context, d time.Duration) bool {
	return precise.SleepUntil(ctx, time.Now().Add(d)) == nil && ctx.Err() == nil
}
