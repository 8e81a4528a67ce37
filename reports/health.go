package reports

import (
	"fmt"

	"github.com/fanbench/fanbench/metrics"
)

// Concern is a sign that the system under test, not the harness, was in
// trouble under a strategy: it could not keep up, a pool or a queue
// saturated, the upstreams pushed back. Each names the figure and where in
// the report to look. A strategy with a concern is never crowned by the
// verdict: its latency or its error rate is the saturation's, not the
// strategy's.
type Concern struct {
	Strategy string
	// What says what was seen, with the figure; Where where to look.
	What, Where string
}

func (c Concern) String() string { return c.Strategy + ": " + c.What + " (" + c.Where + ")" }

// Thresholds of the concerns.
const (
	// keptUpShare: the operations completed per second in the second half
	// of the load must be at least this share of those started.
	keptUpShare = 0.95
	// busyShare: a pool busier than this, over the run, is saturated.
	busyShare = 0.90
	// pushbackShare: a share of attempts answered 429, of calls refused
	// by a breaker, or of an upstream's calls that waited for a connection
	// at its max_conns, above this means the upstreams (or the cap) set
	// the pace.
	pushbackShare = 0.05
	// growth: a backlog (or operations in flight) at the end of the load
	// larger than growth × its level at mid-load, by more than growthMin,
	// grew through the run.
	growth    = 1.5
	growthMin = 10
	// capLagMS: a schedule lag p99 above this, while the generator kept
	// its schedule, is operations held at the in-flight cap.
	capLagMS = 10
)

// Concerns lists the signs of trouble of the system under test in r, in
// strategy order.
func Concerns(r *metrics.Result) []Concern {
	var out []Concern
	for _, s := range r.Strategies {
		out = append(out, concerns(s)...)
	}
	return out
}

func concerns(s metrics.StrategyResult) []Concern {
	var out []Concern
	add := func(where, format string, args ...any) {
		out = append(out, Concern{Strategy: s.Name, What: fmt.Sprintf(format, args...), Where: where})
	}
	if s.Operations == 0 {
		add("the outcomes table", "no operation was measured")
		return out
	}
	if started, done, ok := secondHalf(s.Windows); ok && float64(done) < keptUpShare*float64(started) {
		add("the timeline", "could not keep up: %d operations completed of %d started in the second half of the load (%.0f%%)",
			done, started, float64(done)*100/float64(started))
	}
	if p := s.Pool; p != nil && p.Utilization > busyShare {
		add("the pool section", "the pool was %.0f%% busy (%d workers): calls waited for a worker", p.Utilization*100, p.Workers)
	}
	if q := s.Queue; q != nil {
		if mid, end, ok := grewThrough(q.Backlog, loadEnd(s.Windows)); ok {
			add("the backlog chart", "the backlog grew through the run, from %d to %d messages: consumers could not keep up", mid, end)
		}
	}
	if p := s.Pool; p != nil {
		if mid, end, ok := grewThrough(p.Depth, loadEnd(s.Windows)); ok {
			add("the pool section", "the pool's queue grew through the run, from %d to %d calls", mid, end)
		}
	}
	var attempts, got429, calls, refused uint64
	for _, u := range s.Upstreams {
		attempts += u.Attempts
		got429 += u.Responses429
		calls += u.Calls
		refused += u.Statuses[breakerOpen]
	}
	if attempts > 0 && float64(got429) > pushbackShare*float64(attempts) {
		add("the upstreams table", "%s of requests were answered 429: the upstreams' rate limits set the pace", pct(got429, attempts))
	}
	if calls > 0 && float64(refused) > pushbackShare*float64(calls) {
		add("the upstreams table", "%s of calls were refused by an open circuit breaker", pct(refused, calls))
	}
	for _, u := range s.Upstreams {
		if w := u.ConnWait; w != nil && float64(u.ConnWaited) > pushbackShare*float64(u.Calls) {
			add("the upstreams table", "%s of calls to %s waited for a connection at its max_conns (p99 %s ms): the cap set the pace",
				pct(u.ConnWaited, u.Calls), u.Name, ms(w.P99))
		}
	}
	switch {
	case s.Dropped > 0:
		add("the outcomes table", "%d operations were dropped at the in-flight cap", s.Dropped)
	case s.LatencyFrom != "actual_start" && s.ScheduleLag.P99 > capLagMS && !metrics.FellBehind(s.LateStarts, s.Operations):
		add("the outcomes table", "operations waited for a slot at the in-flight cap (schedule lag p99 %s ms)", ms(s.ScheduleLag.P99))
	}
	return out
}

// secondHalf counts the operations started and completed in the second
// half of the seconds in which operations were started (the load), when
// that half is at least two whole seconds: in a steady state the two are
// equal, and a strategy that cannot keep up completes fewer than it
// starts.
func secondHalf(ws []metrics.Window) (started, completed uint64, ok bool) {
	last := -1
	for i, w := range ws {
		if w.Started > 0 {
			last = i
		}
	}
	// The last second with starts may be partly empty: leave it out.
	if last < 4 {
		return 0, 0, false
	}
	for _, w := range ws[last/2 : last] {
		started += w.Started
		completed += w.Completed
	}
	return started, completed, started > 0
}

// grewThrough compares a sampled gauge (a backlog, a pool's queue) at the
// end of the load, loadEnd seconds in, with its level at mid-load: the
// largest sample of the last tenth of the load's samples against that of
// the tenth around the middle. Samples after the load (the drain) are left
// out; a series of fewer than 20 samples is not judged.
func grewThrough(samples []metrics.Sample, loadEnd float64) (mid, end int, ok bool) {
	var load []metrics.Sample
	for _, s := range samples {
		if s.AtS <= loadEnd {
			load = append(load, s)
		}
	}
	n := len(load)
	if n < 20 {
		return 0, 0, false
	}
	tenth := n / 10
	peak := func(from, to int) int {
		m := 0
		for _, s := range load[from:to] {
			m = max(m, s.Value)
		}
		return m
	}
	mid = peak(n/2-tenth/2, n/2+tenth/2+1)
	end = peak(n-tenth, n)
	return mid, end, float64(end) > growth*float64(mid) && end-mid > growthMin
}

// loadEnd is when the load ended, in seconds from the strategy's start:
// the end of the last second in which operations were started; 0 when no
// window says.
func loadEnd(ws []metrics.Window) float64 {
	end := 0.0
	for _, w := range ws {
		if w.Started > 0 {
			end = float64(w.AtS + 1)
		}
	}
	return end
}
