package main

import (
	"context"
	"fmt"
	"io"
)

// Target of the wide check (the wide fan-out issue): a 100-way fan-out at
// 200 operations/s, 20,000 calls/s, with a harness overhead p99 of at most
// 5 ms.
const (
	wideRate     = 200
	wideWidth    = 100
	wideTargetMS = 5.0
)

// wide runs the tail-at-scale shape (100 shard calls, each about 2 ms, 1 in
// 500 about 200 ms), fanout only, at 200 operations/s with in-process
// mocks, whose paired draws give each operation's ideal latency: the
// harness overhead is measured against it.
func wide(ctx context.Context, o options, out io.Writer) error {
	scenario := fmt.Sprintf(`name: wide
seed: 11
upstreams:
  shard:
    mock:
      latency:
        components:
          - {weight: 99.8%%, latency: {dist: lognormal, p50: 2ms, p99: 6ms}}
          - {weight: 0.2%%, latency: {dist: uniform, min: 150ms, max: 250ms}}
operation:
  calls:
    - {upstream: shard, method: GET, path: "/shard/{{.Index}}", repeat: %d}
strategies: [fanout]
load: {model: open, rate: %d/s, duration: %s, warmup: 2s, max_in_flight: 2000}
`, wideWidth, wideRate, o.duration+2e9)
	fmt.Fprintf(out, "wide: fanout of %d calls to an in-process mock shard (2 ms, 1 in 500 at 200 ms), %d operations/s (%d calls/s) for %v\n",
		wideWidth, wideRate, wideRate*wideWidth, o.duration)
	r, err := runFanbench(ctx, o, "wide", scenario)
	if err != nil {
		return err
	}
	sr := &r.result.Strategies[0]
	fmt.Fprintf(out, "%s\n", describe(sr))
	if sr.HarnessOverhead == nil {
		return fmt.Errorf("no harness overhead in the result: the ideal latency was not known")
	}
	h := sr.HarnessOverhead
	calls := 0.0
	for _, u := range sr.Upstreams {
		calls += float64(u.Calls)
	}
	fmt.Fprintf(out, "calls %.0f/s, harness overhead p50 %.2f ms, p99 %.2f ms, max %.2f ms; peak RSS %s\n",
		calls/sr.DurationS, h.P50, h.P99, h.Max, mib(r.maxRSS))
	fmt.Fprintf(out, "target: harness overhead p99 <= %.0f ms at %d operations/s: %s\n", wideTargetMS, wideRate,
		verdict(h.P99 <= wideTargetMS && sr.Throughput >= 0.95*wideRate))
	return nil
}
