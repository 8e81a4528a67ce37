package mockupstream

import (
	"context"
	"time"

	"github.com/fanbench/fanbench/internal/precise"
)

// sleep waits out an injected delay d and reports true, or reports false
// as soon as ctx ends. It waits on package precise: a plain timer would end
// the delay up to a millisecond late, most often on the next millisecond
// boundary, and every strategy's latency and the harness overhead would
// carry that error (measured lateness: docs/performance.md).
func sleep(ctx context.Context, d time.Duration) bool {
	return precise.SleepUntil(ctx, time.Now().Add(d)) == nil && ctx.Err() == nil
}
