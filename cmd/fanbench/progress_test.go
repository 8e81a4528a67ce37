package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
	"github.com/fanbench/fanbench/scenarios"
)

func snapshotAt(elapsed time.Duration, sec int64, completed, failed uint64, p99 float64) runner.Snapshot {
	return runner.Snapshot{Elapsed: elapsed, Completed: completed * uint64(sec+1),
		Window: metrics.Window{AtS: sec, Completed: completed, Failed: failed, P99: p99}}
}

// Without a terminal: a line as a strategy starts, one every 5 s of its
// run (the runner ticks once a second), one as it ends.
func TestPlainViewPrintsEveryInterval(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	v := newPlainView(&buf, plainEvery)
	v.StrategyStarted(runner.StrategyStart{Name: "fanout", Index: 1, Total: 2, Load: "open, 50/s for 12s", Duration: 12 * time.Second})
	v.Tick(runner.Snapshot{Elapsed: 500 * time.Millisecond, Window: metrics.Window{AtS: -1}})
	for sec := range int64(12) {
		v.Tick(snapshotAt(time.Duration(sec)*time.Second+1500*time.Millisecond, sec, 50, 1, 12.25))
	}
	v.Printf("fanbench: a message\n")
	v.StrategyEnded(runner.StrategyEnd{Name: "fanout", Index: 1, Result: &metrics.StrategyResult{Name: "fanout", Operations: 600,
		Latency: metrics.Summary{P50: 10, P99: 12.5}, ErrorRate: 0.02}})
	v.StrategyEnded(runner.StrategyEnd{Name: "hedged", Err: errors.New("no")}) // the command reports errors
	v.Close()
	want := []string{
		"fanbench: running fanout (2/2): open, 50/s for 12s",
		"fanbench:   fanout 0:05/0:12: 50 ops/s, p99 12.2 ms, errors 2.0%, 250 operations completed, about 0:07 left in the run",
		"fanbench:   fanout 0:10/0:12: 50 ops/s, p99 12.2 ms, errors 2.0%, 500 operations completed, about 0:02 left in the run",
		"fanbench: a message",
		"fanbench:   fanout: 600 operations, p50 10.0 ms, p99 12.5 ms, errors 2.00%",
	}
	if got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plain view printed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The figures of a second name its late starts when over 1% of the
// operations started in it were.
func TestWindowFiguresNameLateStarts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		started, late uint64
		want          string
	}{
		{100, 0, "50 ops/s, p99 12.0 ms, errors 0.0%"},
		{100, 1, "50 ops/s, p99 12.0 ms, errors 0.0%"}, // 1% is tolerated, as in the run's warning
		{100, 12, "50 ops/s, p99 12.0 ms, errors 0.0%, late starts 12%"},
		{0, 0, "50 ops/s, p99 12.0 ms, errors 0.0%"},
	}
	for _, tt := range tests {
		s := snapshotAt(1500*time.Millisecond, 0, 50, 0, 12)
		s.Window.Started, s.Window.LateStarts = tt.started, tt.late
		if got := windowFigures(s); got != tt.want {
			t.Errorf("windowFigures(%d late of %d) = %q, want %q", tt.late, tt.started, got, tt.want)
		}
	}
}

func TestClockOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		elapsed, total time.Duration
		want           string
	}{
		{1500 * time.Millisecond, 30 * time.Second, "0:01/0:30"},
		{61 * time.Second, 0, "1:01"},
		{-time.Second, 2 * time.Hour, "0:00/2:00:00"},
		{15 * time.Second, 10 * time.Second, "draining 0:05"}, // not 0:15/0:10
	}
	for _, tt := range tests {
		if got := clockOf(tt.elapsed, tt.total); got != tt.want {
			t.Errorf("clockOf(%v, %v) = %q, want %q", tt.elapsed, tt.total, got, tt.want)
		}
	}
}

// The estimate of the run left counts the strategies still to come, each
// as long as its load.
func TestRunLeft(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s       runner.StrategyStart
		elapsed time.Duration
		want    string
	}{
		{runner.StrategyStart{Index: 0, Total: 3, Duration: 10 * time.Second}, 4 * time.Second, ", about 0:26 left in the run"},
		{runner.StrategyStart{Index: 2, Total: 3, Duration: 10 * time.Second}, 9500 * time.Millisecond, ", about 0:01 left in the run"},
		{runner.StrategyStart{Index: 2, Total: 3, Duration: 10 * time.Second}, 12 * time.Second, ""}, // draining the last
		{runner.StrategyStart{Index: 0, Total: 2}, time.Second, ""},                                  // a count of operations ends it
	}
	for _, tt := range tests {
		if got := runLeft(tt.s, tt.elapsed); got != tt.want {
			t.Errorf("runLeft(%+v, %v) = %q, want %q", tt.s, tt.elapsed, got, tt.want)
		}
	}
}

// Bars line up: every name is padded to the widest of the run.
func TestBarNameWidth(t *testing.T) {
	t.Parallel()
	sc := &scenarios.Scenario{Strategies: []scenarios.Strategy{{Name: "fanout"}, {Name: "pooled", Label: "pooled-64"}}}
	if got, want := barNameWidth(sc), len("pooled-64 (2/2)"); got != want {
		t.Errorf("barNameWidth = %d, want %d", got, want)
	}
	sc.Load.Repeats = 3
	if got, want := barNameWidth(sc), len("pooled-64, round 3/3 (6/6)"); got != want {
		t.Errorf("barNameWidth with repeats = %d, want %d", got, want)
	}
}

// On a terminal: a bar per strategy with its name, elapsed/total and the
// last second's figures, messages above the bars, final figures at the
// end. mpb draws into a buffer here, refreshed by hand, at a fixed width.
func TestBarViewShowsStrategiesAndFigures(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	refresh := make(chan any)
	v := newBarView(mpb.WithOutput(&buf), mpb.WithWidth(140), mpb.WithManualRefresh(refresh))
	draw := func() {
		for range 3 { // the third is taken once the first frame is written
			refresh <- struct{}{}
		}
	}
	v.StrategyStarted(runner.StrategyStart{Name: "sequential", Index: 0, Total: 2, Duration: 30 * time.Second})
	draw()
	v.Tick(snapshotAt(3500*time.Millisecond, 2, 250, 5, 12.5))
	draw()
	v.Printf("fanbench: a message\n")
	v.StrategyEnded(runner.StrategyEnd{Name: "sequential", Result: &metrics.StrategyResult{Name: "sequential", Operations: 7500,
		Throughput: 250, Latency: metrics.Summary{P99: 13.25}, ErrorRate: 0.02}})
	v.StrategyStarted(runner.StrategyStart{Name: "fanout", Index: 1, Total: 2, Operations: 100})
	v.Tick(snapshotAt(1500*time.Millisecond, 0, 40, 0, 3))
	draw()
	v.StrategyEnded(runner.StrategyEnd{Name: "fanout", Index: 1, Interrupted: true, Result: &metrics.StrategyResult{Name: "fanout", Operations: 40}})
	v.Close()
	v.Close()                        // idempotent
	v.Printf("fanbench: too late\n") // dropped, no panic
	out := buf.String()
	for _, want := range []string{
		"sequential (1/2)", "first second still running",
		"/0:30", "250 ops/s, p99 12.5 ms, errors 2.0%",
		"fanbench: a message",
		"7500 ops, 250 ops/s, p99 13.2 ms, errors 2.00%",
		"fanout (2/2)", "40 ops/s, p99 3.0 ms",
		"40 ops, 0 ops/s, p99 0.0 ms, errors 0.00%, interrupted",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bars lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "too late") {
		t.Errorf("a message after Close was printed:\n%s", out)
	}
}

// A bar still running when the view closes (the run failed) is aborted:
// Close returns and mpb's goroutines end (goleak checks in TestMain).
func TestBarViewCloseAbortsRunningBar(t *testing.T) {
	t.Parallel()
	v := newBarView(mpb.WithOutput(&bytes.Buffer{}), mpb.WithWidth(80), mpb.WithAutoRefresh(), mpb.WithRefreshRate(time.Millisecond))
	v.StrategyStarted(runner.StrategyStart{Name: "fanout", Total: 1})
	done := make(chan struct{})
	go func() { v.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return with a bar running")
	}
}

// The first Ctrl-C is acknowledged on stderr; the run stops and its result
// is marked interrupted.
func TestRunSaysItIsStopping(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel)
	code := Main(ctx, []string{"run", "--example", "seed", "--duration", "1h", "--strategies", "fanout", "--format", "json"}, &stdout, &stderr)
	if code != exitInterrupted {
		t.Fatalf("run exited %d\nstderr: %s", code, &stderr)
	}
	for _, want := range []string{"running fanout (1/1)", "fanbench: stopping: operations in flight may finish", "(interrupted)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, &stderr)
		}
	}
	res, err := metrics.DecodeResult("stdout", stdout.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted {
		t.Error("the result is not marked interrupted")
	}
}
