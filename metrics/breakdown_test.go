package metrics

import (
	"testing"
	"time"
)

// Traced calls give their upstream a breakdown: new and reused
// connections, and each phase over the calls in which it took place;
// merging two results sums the counts and merges the histograms.
func TestBreakdownSummaryAndMerge(t *testing.T) {
	t.Parallel()
	r := NewRecorder(testLayout)
	for i := range 10 {
		ph := Phases{Traced: true, Reused: i > 0, TTFB: 20 * time.Millisecond, Body: time.Millisecond}
		if i == 0 {
			ph.Connect, ph.TLS = 2*time.Millisecond, 30*time.Millisecond
		}
		r.RecordCall(CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: 25 * time.Millisecond, Phases: ph})
	}
	r.RecordCall(CallSample{Upstream: 1, Status: 200, Attempts: 1, Latency: time.Millisecond}) // not traced
	sr, err := r.Summarize("fanout", time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := sr.Upstreams[0].Breakdown
	if b == nil || b.NewConnections != 1 || b.ReusedConnections != 9 || b.DNS != nil ||
		b.Connect == nil || b.Connect.Count != 1 || b.TLS.P50 < 29.9 || b.TLS.P50 > 30.1 || b.TTFB.Count != 10 || b.Body.Count != 10 {
		t.Fatalf("breakdown %+v", b)
	}
	if sr.Upstreams[1].Breakdown != nil {
		t.Errorf("an upstream without traced calls has a breakdown")
	}
	for _, key := range []string{"connect:profile", "tls:profile", "ttfb:profile", "body:profile"} {
		if sr.Histograms[key] == "" {
			t.Errorf("no histogram %s", key)
		}
	}
	if _, ok := sr.Histograms["dns:profile"]; ok {
		t.Errorf("a dns histogram without lookups")
	}
	a := &Result{Schema: Schema, Scenario: []byte(`{}`), Strategies: []StrategyResult{sr}}
	m, err := MergeResults(a, a, "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	mb := m.Strategies[0].Upstreams[0].Breakdown
	if mb == nil || mb.NewConnections != 2 || mb.ReusedConnections != 18 || mb.TTFB.Count != 20 || mb.TLS.Count != 2 {
		t.Errorf("merged breakdown %+v", mb)
	}
}
