package metrics

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// consistentResult is a result as a run writes it: 80 operations of two
// calls each, windows included.
func consistentResult(t *testing.T) *Result {
	t.Helper()
	l := Layout{Upstreams: []string{"profile", "audit"}, Failures: []string{"none", "timeout"}, CallsPerOperation: 2, Windows: NewWindows(2)}
	r := NewRecorder(l)
	for i := range 80 {
		d := time.Duration(100+i) * time.Millisecond
		o := OutcomeOK
		if i%10 == 0 {
			o = OutcomePartial
		}
		r.RecordOperation(o, d, d, 0, 0)
		r.RecordWindow(o, time.Duration(i)*50*time.Millisecond, d, 0)
		r.RecordCall(CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: d})
		if o == OutcomePartial {
			r.RecordCall(CallSample{Upstream: 1, Failure: 1, Attempts: 1, Latency: d})
		} else {
			r.RecordCall(CallSample{Upstream: 1, Status: 200, Attempts: 1, Latency: d})
		}
	}
	r.FlushWindows()
	sr, err := r.Summarize("fanout", 4*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	sr.Windows = l.Windows.Result(l.Failures)
	return &Result{Schema: Schema, Scenario: json.RawMessage(`{"name":"t"}`), Strategies: []StrategyResult{sr}}
}

// TestResultConsistency: a result file whose figures disagree is refused
// on read, naming the field; a result as written passes.
func TestResultConsistency(t *testing.T) {
	t.Parallel()
	if err := consistentResult(t).Check("r.json"); err != nil {
		t.Fatalf("a result as written: %v", err)
	}
	half := NewHistogram()
	for range 40 {
		half.Record(100 * time.Millisecond)
	}
	halfEnc, _ := half.Encode()
	for _, tt := range []struct {
		name   string
		tamper func(s *StrategyResult)
		want   string
	}{
		{"operations doubled", func(s *StrategyResult) { s.Operations, s.Outcomes.OK = 160, 152 },
			"r.json: strategies[0] (fanout).histograms.latency: holds 80 values, but operations is 160"},
		{"a histogram of half the operations", func(s *StrategyResult) { s.Histograms["latency"] = halfEnc },
			"strategies[0] (fanout).histograms.latency: holds 40 values, but operations is 80"},
		{"histograms missing", func(s *StrategyResult) { s.Histograms = nil },
			"strategies[0] (fanout).histograms.latency: missing, but operations is 80"},
		{"a summary edited", func(s *StrategyResult) { s.Latency.P99 = 1 },
			"strategies[0] (fanout).latency.p99_ms: 1, but its histogram gives 178.047"},
		{"outcomes that do not add up", func(s *StrategyResult) { s.Outcomes.Failed = 5 },
			"strategies[0] (fanout).outcomes: ok 72 + partial 8 + failed 5 = 85, but operations is 80"},
		{"throughput", func(s *StrategyResult) { s.Throughput = 508745 },
			"strategies[0] (fanout).throughput: 508745, but operations / duration_s is 80 / 4 = 20"},
		{"error rate", func(s *StrategyResult) { s.ErrorRate = 0 },
			"strategies[0] (fanout).error_rate: 0, but the outcomes give 0.1"},
		{"windows", func(s *StrategyResult) { s.Windows = s.Windows[1:] },
			"strategies[0] (fanout).windows: 62 operations completed in them, but operations is 80"},
		{"statuses", func(s *StrategyResult) { s.Upstreams[1].Statuses["timeout"] = 100 },
			"strategies[0] (fanout).upstreams[1] (audit).statuses: add up to 172, but calls is 80"},
		{"upstream calls", func(s *StrategyResult) { s.Upstreams[0].Calls = 40; s.Upstreams[0].Statuses["200"] = 40 },
			"strategies[0] (fanout).upstreams[0] (profile): histograms.upstream:profile holds 80 values, but calls is 40"},
	} {
		r := consistentResult(t)
		tt.tamper(&r.Strategies[0])
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		_, err = DecodeResult("r.json", data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: DecodeResult = %v\nwant an error containing %q", tt.name, err, tt.want)
		}
		if !errors.Is(err, ErrInconsistent) || !errors.Is(err, ErrNotResult) {
			t.Errorf("%s: %v matches neither ErrInconsistent nor ErrNotResult", tt.name, err)
		}
	}
}

// TestMergedAndCombinedResultsAreConsistent: what merge and repeats write
// passes the checks that reading applies.
func TestMergedAndCombinedResultsAreConsistent(t *testing.T) {
	t.Parallel()
	a, b := consistentResult(t), consistentResult(t)
	m, err := MergeResults(a, b, "a.json", "b.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Check("merged"); err != nil {
		t.Errorf("merged: %v", err)
	}
	c, err := CombineRepeats([]StrategyResult{a.Strategies[0], b.Strategies[0]}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Result{Strategies: []StrategyResult{c}}).Check("combined"); err != nil {
		t.Errorf("combined: %v", err)
	}
}
