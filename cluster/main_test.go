package cluster

import (
	"os"
	"testing"

	"github.com/fanbench/fanbench/internal/procs"
	"github.com/fanbench/fanbench/internal/waitbound"
)

// fanbench is the binary whose agent command the tests start, built once
// by TestMain without the race detector (agents are separate processes).
var fanbench string

// TestMain runs four of the tests at a time: each starts three to five
// processes and NATS servers and then waits on a load's schedule (1.5–6
// s) or a lost connection's retries, using little CPU (7 s of CPU in 38 s
// of tests one at a time, 2026-12-06), and every check is a count or a
// wide margin that contention does not move.
func TestMain(m *testing.M) {
	waitbound.Parallel(4)
	os.Exit(procs.Main(m, &fanbench, ""))
}
