package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
)

// Target of the wide check (the wide fan-out issue): a 100-way fan-out at
// 200 operations/s, 20,000 calls/s, with a harness overhead p99 of at most
// 5 ms.
const (
	wideRate     = 200
	wideWidth    = 100
	wideTargetMS = 5.0
	// wideRamp is the warm-up: the rate ramps from 0 to 200/s, so the
	// connections to the shard are opened a few at a time. Started at
	// full rate, each operation's 100 calls dial at once, the shard's
	// accept queue overflows, and a dropped SYN is sent again only after
	// a second, which makes later operations dial more (the kernel's
	// ListenOverflows counter: docs/performance.md).
	wideRamp = 2 * time.Second
	// wideInFlight is the in-flight cap: about twice the operations in
	// flight on schedule (Little's law: 200/s × a mean ideal latency of
	// about 45 ms, one operation in six waiting for a ~200 ms shard, is
	// 9), as the memory check sizes its cap. It also bounds the run's
	// connections at 2,000 (20 operations of 100 calls): under a cap of
	// 100, a run that fell behind opened 10,000, whose TIME_WAIT sockets
	// then held a third of this machine's ephemeral ports for a minute.
	wideInFlight = 20
	// wideMockNice is the standalone shard's nice level, as bench-scale's.
	wideMockNice = 15
)

// wideShard is the shard's mock: about 2 ms, 1 request in 500 about 200 ms
// (the tail-at-scale shape).
const wideShard = `      latency:
        components:
          - {weight: 99.8%, latency: {dist: lognormal, p50: 2ms, p99: 6ms}}
          - {weight: 0.2%, latency: {dist: uniform, min: 150ms, max: 250ms}}
`

const wideSeed = 11

// wide runs a fanout of 100 shard calls at 200 operations/s. With
// --mock standalone (the default) the shard is a `fanbench mock` process
// at nice 15, as if on another machine, as in bench-scale: on this 2-core
// machine the mock's HTTP server is a third of the CPU of the in-process
// run, and its accept loop waits behind the client's goroutines. The
// harness overhead is then the measured latency percentile minus the same
// percentile of the ideal latencies of the same operations, which the
// check computes from the shard's paired draws (the slowest of each
// operation's 100 drawn delays). With --mock inprocess the run starts the
// shard itself, and its result has the harness overhead of every
// operation (measured − ideal), whose p99 is compared.
func wide(ctx context.Context, o options, out io.Writer) error {
	load := fmt.Sprintf("{model: open, stages: [{duration: %s, target: %d/s}, {duration: %s, target: %d/s}], warmup: %s, max_in_flight: %d}",
		wideRamp, wideRate, o.duration, wideRate, wideRamp, wideInFlight)
	inProcess := wideScenario("    mock:\n"+wideShard, load)
	switch o.mock {
	case "inprocess":
		fmt.Fprintf(out, "wide: fanout of %d calls to an in-process mock shard (2 ms, 1 in 500 at 200 ms), %d operations/s (%d calls/s) for %v after a %v ramp, max_in_flight %d\n",
			wideWidth, wideRate, wideRate*wideWidth, o.duration, wideRamp, wideInFlight)
		return wideRun(ctx, o, out, inProcess, nil)
	case "standalone", "":
	default:
		return fmt.Errorf("--mock %q: want standalone or inprocess", o.mock)
	}
	mock, err := startMock(ctx, o, fmt.Sprintf("seed: %d\nupstreams:\n  shard:\n    mock:\n%s", wideSeed, wideShard), 1, wideMockNice)
	if err != nil {
		return err
	}
	defer mock.stop()
	fmt.Fprintf(out, "wide: fanout of %d calls to a standalone mock shard (pid %d, nice %d; 2 ms, 1 in 500 at 200 ms), %d operations/s (%d calls/s) for %v after a %v ramp, max_in_flight %d\n",
		wideWidth, mock.cmd.Process.Pid, wideMockNice, wideRate, wideRate*wideWidth, o.duration, wideRamp, wideInFlight)
	sc, err := scenarios.Parse("wide.yaml", []byte(inProcess))
	if err != nil {
		return err
	}
	return wideRun(ctx, o, out, wideScenario(fmt.Sprintf("    url: %q\n", mock.urls[0]), load), sc.Upstreams[0].Mock)
}

// wideScenario is the wide check's scenario, the shard as shard says.
func wideScenario(shard, load string) string {
	return fmt.Sprintf(`name: wide
seed: %d
upstreams:
  shard:
%soperation:
  calls:
    - {upstream: shard, method: GET, path: "/shard/{{.Index}}", repeat: %d}
strategies: [fanout]
load: %s
`, wideSeed, shard, wideWidth, load)
}

// wideRun runs scenario and prints the harness overhead: the result's
// when its shard was in process (standalone nil), else the difference of
// the percentiles from those of the ideal latencies, drawn from
// standalone, the shard's mock.
func wideRun(ctx context.Context, o options, out io.Writer, scenario string, standalone *mockupstream.Config) error {
	r, err := runFanbench(ctx, o, "wide", scenario)
	if err != nil {
		return err
	}
	sr := &r.result.Strategies[0]
	fmt.Fprintf(out, "%s\n", describe(sr))
	calls := 0.0
	for _, u := range sr.Upstreams {
		calls += float64(u.Calls)
	}
	var p50, p99 float64
	how := "per operation, measured − ideal"
	if standalone == nil {
		h := sr.HarnessOverhead
		if h == nil {
			return fmt.Errorf("no harness overhead in the result: the ideal latency was not known")
		}
		p50, p99 = h.P50, h.P99
	} else {
		// The measured operations follow the ramp's: on a linear ramp
		// from 0, rate × ramp / 2 operations were due in it.
		first := uint64(wideRate * wideRamp.Seconds() / 2)
		ideal, err := wideIdeal(*standalone, first, sr.Operations)
		if err != nil {
			return err
		}
		p50, p99 = sr.Latency.P50-ms(quantile(ideal, 0.5)), sr.Latency.P99-ms(quantile(ideal, 0.99))
		how = fmt.Sprintf("measured − ideal percentile; ideal p50 %.2f ms, p99 %.2f ms from the shard's draws", ms(quantile(ideal, 0.5)), ms(quantile(ideal, 0.99)))
	}
	fmt.Fprintf(out, "calls %.0f/s, harness overhead p50 %.2f ms, p99 %.2f ms (%s); peak RSS %s\n",
		calls/sr.DurationS, p50, p99, how, mib(r.maxRSS))
	for _, w := range r.result.Warnings {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	fmt.Fprintf(out, "target: harness overhead p99 <= %.0f ms at %d operations/s: %s\n", wideTargetMS, wideRate,
		verdict(p99 <= wideTargetMS && sr.ErrorRate == 0 && sr.Dropped == 0 && float64(sr.Operations) >= 0.95*wideRate*o.duration.Seconds()))
	return nil
}

// wideIdeal returns, sorted, the ideal latencies of operations first to
// first+n-1: the slowest of each one's wideWidth drawn delays.
func wideIdeal(c mockupstream.Config, first, n uint64) ([]time.Duration, error) {
	if n == 0 {
		return nil, fmt.Errorf("no operation was measured")
	}
	b, err := mockupstream.Compile(c)
	if err != nil {
		return nil, err
	}
	d := mockupstream.NewDrawer(wideSeed, "shard", b)
	ideal := make([]time.Duration, 0, n)
	for seq := first; seq < first+n; seq++ {
		var slowest time.Duration
		for i := range uint32(wideWidth) {
			slowest = max(slowest, d.DrawCall(0, seq, i, 0).Latency)
		}
		ideal = append(ideal, slowest)
	}
	slices.Sort(ideal)
	return ideal, nil
}
