package metrics

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var testLayout = Layout{Upstreams: []string{"profile", "audit"}, Failures: []string{"timeout", "reset"}}

func TestHistogramPercentiles(t *testing.T) {
	t.Parallel()
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{50, 500 * time.Millisecond},
		{90, 900 * time.Millisecond},
		{99, 990 * time.Millisecond},
		{100, 1000 * time.Millisecond},
	}
	for _, tt := range tests {
		got := h.Quantile(tt.p)
		// 3 significant figures: within 0.1% of the true value.
		if diff := got - tt.want; diff < -tt.want/1000 || diff > tt.want/1000 {
			t.Errorf("Quantile(%v) = %v, want %v ± 0.1%%", tt.p, got, tt.want)
		}
	}
	if s := h.Summary(); s.Count != 1000 || s.Mean < 499 || s.Mean > 502 {
		t.Errorf("Summary() = %+v, want count 1000 and mean ≈ 500.5 ms", s)
	}
}

func TestHistogramBounds(t *testing.T) {
	t.Parallel()
	h := NewHistogram()
	h.Record(0)
	h.Record(2 * time.Minute)
	if h.Count() != 2 {
		t.Errorf("Count() = %d, want 2: out-of-range values must still be counted", h.Count())
	}
	if h.Overflow != 1 {
		t.Errorf("Overflow = %d, want 1", h.Overflow)
	}
}

// A histogram of only lowest values (a rate limiter's zero waits) holds no
// HDR counts, yet reads, merges and encodes as one that does.
func TestHistogramOfLowestValuesOnly(t *testing.T) {
	t.Parallel()
	full := func(values ...time.Duration) *Histogram {
		h := NewHistogram()
		for _, v := range values {
			h.Record(v)
		}
		return h
	}
	tests := []struct {
		name      string
		a, b      *Histogram
		wantCount int64
		wantP99   time.Duration
		wantLazy  bool // the merge still holds no HDR counts
	}{
		{"lowest into lowest", full(0, time.Microsecond), full(0), 3, time.Microsecond, true},
		{"lowest into full", full(5 * time.Millisecond), full(0, 0), 3, 5 * time.Millisecond, false},
		{"full into lowest", full(0, 0), full(5 * time.Millisecond), 3, 5 * time.Millisecond, false},
		{"empty into empty", full(), full(), 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.Merge(tt.b)
			if got := tt.a.h == nil; got != tt.wantLazy {
				t.Errorf("HDR counts unallocated = %v, want %v", got, tt.wantLazy)
			}
			if got := tt.a.Count(); got != tt.wantCount {
				t.Errorf("Count() = %d, want %d", got, tt.wantCount)
			}
			if got := tt.a.Quantile(99); got < tt.wantP99 || got > tt.wantP99+tt.wantP99/1000 {
				t.Errorf("Quantile(99) = %v, want %v", got, tt.wantP99)
			}
			enc, err := tt.a.Encode()
			if err != nil {
				t.Fatal(err)
			}
			dec, err := DecodeHistogram(enc)
			if err != nil {
				t.Fatal(err)
			}
			if dec.Count() != tt.wantCount || dec.Quantile(99) != tt.a.Quantile(99) {
				t.Errorf("round trip: count %d, p99 %v; want %d, %v", dec.Count(), dec.Quantile(99), tt.wantCount, tt.a.Quantile(99))
			}
		})
	}
}
func TestRecordAllocatesNothing(t *testing.T) {
	r := NewRecorder(testLayout)
	allocs := testing.AllocsPerRun(1000, func() {
		r.RecordOperation(OutcomePartial, 300*time.Millisecond, 299*time.Millisecond, time.Microsecond, time.Microsecond)
		r.RecordCall(CallSample{Upstream: 1, Status: 503, Failure: -1, Attempts: 1, Latency: 300 * time.Millisecond})
		r.RecordCall(CallSample{Upstream: 0, Failure: 1, Attempts: 3, Latency: 20 * time.Millisecond,
			Got429: 2, TooEarly: 1, LimiterWait: 5 * time.Millisecond, ConnWait: time.Millisecond})
	})
	if allocs != 0 {
		t.Errorf("recording allocates %v times per operation, want 0", allocs)
	}
}

func fill(r *Recorder, from, to int) {
	for i := from; i < to; i++ {
		d := time.Duration(i%700+1) * time.Millisecond
		r.RecordOperation(Outcome(i%3), d, d-time.Millisecond, time.Duration(i%5)*time.Microsecond, time.Duration(i%5)*time.Microsecond)
		r.RecordCall(CallSample{Upstream: i % 2, Status: []int{200, 503, 0}[i%3], Failure: i % 2, Attempts: 1 + i%3,
			Latency: d / 2, Got429: i % 3 / 2, TooEarly: i % 5 / 4, LimiterWait: time.Duration(i%4) * time.Millisecond,
			ConnWait: time.Duration(i%8/6) * 3 * time.Millisecond})
	}
}

func TestMergeOfHalvesEqualsWhole(t *testing.T) {
	t.Parallel()
	whole, a, b := NewRecorder(testLayout), NewRecorder(testLayout), NewRecorder(testLayout)
	fill(whole, 0, 5000)
	fill(a, 0, 2345)
	fill(b, 2345, 5000)
	a.Merge(b)
	gotRes, err := a.Summarize("fanout", time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantRes, err := whole.Summarize("fanout", time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotRes, wantRes) {
		t.Errorf("merged halves summarize to\n%+v\nwant the whole's\n%+v", gotRes, wantRes)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	r := NewRecorder(testLayout)
	fill(r, 0, 300)
	s, err := r.Summarize("sequential", 10*time.Second, 2)
	if err != nil {
		t.Fatal(err)
	}
	if s.Operations != 300 || s.Outcomes != (Outcomes{OK: 100, Partial: 100, Failed: 100}) {
		t.Errorf("operations %d outcomes %+v, want 300 split evenly", s.Operations, s.Outcomes)
	}
	if s.Throughput != 30 {
		t.Errorf("Throughput = %v, want 30", s.Throughput)
	}
	if want := 200.0 / 300; s.ErrorRate != want {
		t.Errorf("ErrorRate = %v, want %v", s.ErrorRate, want)
	}
	wantStatuses := map[string]uint64{"200": 50, "503": 50, "timeout": 50}
	if got := s.Upstreams[0].Statuses; !reflect.DeepEqual(got, wantStatuses) {
		t.Errorf("profile statuses = %v, want %v", got, wantStatuses)
	}
	if got := s.Upstreams[1].Statuses["reset"]; got != 50 {
		t.Errorf("audit resets = %d, want 50", got)
	}
	// fill: attempts 1+i%3, so retries i%3; a 429 when i%3 == 2; too early
	// when i%5 == 4; a wait of i%4 ms. Profile gets the even i.
	var want UpstreamResult
	waits := 0
	for i := 0; i < 300; i += 2 {
		want.Calls++
		want.Attempts += uint64(1 + i%3)
		want.Retries += uint64(i % 3)
		want.Responses429 += uint64(i % 3 / 2)
		want.TooEarly += uint64(i % 5 / 4)
		if i%4 != 0 {
			waits++
		}
	}
	p := s.Upstreams[0]
	if p.Calls != want.Calls || p.Attempts != want.Attempts || p.Retries != want.Retries ||
		p.Responses429 != want.Responses429 || p.TooEarly != want.TooEarly {
		t.Errorf("profile calls/attempts/retries/429s/too early = %d/%d/%d/%d/%d, want %d/%d/%d/%d/%d",
			p.Calls, p.Attempts, p.Retries, p.Responses429, p.TooEarly,
			want.Calls, want.Attempts, want.Retries, want.Responses429, want.TooEarly)
	}
	if waits == 0 || p.LimiterWait == nil || p.LimiterWait.Count != int64(p.Calls) || p.LimiterWait.Max != 2 {
		t.Errorf("profile limiter wait = %+v, want every call counted and a max of 2 ms", p.LimiterWait)
	}
	if _, ok := s.Histograms["limiter_wait:profile"]; !ok {
		t.Error("no limiter_wait:profile histogram")
	}
	// A wait for a connection of 3 ms when i%8 == 6: 37 of profile's calls.
	if w := p.ConnWait; p.ConnWaited != 37 || w == nil || w.Count != int64(p.Calls) || math.Abs(w.Max-3) > 0.01 {
		t.Errorf("profile connection wait = %+v over %d calls that waited, want every call counted, 37 that waited, a max of 3 ms", w, p.ConnWaited)
	}
	if _, ok := s.Histograms["conn_wait:profile"]; !ok {
		t.Error("no conn_wait:profile histogram")
	}
	for _, key := range []string{"latency", "service_time", "schedule_lag", "upstream:profile", "upstream:audit"} {
		h, err := DecodeHistogram(s.Histograms[key])
		if err != nil {
			t.Fatalf("histogram %s: %v", key, err)
		}
		if key == "latency" && h.Count() != 300 {
			t.Errorf("decoded latency histogram has %d values, want 300", h.Count())
		}
	}
}

// Calls that never waited for the rate limit leave limiter_wait out; the
// new counters are in the JSON even when zero.
func TestSummarizeWithoutPolicies(t *testing.T) {
	t.Parallel()
	r := NewRecorder(testLayout)
	r.RecordOperation(OutcomeOK, time.Millisecond, time.Millisecond, 0, 0)
	r.RecordCall(CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: time.Millisecond})
	r.RecordCall(CallSample{Upstream: 1, Failure: 0, Attempts: 0})
	s, err := r.Summarize("fanout", time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range s.Upstreams {
		if u.LimiterWait != nil || u.ConnWait != nil || u.ConnWaited != 0 || u.Retries != 0 {
			t.Errorf("%s: limiter wait %+v, connection wait %+v (%d), retries %d; want none", u.Name, u.LimiterWait, u.ConnWait, u.ConnWaited, u.Retries)
		}
	}
	b, _ := json.Marshal(s.Upstreams[0])
	for _, key := range []string{`"retries":0`, `"responses_429":0`, `"too_early":0`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("upstream JSON %s lacks %s", b, key)
		}
	}
	if strings.Contains(string(b), "limiter_wait") {
		t.Errorf("upstream JSON %s has a limiter_wait though no call waited", b)
	}
}

func TestResultFileRoundTrip(t *testing.T) {
	t.Parallel()
	r := NewRecorder(testLayout)
	fill(r, 0, 1000)
	sr, err := r.Summarize("fanout", 5*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	res := &Result{
		Schema:      Schema,
		Scenario:    json.RawMessage(`{"name":"seed"}`),
		Environment: CurrentEnvironment("test"),
		StartedAt:   time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		DurationS:   5,
		Strategies:  []StrategyResult{sr},
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "result.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteResult(path, res); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	var gotScenario map[string]any
	if err := json.Unmarshal(got.Scenario, &gotScenario); err != nil || gotScenario["name"] != "seed" {
		t.Errorf("scenario read back as %s (%v), want name seed", got.Scenario, err)
	}
	got.Scenario = res.Scenario // indentation differs, the content was checked above
	if !reflect.DeepEqual(got, res) {
		t.Errorf("ReadResult(WriteResult(r)) differs:\n got %+v\nwant %+v", got, res)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d files after an atomic write, want 1 (no temporary left)", len(entries))
	}
}

func TestDecodeResultErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
	}{
		{"not json", "{"},
		{"other schema", `{"schema":"k6/v1"}`},
		{"bad histogram", `{"schema":"fanbench/result/v1","strategies":[{"name":"x","histograms":{"latency":"!!"}}]}`},
	}
	for _, tt := range tests {
		if _, err := DecodeResult(tt.name, []byte(tt.data)); !errors.Is(err, ErrNotResult) {
			t.Errorf("DecodeResult(%s) error = %v, want ErrNotResult", tt.name, err)
		}
	}
}

func FuzzDecodeResult(f *testing.F) {
	f.Add([]byte(`{"schema":"fanbench/result/v1","strategies":[]}`))
	f.Add([]byte(`{"schema":"fanbench/result/v1","strategies":[{"histograms":{"latency":"HISTFAAAAB14nJNpmSzMwMDAxQABzFCaEUzOWNZg/wEAJuUDPg=="}}]}`))
	f.Add([]byte(`{"schema":"fanbench/result/v1","strategies":[{"name":"x","windows":[{"at_s":0,"started":2,"buckets":[[5,2]]}],"tail_amplification":{"calls_per_operation":2},"cost":{"cpu_s":1}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeResult("fuzz", data)
		if err != nil {
			if !errors.Is(err, ErrNotResult) {
				t.Errorf("error %v does not match ErrNotResult", err)
			}
			return
		}
		// Round trip: what a decoded result encodes to decodes to a result
		// that encodes to the same bytes.
		once, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("decoded result does not encode again: %v", err)
		}
		r2, err := DecodeResult("again", once)
		if err != nil {
			t.Fatalf("re-encoded result %s does not decode: %v", once, err)
		}
		twice, err := json.Marshal(r2)
		if err != nil || string(twice) != string(once) {
			t.Errorf("round trip changed the result:\n%s\nthen\n%s (%v)", once, twice, err)
		}
	})
}

func BenchmarkRecordOperation(b *testing.B) {
	r := NewRecorder(testLayout)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d := time.Duration(i&1023) * time.Millisecond
		r.RecordOperation(OutcomeOK, d, d, 0, 0)
		r.RecordCall(CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: d})
		r.RecordCall(CallSample{Upstream: 1, Status: 200, Attempts: 1, Latency: d})
	}
}

// A call's attempts are recorded one by one in the upstream's attempt
// histogram, apart from the call's latency, which holds the backoffs.
func TestAttemptLatency(t *testing.T) {
	t.Parallel()
	r := NewRecorder(Layout{Upstreams: []string{"a"}, Failures: []string{"none"}, CallsPerOperation: 1})
	ms := time.Millisecond
	r.RecordOperation(OutcomeOK, 300*ms, 300*ms, 0, 0)
	r.RecordCall(CallSample{Upstream: 0, Status: 200, Attempts: 2, Latency: 300 * ms, AttemptLatencies: []time.Duration{3 * ms, 5 * ms}})
	sr, err := r.Summarize("s", time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	a := sr.Upstreams[0].AttemptLatency
	if a == nil || a.Count != 2 || a.Max < 4.9 || a.Max > 5.1 || sr.Upstreams[0].Latency.Max < 299 {
		t.Errorf("attempt latency %+v, call latency max %v; want 2 attempts up to 5 ms beside a call of 300 ms", a, sr.Upstreams[0].Latency.Max)
	}
	if _, ok := sr.Histograms["attempt_latency:a"]; !ok {
		t.Error("no attempt_latency:a histogram in the result")
	}
}

// Over 1% late is falling behind; exactly 1%, or no operations, is not.
func TestFellBehind(t *testing.T) {
	tests := []struct {
		late, n uint64
		want    bool
	}{
		{0, 0, false},
		{1, 100, false},
		{2, 100, true},
		{3, 200, true},
		{2, 200, false},
		{1, 0, false},
	}
	for _, tt := range tests {
		if got := FellBehind(tt.late, tt.n); got != tt.want {
			t.Errorf("FellBehind(%d, %d) = %v, want %v", tt.late, tt.n, got, tt.want)
		}
	}
}
