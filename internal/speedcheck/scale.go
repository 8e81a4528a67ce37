package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Target of the scale check (issue 5, "Speed"): 2,500 operations/s of 2 s
// each hold 5,000 operations in flight.
const (
	scaleRate     = 2500
	scaleLatency  = 2 * time.Second
	scaleInFlight = scaleRate * 2
)

// scale runs 5,000 operations in flight in a child fanbench, mocks in the
// child, with a cap above that and on_cap: drop, so an operation that found
// no slot would be counted as dropped rather than quietly delayed.
func scale(ctx context.Context, o options, out io.Writer) error {
	scenario := fmt.Sprintf(`name: scale
seed: 1
upstreams:
  a:
    mock: {latency: %v}
  b:
    mock: {latency: %v}
operation:
  calls:
    - {upstream: a, method: GET, path: /}
    - {upstream: b, method: GET, path: /}
strategies: [fanout]
load: {model: open, rate: %d/s, duration: %s, max_in_flight: %d, on_cap: drop}
`, scaleLatency, scaleLatency, scaleRate, o.duration, scaleInFlight*6/5)
	fmt.Fprintf(out, "scale: fanout of 2 calls to two in-process mocks (%v fixed), %d operations/s for %v, max_in_flight %d, on_cap: drop\n",
		scaleLatency, scaleRate, o.duration, scaleInFlight*6/5)
	r, err := runFanbench(ctx, o, "scale", scenario)
	if err != nil {
		return err
	}
	sr := &r.result.Strategies[0]
	peak := inFlightPeak(sr.Windows)
	fmt.Fprintf(out, "%s\n", describe(sr))
	fmt.Fprintf(out, "due and unfinished at the peak second %d (target %d in flight), dropped %d, interrupted %d, late starts %d (worst %.2f ms), peak RSS %s\n",
		peak, scaleInFlight, sr.Dropped, sr.Interrupted, sr.LateStarts, sr.ScheduleLag.Max, mib(r.maxRSS))
	// Held: on schedule (at most 1% of operations late, as the run's own
	// warning has it), so what was due was in flight, nothing dropped or cut off.
	onSchedule := sr.LateStarts*100 <= sr.Operations
	held := onSchedule && peak >= scaleInFlight*95/100 && sr.Dropped == 0 && sr.Interrupted == 0
	fmt.Fprintf(out, "5,000 in flight held on schedule with no drops: %s\n", verdict(held))
	for _, w := range r.result.Warnings {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	return nil
}
