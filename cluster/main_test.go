package cluster

import (
	"os"
	"testing"

	"github.com/fanbench/fanbench/internal/procs"
)

// fanbench is the binary whose agent command the tests start, built once
// by TestMain without the race detector (agents are separate processes).
// The tests that start processes run one at a time: each starts four or
// five, and the machine they share with other packages' timing tests has
// few cores.
var fanbench string

func TestMain(m *testing.M) { os.Exit(procs.Main(m, &fanbench, "")) }
