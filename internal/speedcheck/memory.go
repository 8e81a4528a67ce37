package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os/exec"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

// Targets of the memory check (issue 5, "Speed"; issue 23 lowered the
// limit from 64 MiB).
const (
	memoryRate      = 5000 // operations per second
	memoryLimit     = 48 << 20
	memoryTolerance = 0.10 // long run's peak RSS against the short run's
	memoryLatency   = 10 * time.Millisecond
	// memoryInFlight caps the operations in flight at twice what Little's
	// law asks for (rate × latency), as one sizes wrk2's connections. Under
	// the default cap of 1,000, a burst of late starts on a small machine
	// opens hundreds of connections, whose dials and goroutines make the
	// next burst worse, and the peak RSS follows the worst burst
	// (docs/performance.md, "the in-flight cap"); with the cap an operation
	// over it waits for a slot, its latency still counted from its
	// intended start.
	memoryInFlight = 2 * memoryRate * int(memoryLatency/time.Millisecond) / 1000
)

// memory runs the same load twice in a child fanbench, short and long, with
// the mocks in the child, and compares the peak RSS of the two: what a run
// holds must not grow with its length.
func memory(ctx context.Context, o options, out io.Writer) error {
	fmt.Fprintf(out, "memory: fanout of 2 calls to two in-process mocks (%v fixed), %d operations/s, max_in_flight %d; peak RSS of the whole child process\n",
		memoryLatency, memoryRate, memoryInFlight)
	var rss [2]int64
	for i, d := range []time.Duration{o.duration, o.long} {
		r, err := runFanbench(ctx, o, fmt.Sprintf("memory-%d", i), memoryScenario(d, o.client))
		if err != nil {
			return err
		}
		rss[i] = r.maxRSS
		fmt.Fprintf(out, "%-4v peak RSS %s; %s\n", d, mib(r.maxRSS), describe(&r.result.Strategies[0]))
	}
	growth := float64(rss[1])/float64(rss[0]) - 1
	fmt.Fprintf(out, "long / short = %.3f (target within ±%.0f%%) %s\n", 1+growth, memoryTolerance*100, verdict(math.Abs(growth) <= memoryTolerance))
	fmt.Fprintf(out, "largest peak RSS %s (target <= %s) %s\n", mib(max(rss[0], rss[1])), mib(memoryLimit), verdict(max(rss[0], rss[1]) <= memoryLimit))
	// What the binary takes before any run: its code and data paged in
	// at start-up, part of every peak above.
	if floor, err := startupRSS(ctx, o); err == nil {
		fmt.Fprintf(out, "(of which the binary's start-up alone, `fanbench version`: peak RSS %s)\n", mib(floor))
	}
	return nil
}

// startupRSS is the peak RSS of `fanbench version`.
func startupRSS(ctx context.Context, o options) (int64, error) {
	cmd := exec.CommandContext(ctx, o.fanbench, "version")
	if err := cmd.Run(); err != nil {
		return 0, err
	}
	return maxRSS(cmd.ProcessState), nil
}

func memoryScenario(d time.Duration, client string) string {
	return fanoutScenario("memory", twoMocks(memoryLatency, client),
		fmt.Sprintf("{model: open, rate: %d/s, duration: %s, max_in_flight: %d}", memoryRate, d, memoryInFlight))
}

// describe sums up a strategy's run for the checks' output.
func describe(sr *metrics.StrategyResult) string {
	s := fmt.Sprintf("%d operations, %.0f/s, dropped %d, late starts %d, errors %.2f%%, p50 %.2f ms, p99 %.2f ms",
		sr.Operations, sr.Throughput, sr.Dropped, sr.LateStarts, sr.ErrorRate*100, sr.Latency.P50, sr.Latency.P99)
	for _, u := range sr.Upstreams {
		if len(u.Statuses) > 1 || u.Statuses["200"] != u.Calls {
			s += fmt.Sprintf(", %s answers %v", u.Name, u.Statuses)
		}
	}
	if c := sr.Cost; c != nil {
		s += fmt.Sprintf(", peak heap %s, peak goroutines %d, CPU %.1f ms per 1,000 operations",
			mib(int64(c.PeakHeapBytes)), c.PeakGoroutines, c.CPUMsPer1000Ops)
	}
	return s
}
