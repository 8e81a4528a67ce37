package cluster

import (
	"fmt"
	"os"
	"testing"

	"github.com/fanbench/fanbench/internal/procs"
	"go.uber.org/goleak"
)

// fanbench is the binary whose agent command the tests start, built once
// by TestMain without the race detector (agents are separate processes).
// The tests that start processes run one at a time: each starts four or
// five, and the machine they share with other packages' timing tests has
// few cores.
var fanbench string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fanbench-cluster-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if fanbench, err = procs.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
