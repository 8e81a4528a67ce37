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
