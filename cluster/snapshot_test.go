package cluster

import (
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
)

// The snapshotter sends each second's values once; the tally sums them,
// counting a snapshot sent twice (a retried publish) once, so that what
// it holds at the end is what the agent measured.
func TestSnapshotsSumToTheRun(t *testing.T) {
	t.Parallel()
	live := metrics.NewLive()
	rec := metrics.NewRecorder(metrics.Layout{Upstreams: []string{"a"}, Failures: []string{"timeout"}, CallsPerOperation: 1, Live: live})
	var sent []Snapshot
	s := &snapshotter{segment: 1, strategy: func(string) int { return 0 }, publish: func(sn Snapshot) { sent = append(sent, sn) }}
	began := time.Unix(1000, 0)
	record := func(n int, latency time.Duration, o metrics.Outcome) {
		for range n {
			rec.RecordOperation(o, latency, latency, 0, 0)
			rec.RecordCall(metrics.CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: latency})
		}
	}
	export := func(sec int, final bool) {
		s.Export(runner.LiveSnapshot{Strategy: "fanout", Started: began, At: began.Add(time.Duration(sec) * time.Second),
			Final: final, Counts: live.Read()})
	}
	record(3, 10*time.Millisecond, metrics.OutcomeOK)
	export(1, false)
	export(2, false) // a second with nothing new
	record(2, 30*time.Millisecond, metrics.OutcomeFailed)
	export(3, true)
	if len(sent) != 3 || sent[0].K != 0 || sent[2].K != 2 || !sent[2].Final || sent[1].Latency != "" {
		t.Fatalf("sent %+v; want 3 snapshots numbered 0-2, the second empty, the last final", sent)
	}
	tl := newTally()
	for _, sn := range []Snapshot{sent[0], sent[1], sent[0], sent[2], sent[2]} { // copies of 0 and 2
		tl.add(sn)
	}
	sr, err := tl.result("fanout", "fanout")
	if err != nil {
		t.Fatal(err)
	}
	if sr.Operations != 5 || sr.Outcomes.OK != 3 || sr.Outcomes.Failed != 2 || sr.Upstreams[0].Calls != 5 || sr.Upstreams[0].Statuses["200"] != 5 {
		t.Errorf("tally: %d operations %+v, upstream %+v; want 5 (3 ok, 2 failed), 5 calls answered 200", sr.Operations, sr.Outcomes, sr.Upstreams[0])
	}
	h, err := metrics.DecodeHistogram(sr.Histograms["latency"])
	if err != nil || h.Count() != 5 || h.Quantile(100) < 29*time.Millisecond {
		t.Errorf("latency histogram: %v, %v; want 5 values up to 30 ms", h, err)
	}
	if len(sr.Windows) != 3 || sr.Windows[0].Completed != 3 || sr.Windows[2].Completed != 2 || sr.Windows[2].Failed != 2 {
		t.Errorf("windows %+v; want 3 seconds: 3 completed, none, 2 failed", sr.Windows)
	}
	if err := (&metrics.Result{Schema: metrics.Schema, Strategies: []metrics.StrategyResult{sr}}).Check("tally"); err != nil {
		t.Errorf("the tally's result is inconsistent: %v", err)
	}
}

// Snapshots read while the agent records can catch an operation midway:
// its outcome counted and not yet its latency, one histogram and not
// another. A result from such snapshots alone (an agent lost before its
// final one) still agrees with itself: the late outcome moves to the next
// second, one whose latency never came is not counted, and a histogram or
// upstream the last snapshot caught midway is left out.
func TestTornSnapshotsMakeAConsistentResult(t *testing.T) {
	t.Parallel()
	enc := func(ms ...int) string {
		if len(ms) == 0 {
			return ""
		}
		h := metrics.NewHistogram()
		for _, v := range ms {
			h.Record(time.Duration(v) * time.Millisecond)
		}
		s, err := h.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	snaps := []Snapshot{
		// 3 outcomes, 2 latencies: the third operation's latency comes next second.
		{K: 0, AtS: 1, Outcomes: metrics.Outcomes{OK: 2, Failed: 1}, Latency: enc(10, 10), Service: enc(9, 9), Lag: enc(0, 0),
			Upstreams: []upstreamSnapshot{{Name: "a", Attempts: 3, Statuses: map[int]uint64{200: 2}, Failures: map[string]uint64{"timeout": 1}, Latency: enc(9, 9)}}},
		{K: 1, AtS: 2, Outcomes: metrics.Outcomes{OK: 1}, Latency: enc(20, 20), Service: enc(19, 19), Lag: enc(0, 0),
			Upstreams: []upstreamSnapshot{{Name: "a", Attempts: 1, Statuses: map[int]uint64{200: 1}, Latency: enc(19, 19)}}},
		// The last: 2 outcomes, 1 latency, 2 service times; upstream b caught
		// with a status and no latency yet.
		{K: 2, AtS: 3, Outcomes: metrics.Outcomes{OK: 2}, Latency: enc(30), Service: enc(29, 29), Lag: enc(0),
			Upstreams: []upstreamSnapshot{{Name: "a", Attempts: 1, Statuses: map[int]uint64{200: 1}, Latency: enc(29)},
				{Name: "b", Attempts: 1, Statuses: map[int]uint64{200: 1}}}},
	}
	tl := newTally()
	for _, sn := range snaps {
		tl.add(sn)
	}
	sr, err := tl.result("fanout", "fanout")
	if err != nil {
		t.Fatal(err)
	}
	if sr.Operations != 5 || sr.Outcomes != (metrics.Outcomes{OK: 4, Failed: 1}) {
		t.Errorf("%d operations %+v; want the 5 whose latency arrived, 4 ok and 1 failed", sr.Operations, sr.Outcomes)
	}
	var completed []uint64
	for _, w := range sr.Windows {
		completed = append(completed, w.Completed)
	}
	if len(completed) != 3 || completed[0] != 2 || completed[1] != 2 || completed[2] != 1 {
		t.Errorf("completed by second %v; want [2 2 1], as the latencies arrived", completed)
	}
	if h, err := metrics.DecodeHistogram(sr.Histograms["service_time"]); err != nil || h.Count() != 5 {
		t.Errorf("service times %v (%v); want the 5 lowest of 6", h, err)
	}
	if len(sr.Upstreams) != 1 || sr.Upstreams[0].Calls != 5 || sr.Upstreams[0].Statuses["timeout"] != 1 || sr.Upstreams[0].Statuses["200"] != 4 {
		t.Errorf("upstreams %+v; want a alone (b has no timed call), 5 calls: 4 answered 200 and its timeout", sr.Upstreams)
	}
	if err := (&metrics.Result{Schema: metrics.Schema, Strategies: []metrics.StrategyResult{sr}}).Check("tally"); err != nil {
		t.Errorf("the tally's result is inconsistent: %v", err)
	}
}

// settle keeps as many outcomes as latencies arrived and hands the rest on;
// a second short of outcomes (after a lost snapshot) counts the missing ok
// and hands nothing on.
func TestSettle(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		o          metrics.Outcomes
		n          uint64
		now, later metrics.Outcomes
	}{
		{metrics.Outcomes{OK: 3, Failed: 1}, 4, metrics.Outcomes{OK: 3, Failed: 1}, metrics.Outcomes{}},
		{metrics.Outcomes{OK: 3, Partial: 1, Failed: 1}, 3, metrics.Outcomes{OK: 3}, metrics.Outcomes{Partial: 1, Failed: 1}},
		{metrics.Outcomes{OK: 3, Failed: 1}, 1, metrics.Outcomes{OK: 1}, metrics.Outcomes{OK: 2, Failed: 1}},
		{metrics.Outcomes{OK: 1, Failed: 1}, 4, metrics.Outcomes{OK: 3, Failed: 1}, metrics.Outcomes{}},
	} {
		now, later := settle(c.o, c.n)
		if now != c.now || later != c.later {
			t.Errorf("settle(%+v, %d) = %+v, %+v; want %+v, %+v", c.o, c.n, now, later, c.now, c.later)
		}
	}
}
