package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/fanbench/fanbench/metrics"
)

// fanbenchRun is what one child `fanbench run` left behind.
type fanbenchRun struct {
	result *metrics.Result
	// maxRSS is the child's peak resident set, in bytes (getrusage
	// ru_maxrss: the whole process, mocks included when they run in it).
	maxRSS int64
}

// runFanbench writes scenario to a file and runs `fanbench run` on it in a
// child process, quietly, reading the result file it writes.
func runFanbench(ctx context.Context, o options, name, scenario string) (fanbenchRun, error) {
	file := filepath.Join(o.workDir, name+".yaml")
	out := filepath.Join(o.workDir, name+".json")
	if err := os.WriteFile(file, []byte(scenario), 0o600); err != nil {
		return fanbenchRun{}, err
	}
	cmd := exec.CommandContext(ctx, o.fanbench, "run", file, "--quiet", "--out", out)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr // the table is not needed: the result file is read
	if err := cmd.Run(); err != nil {
		return fanbenchRun{}, fmt.Errorf("%s run %s: %w\n%s", o.fanbench, file, err, stderr.Bytes())
	}
	var r fanbenchRun
	r.maxRSS = maxRSS(cmd.ProcessState)
	data, err := os.ReadFile(out)
	if err != nil {
		return fanbenchRun{}, err
	}
	r.result = new(metrics.Result)
	if err := json.Unmarshal(data, r.result); err != nil {
		return fanbenchRun{}, fmt.Errorf("reading %s: %w", out, err)
	}
	if len(r.result.Strategies) != 1 {
		return fanbenchRun{}, fmt.Errorf("%s: want 1 strategy, got %d", out, len(r.result.Strategies))
	}
	return r, nil
}

// mib formats bytes as MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// inFlightPeak is the most operations due but unfinished at a second's
// boundary: operations intended to start so far minus those completed. On
// schedule that is the operations in flight; when the generator falls
// behind it also counts those due but not yet started.
func inFlightPeak(ws []metrics.Window) uint64 {
	var started, completed, peak uint64
	for _, w := range ws {
		started += w.Started
		completed += w.Completed
		if started > completed {
			peak = max(peak, started-completed)
		}
	}
	return peak
}

// maxRSS is an ended child's peak resident set, in bytes (0 when unknown).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024 // kilobytes on Linux
	}
	return 0
}
