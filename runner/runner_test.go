package runner

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// strategyByName returns the named strategy's result, after checking that
// the whole result agrees with itself as a reader checks it.
func strategyByName(t *testing.T, r *metrics.Result, name string) metrics.StrategyResult {
	t.Helper()
	if err := r.Check("run"); err != nil {
		t.Errorf("the result would be refused on reading: %v", err)
	}
	for _, s := range r.Strategies {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("result has no strategy %s", name)
	return metrics.StrategyResult{}
}

// The seed example, shortened: sequential costs the sum of the two fixed
// latencies (200 + 300 ms), fan-out the max (300 ms).
func TestSeedSequentialIsSumFanoutIsMax(t *testing.T) {
	t.Parallel()
	sc, err := scenarios.Example("seed")
	if err != nil {
		t.Fatal(err)
	}
	sc.Load.Duration = units.Duration(2 * time.Second)
	res, err := Run(t.Context(), sc, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Schema != metrics.Schema || res.Interrupted || len(res.Strategies) != 2 {
		t.Fatalf("Run = schema %q, interrupted %v, %d strategies; want %q, false, 2", res.Schema, res.Interrupted, len(res.Strategies), metrics.Schema)
	}
	tests := []struct {
		name    string
		wantP50 float64
	}{
		{"sequential", 500},
		{"fanout", 300},
	}
	for _, tt := range tests {
		s := strategyByName(t, res, tt.name)
		if s.Operations != 40 || s.Outcomes.OK != 40 {
			t.Errorf("%s: %d operations, %d ok; want 40 and 40", tt.name, s.Operations, s.Outcomes.OK)
		}
		if math.Abs(s.Latency.P50-tt.wantP50) > tt.wantP50*0.05 {
			t.Errorf("%s: p50 = %.1f ms, want %v ms ± 5%%", tt.name, s.Latency.P50, tt.wantP50)
		}
		// Latency counts from the intended start, so it can never beat the ideal.
		if s.Latency.P50 < tt.wantP50 {
			t.Errorf("%s: p50 = %.1f ms is below the ideal %v ms", tt.name, s.Latency.P50, tt.wantP50)
		}
		if s.HarnessOverhead == nil || s.HarnessOverhead.Count != 40 {
			t.Errorf("%s: harness overhead %+v, want 40 samples", tt.name, s.HarnessOverhead)
		}
		for _, u := range s.Upstreams {
			if u.Calls != 40 || u.Statuses["200"] != 40 {
				t.Errorf("%s: upstream %s got %d calls, statuses %v; want 40 answered 200", tt.name, u.Name, u.Calls, u.Statuses)
			}
		}
	}
}

// Paired draws: every strategy meets exactly the same faults, so both count
// exactly the outcomes the draws predict, operation for operation.
func TestPairedDrawsGiveEveryStrategyTheSameFaults(t *testing.T) {
	t.Parallel()
	auditCfg := mockupstream.Config{Latency: draws.Latency{Dist: "uniform", Min: units.Duration(time.Millisecond), Max: units.Duration(5 * time.Millisecond)},
		Errors: map[int]units.Fraction{503: 0.3}}
	profileCfg := mockupstream.Config{Errors: map[int]units.Fraction{500: 0.1}}
	sc := &scenarios.Scenario{
		Name: "paired",
		Seed: 7,
		Upstreams: scenarios.Upstreams{
			{Name: "profile", Mock: &profileCfg},
			{Name: "audit", Mock: &auditCfg},
		},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "profile", Method: "PUT", Path: "/users/{{.Seq}}", Critical: true},
			{Upstream: "audit", Method: "POST", Path: "/log"},
		}},
		Strategies: []scenarios.Strategy{{Name: "sequential"}, {Name: "fanout"}},
		Load:       scenarios.LoadSpec{Model: "open", Rate: 200, Duration: units.Duration(time.Second), MaxInFlight: 50},
	}
	// What the draws predict.
	var want metrics.Outcomes
	pb, _ := mockupstream.Compile(profileCfg)
	ab, _ := mockupstream.Compile(auditCfg)
	pd, ad := mockupstream.NewDrawer(7, "profile", pb), mockupstream.NewDrawer(7, "audit", ab)
	for seq := range uint64(200) {
		switch {
		case pd.Draw(seq, 0).Status != 200:
			want.Failed++
		case ad.Draw(seq, 0).Status != 200:
			want.Partial++
		default:
			want.OK++
		}
	}
	if want.Failed == 0 || want.Partial == 0 {
		t.Fatalf("the draws predict %+v; the test needs some of each", want)
	}
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Strategies {
		if s.Outcomes != want {
			t.Errorf("%s: outcomes %+v, want exactly the draws' %+v", s.Name, s.Outcomes, want)
		}
		if wantRate := float64(want.Partial+want.Failed) / 200; s.ErrorRate != wantRate {
			t.Errorf("%s: error rate %v, want %v", s.Name, s.ErrorRate, wantRate)
		}
	}
}

func TestRunStopsWhenInterrupted(t *testing.T) {
	t.Parallel()
	sc, err := scenarios.Example("seed")
	if err != nil {
		t.Fatal(err)
	}
	sc.Load.Duration = units.Duration(time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(500*time.Millisecond, cancel)
	res, err := Run(ctx, sc, Options{Grace: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || len(res.Strategies) != 1 {
		t.Fatalf("Run = interrupted %v with %d strategies, want true with 1 (the one running at the stop)", res.Interrupted, len(res.Strategies))
	}
	s := res.Strategies[0]
	// Operations in flight at the stop finish within the grace period.
	if s.Operations == 0 || s.Outcomes.OK != s.Operations {
		t.Errorf("interrupted strategy: %d operations, outcomes %+v; want some, all ok", s.Operations, s.Outcomes)
	}
}

// The generator's lateness is one warning for the run, and only when it
// is material against the latencies: 1.1% late by 2 ms on 300 ms
// operations is a note, by 40 ms it is a warning naming the worst second.
func TestLateWarnings(t *testing.T) {
	t.Parallel()
	sr := func(late uint64, lagP99 float64) metrics.StrategyResult {
		return metrics.StrategyResult{Name: "fanout", Operations: 1000, LateStarts: late,
			ScheduleLag: metrics.Summary{P99: lagP99, Max: lagP99 * 2}, Latency: metrics.Summary{P50: 300},
			Windows: []metrics.Window{{AtS: 0, Started: 500, LateStarts: 1}, {AtS: 1, Started: 500, LateStarts: late - 1}}}
	}
	if got := lateWarnings([]metrics.StrategyResult{sr(10, 40)}); got != nil {
		t.Errorf("exactly 1%% late: %q, want no warning", got)
	}
	if got := lateWarnings([]metrics.StrategyResult{sr(11, 2)}); got != nil {
		t.Errorf("late by 2 ms on 300 ms operations: %q, want no warning (a note)", got)
	}
	got := lateWarnings([]metrics.StrategyResult{sr(11, 40), {Name: "sequential", Operations: 1000, Latency: metrics.Summary{P50: 500}}})
	if len(got) != 1 || !strings.Contains(got[0], "not trustworthy") || !strings.Contains(got[0], "most in second 1 of fanout (10 of 500)") {
		t.Errorf("late by 40 ms: %q, want one warning naming second 1", got)
	}
}

func brownoutScenario(from, to time.Duration) *scenarios.Scenario {
	cfg := mockupstream.Config{
		Latency: draws.Latency{Value: units.Duration(5 * time.Millisecond)},
		Incidents: []mockupstream.Incident{{
			Name: "brownout", From: units.Duration(from), To: units.Duration(to), LatencyScale: 10,
		}},
	}
	return &scenarios.Scenario{
		Name:       "brownout",
		Seed:       3,
		Upstreams:  scenarios.Upstreams{{Name: "slow", Mock: &cfg}},
		Operation:  scenarios.Operation{Calls: []scenarios.Call{{Upstream: "slow", Method: "GET", Path: "/"}}},
		Strategies: []scenarios.Strategy{{Name: "fanout"}},
		Load:       scenarios.LoadSpec{Model: "open", Rate: 50, Duration: units.Duration(time.Second), MaxInFlight: 50},
	}
}

// The ideal latency of an operation uses the incident in force at its
// intended start.
func TestIdealLatencyAtOffset(t *testing.T) {
	t.Parallel()
	sc := brownoutScenario(300*time.Millisecond, 600*time.Millisecond)
	s, _ := strategies.New("sequential", nil, nil, strategies.Env{})
	id, err := idealOf(sc, s)
	if err != nil || id == nil {
		t.Fatalf("idealOf = %v, %v; want an ideal", id, err)
	}
	calls := []strategies.Call{{UpstreamIndex: 0}}
	buf := make([]time.Duration, 1)
	tests := []struct {
		at   time.Duration
		want time.Duration
	}{
		{0, 5 * time.Millisecond},
		{299 * time.Millisecond, 5 * time.Millisecond},
		{300 * time.Millisecond, 50 * time.Millisecond},
		{599 * time.Millisecond, 50 * time.Millisecond},
		{600 * time.Millisecond, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		if got, ok := id.latency(tt.at, 1, calls, buf); !ok || got != tt.want {
			t.Errorf("ideal latency at %v = %v, %v; want %v, true", tt.at, got, ok, tt.want)
		}
	}
}

// End to end, inside a brownout that covers the whole run: operations take
// ten times longer, and the harness overhead stays small because the ideal
// knows it. (Without the incident in the ideal, the overhead would be 45 ms.)
func TestIdealFollowsIncidents(t *testing.T) {
	t.Parallel()
	res, err := Run(t.Context(), brownoutScenario(0, time.Hour), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Strategies[0]
	if s.Latency.P50 < 50 {
		t.Errorf("p50 latency %.1f ms: the brownout (5 ms × 10) did not show", s.Latency.P50)
	}
	if s.HarnessOverhead == nil || s.HarnessOverhead.P50 > 25 {
		t.Errorf("harness overhead %+v: p50 should be a few ms when the ideal follows the incident", s.HarnessOverhead)
	}
}

func TestNoIdealWhenTimingDependsOnLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  mockupstream.Config
		want bool
	}{
		{"plain", mockupstream.Config{}, false},
		{"rate limit", mockupstream.Config{RateLimit: mockupstream.RateLimit{Rate: 10, Burst: 1}}, true},
		{"capacity", mockupstream.Config{Capacity: mockupstream.Capacity{Concurrency: 2}}, true},
		{"slow body", mockupstream.Config{Body: mockupstream.Body{Size: 100, BytesPerSecond: 10}}, true},
		{"capacity in an incident", mockupstream.Config{Incidents: []mockupstream.Incident{{To: 1, Capacity: &mockupstream.Capacity{Concurrency: 1}}}}, true},
		{"errors in an incident", mockupstream.Config{Incidents: []mockupstream.Incident{{To: 1, Errors: map[int]units.Fraction{503: 1}}}}, false},
	}
	for _, tt := range tests {
		if got := loadDependent(&tt.cfg); got != tt.want {
			t.Errorf("loadDependent(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The "done when": with random paired draws, sequential's latency
// is the sum of its two calls' drawn latencies and fanout's the max,
// operation by operation, within a small overhead. The overhead histogram
// holds measured − ideal for every operation: its maximum bounds them all,
// and a p50 above zero shows the ideal is not too large (an ideal of the
// sum for fanout would put every operation below it, recorded as 0) while
// a p50 of a few milliseconds shows it is not too small (an ideal of the
// faster call would leave about 30 ms). Not parallel: the package's
// overload tests would add their noise to the bound.
func TestSumAndMaxOperationByOperation(t *testing.T) {
	uniform := func() *mockupstream.Config {
		return &mockupstream.Config{Latency: draws.Latency{Dist: draws.DistUniform,
			Min: units.Duration(10 * time.Millisecond), Max: units.Duration(100 * time.Millisecond)}}
	}
	sc := &scenarios.Scenario{
		Name: "sum-max", Seed: 5,
		Upstreams: scenarios.Upstreams{{Name: "a", Mock: uniform()}, {Name: "b", Mock: uniform()}},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "a", Method: "GET", Path: "/", Critical: true},
			{Upstream: "b", Method: "GET", Path: "/"},
		}},
		Strategies: []scenarios.Strategy{{Name: "sequential"}, {Name: "fanout"}},
		Load:       scenarios.LoadSpec{Model: "open", Rate: 100, Duration: units.Duration(time.Second), MaxInFlight: 100},
	}
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Strategies {
		o := s.HarnessOverhead
		if o == nil || uint64(o.Count) != s.Operations || s.Operations != 100 {
			t.Fatalf("%s: overhead %+v for %d operations; want one sample per operation, 100", s.Name, o, s.Operations)
		}
		// Loopback HTTP and the mock's timers cost about a millisecond at
		// the median under the race detector; the bound on every operation
		// leaves room for a loaded 2-core VM, where a stall of tens of
		// milliseconds happens.
		if o.P50 < 0.02 || o.P50 > 10 || o.Max > 100 {
			t.Errorf("%s: overhead p50 %.3f ms, max %.1f ms; want a p50 from 0.02 to 10 and a max of at most 100", s.Name, o.P50, o.Max)
		}
	}
	seq, fan := strategyByName(t, res, "sequential"), strategyByName(t, res, "fanout")
	// The sum of two uniform 10–100 ms delays has a median near 110 ms, the
	// max near 70: the two ideals differ, and each strategy follows its own.
	if seq.Latency.P50 < fan.Latency.P50+20 {
		t.Errorf("sequential p50 %.1f ms, fanout %.1f ms; want sequential well above", seq.Latency.P50, fan.Latency.P50)
	}
}
