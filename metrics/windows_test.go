package metrics

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestWindowBucketsAreWithinASixteenth(t *testing.T) {
	t.Parallel()
	for _, us := range []int64{1, 7, 15, 16, 17, 100, 999, 12_345, 1_000_000, 59_999_999, highestMicros} {
		i := windowBucket(us)
		if i < 0 || i >= windowBuckets {
			t.Fatalf("windowBucket(%d) = %d, want in [0, %d)", us, i, windowBuckets)
		}
		got := windowBucketValue(i)
		if rel := math.Abs(float64(got-us)) / float64(us); rel > 1.0/16 {
			t.Errorf("windowBucketValue(windowBucket(%d µs)) = %d µs, off by %.1f%%, want within 6.25%%", us, got, rel*100)
		}
	}
	for i := 1; i < windowBuckets; i++ {
		if windowBucketValue(i) <= windowBucketValue(i-1) {
			t.Errorf("bucket %d value %d ≤ bucket %d's %d: buckets must rise", i, windowBucketValue(i), i-1, windowBucketValue(i-1))
		}
	}
}

func windowLayout() Layout {
	l := testLayout
	l.CallsPerOperation = 2
	l.Windows = NewWindows(len(l.Failures))
	return l
}

// One worker records operations intended at 0.5 s, 1.5 s, …; each takes
// 700 ms, so operation i starts in second i and completes in second i+1
// when it starts past the half.
func TestRecordWindow(t *testing.T) {
	t.Parallel()
	l := windowLayout()
	r := NewRecorder(l)
	for i := range 20 { // more seconds than a worker holds
		at := time.Duration(i)*time.Second + 500*time.Millisecond
		o := OutcomeOK
		if i%4 == 0 {
			o = OutcomeFailed
		}
		var genLag time.Duration // late every fifth; exactly LateStart is not late
		switch i % 5 {
		case 0:
			genLag = 2 * time.Millisecond
		case 1:
			genLag = LateStart
		}
		r.RecordWindow(o, at, 700*time.Millisecond, genLag)
		r.RecordCall(CallSample{Upstream: 0, Status: 503, Attempts: 1, Latency: time.Millisecond})
		r.RecordCall(CallSample{Upstream: 1, Failure: 0, Attempts: 1, Latency: time.Millisecond})
	}
	// A very slow one, and late: started in second 2, completed in second
	// 19, by when the worker no longer holds second 2.
	r.RecordWindow(OutcomeOK, 2*time.Second, 17*time.Second+100*time.Millisecond, 3*time.Millisecond)
	r.FlushWindows()
	ws := l.Windows.Result(l.Failures)
	if len(ws) != 21 {
		t.Fatalf("%d windows, want 21 (seconds 0 to 20)", len(ws))
	}
	for i, w := range ws {
		wantStarted, wantCompleted := uint64(1), uint64(1)
		if i == 20 {
			wantStarted = 0
		}
		if i == 0 {
			wantCompleted = 0
		}
		if i == 2 {
			wantStarted++
		}
		if i == 19 {
			wantCompleted++
		}
		if w.AtS != int64(i) || w.Started != wantStarted || w.Completed != wantCompleted {
			t.Errorf("window %d = at %d, started %d, completed %d; want at %d, started %d, completed %d",
				i, w.AtS, w.Started, w.Completed, i, wantStarted, wantCompleted)
		}
		var wantLate uint64
		if i%5 == 0 && i < 20 {
			wantLate++
		}
		if i == 2 {
			wantLate++
		}
		if w.LateStarts != wantLate {
			t.Errorf("window %d: %d late starts, want %d", i, w.LateStarts, wantLate)
		}
		if i == 0 {
			continue
		}
		if wantFailed := uint64(0); (i-1)%4 == 0 && w.Failed != 1 || (i-1)%4 != 0 && w.Failed != wantFailed {
			t.Errorf("window %d: %d failed, want 1 exactly when operation %d failed", i, w.Failed, i-1)
		}
		if w.CallFailures["http_5xx"] != 1 || w.CallFailures["timeout"] != 1 {
			t.Errorf("window %d: call failures %v, want http_5xx 1 and timeout 1", i, w.CallFailures)
		}
		if math.Abs(w.P50-700) > 700.0/16 || w.P99 > w.Max || (i != 19 && w.Max != 700) {
			t.Errorf("window %d: p50 %.1f, p99 %.1f, max %.1f ms; want p50 ≈ 700 (6.25%%), p99 ≤ max, max 700", i, w.P50, w.P99, w.Max)
		}
	}
	if ws[5].Min != 700 || ws[5].P50 != 700 || ws[5].P99 != 700 {
		t.Errorf("window 5: min %.1f, p50 %.1f, p99 %.1f ms; want 700 each (all its operations took 700 ms)", ws[5].Min, ws[5].P50, ws[5].P99)
	}
	if ws[19].Max != 17100 {
		t.Errorf("window 19 max = %.1f ms, want 17100", ws[19].Max)
	}
}

// Recording, windows and tail included, allocates nothing once the seconds
// it touches exist in the shared series.
func TestRecordWindowAllocatesNothing(t *testing.T) {
	l := windowLayout()
	r := NewRecorder(l)
	var i int
	record := func() {
		at := time.Duration(i%30) * 100 * time.Millisecond // 3 seconds, round and round
		i++
		r.RecordOperation(OutcomePartial, 300*time.Millisecond, 299*time.Millisecond, time.Microsecond, time.Microsecond)
		r.RecordWindow(OutcomePartial, at, 300*time.Millisecond, 0)
		r.RecordCall(CallSample{Upstream: 1, Status: 503, Failure: -1, Attempts: 1, Latency: 300 * time.Millisecond})
		r.RecordTail(2, 1)
	}
	for range 100 {
		record()
	}
	if allocs := testing.AllocsPerRun(1000, record); allocs != 0 {
		t.Errorf("recording with windows allocates %v times per operation, want 0", allocs)
	}
}

func TestTailAmplification(t *testing.T) {
	t.Parallel()
	r := NewRecorder(windowLayout())
	for i := range 1000 {
		over := 0
		if i%20 == 0 {
			over = 1
		}
		r.RecordTail(2, over)
	}
	got := r.tailResult()
	want := &TailAmplification{CallsPerOperation: 2, Operations: 1000, Slow: 50, Measured: 0.05,
		Predicted: 1 - 0.99*0.99, Calls: 2000, CallsOverP99: 50, CallShare: 0.025}
	if math.Abs(got.Predicted-want.Predicted) > 1e-12 {
		t.Errorf("Predicted = %v, want %v", got.Predicted, want.Predicted)
	}
	got.Predicted = want.Predicted
	if wantFromCalls := 1 - 0.975*0.975; math.Abs(got.PredictedFromCalls-wantFromCalls) > 1e-12 {
		t.Errorf("PredictedFromCalls = %v, want %v", got.PredictedFromCalls, wantFromCalls)
	}
	got.PredictedFromCalls = 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tailResult() = %+v, want %+v", got, want)
	}
	if r := NewRecorder(testLayout); r.tailResult() != nil {
		t.Errorf("tailResult() of a recorder without tail records = non-nil, want nil")
	}
}

// halves records operations 0…n into whole and, alternately, into a and b,
// with windows: two generators side by side, each sending half the load.
func halves(n int) (whole, a, b *Result, err error) {
	rec := func(from, step int) (*Result, error) {
		l := windowLayout()
		r := NewRecorder(l)
		for i := from; i < n; i += step {
			d := time.Duration(i%700+1) * time.Millisecond
			at := time.Duration(i) * 3 * time.Millisecond
			lag := time.Duration(i%5) * 600 * time.Microsecond // over LateStart for i%5 ≥ 2
			r.RecordOperation(Outcome(i%3), d, d-time.Millisecond, lag, lag)
			r.RecordWindow(Outcome(i%3), at, d, lag)
			r.RecordCall(CallSample{Upstream: i % 2, Status: []int{200, 503, 0}[i%3], Failure: i % 2, Attempts: 1 + i%3,
				Latency: d / 2, LimiterWait: time.Duration(i%4) * time.Millisecond})
			r.RecordTail(2, i%7/6)
			r.RecordOverhead(time.Duration(i%3) * time.Microsecond)
		}
		r.FlushWindows()
		sr, err := r.Summarize("fanout", 5*time.Second, 0)
		if err != nil {
			return nil, err
		}
		sr.Windows = l.Windows.Result(l.Failures)
		return &Result{Schema: Schema, Scenario: json.RawMessage(`{"name":"seed"}`),
			StartedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), DurationS: 6, Strategies: []StrategyResult{sr}}, nil
	}
	if whole, err = rec(0, 1); err != nil {
		return
	}
	if a, err = rec(0, 2); err != nil {
		return
	}
	b, err = rec(1, 2)
	return
}

func TestMergeResultsOfHalvesEqualsWhole(t *testing.T) {
	t.Parallel()
	whole, a, b, err := halves(5000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := MergeResults(a, b, "a.json", "b.json")
	if err != nil {
		t.Fatal(err)
	}
	// Through the file format, as the command does.
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(whole)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("MergeResults(halves) =\n%s\nwant the whole:\n%s", gotJSON, wantJSON)
	}
}

func TestMergeResultsRefusesOtherScenarios(t *testing.T) {
	t.Parallel()
	_, a, b, err := halves(10)
	if err != nil {
		t.Fatal(err)
	}
	b.Scenario = json.RawMessage(`{"name":"other"}`)
	if _, err := MergeResults(a, b, "a.json", "b.json"); !errors.Is(err, ErrMismatch) {
		t.Errorf("MergeResults(different scenarios) error = %v, want ErrMismatch", err)
	}
	b.Scenario = json.RawMessage(`{ "name" : "seed" }`)
	if _, err := MergeResults(a, b, "a.json", "b.json"); err != nil {
		t.Errorf("MergeResults(same scenario, other spacing) error = %v, want nil", err)
	}
}

func BenchmarkRecordWindow(b *testing.B) {
	l := windowLayout()
	r := NewRecorder(l)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d := time.Duration(i&1023) * time.Millisecond
		r.RecordOperation(OutcomeOK, d, d, 0, 0)
		r.RecordWindow(OutcomeOK, time.Duration(i)*100*time.Microsecond, d, 0)
		r.RecordCall(CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: d})
		r.RecordCall(CallSample{Upstream: 1, Status: 200, Attempts: 1, Latency: d})
	}
}
