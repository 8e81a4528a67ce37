package compare

import (
	"errors"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

func TestCompareRepeatsFindsTheRegression(t *testing.T) {
	t.Parallel()
	base, cur := repeatsFixture(54) // fanout p50 300 → 354 ms: +18%
	c := mustCompare(t, []*metrics.Result{base}, []*metrics.Result{cur}, Options{})
	if !c.Regressed {
		t.Fatal("an 18% slower fanout is not a regression")
	}
	p50 := findMetric(t, c, "fanout", "p50")
	if p50.Verdict != Worse || p50.P == nil || *p50.P > 0.01 || p50.BaselineN != 5 || p50.CurrentN != 5 {
		t.Errorf("fanout p50 = %+v, want worse with p < 0.01 over 5 + 5 repeats", p50)
	}
	if got := Headline(c); !strings.Contains(got, "p50 of fanout is 18% worse (significant, p = 0.008)") {
		t.Errorf("Headline = %q", got)
	}
	for _, m := range c.Strategies[0].Metrics {
		if c.Strategies[0].Name != "sequential" || m.Verdict != Same {
			t.Errorf("sequential %s: verdict %q (%+v), want ~", m.Metric, m.Verdict, m)
		}
	}
	if !c.SameSeed || notesContain(c, "seeds differ") {
		t.Errorf("same seed on both sides, got SameSeed %v, notes %q", c.SameSeed, c.Notes)
	}
	if got := Regressions(c); len(got) != 4 || got[0] != "fanout p50 (+18.0%)" {
		t.Errorf("Regressions = %q, want fanout's 4 latency percentiles beginning with p50", got)
	}
}

func TestCompareNoiseIsNoChange(t *testing.T) {
	t.Parallel()
	base, cur := repeatsFixture(1) // significant, but within every tolerance
	c := mustCompare(t, []*metrics.Result{base}, []*metrics.Result{cur}, Options{})
	if c.Regressed || Headline(c) != "no significant change" {
		t.Errorf("Regressed %v, Headline %q; want no change", c.Regressed, Headline(c))
	}
	if m := findMetric(t, c, "fanout", "p50"); !m.Significant || m.Note != "significant, within tolerance" {
		t.Errorf("fanout p50 = %+v, want significant, within tolerance", m)
	}
	// A tolerance of 0 makes the same shift count.
	c = mustCompare(t, []*metrics.Result{base}, []*metrics.Result{cur}, Options{Tolerances: Tolerances{"p50": {Value: 0}}})
	if m := findMetric(t, c, "fanout", "p50"); m.Verdict != Worse {
		t.Errorf("fanout p50 with a 0%% tolerance: %+v, want worse", m)
	}
}

func TestCompareFilesAreRepeats(t *testing.T) {
	t.Parallel()
	// Five files a side, one run each: the same test as five repeats.
	var bases, curs []*metrics.Result
	for k := range 5 {
		sc := scenarioJSON(42, "10s", "200ms")
		bases = append(bases, result(sc, strategy("fanout", []metrics.Repeat{repeat(42, 300, k)})))
		curs = append(curs, result(sc, strategy("fanout", []metrics.Repeat{repeat(42, 340, k)})))
	}
	c := mustCompare(t, bases, curs, Options{})
	s := c.Strategies[0]
	if s.Mode != ModeRepeats || s.BaselineRepeats != 5 || s.CurrentRepeats != 5 || !c.Regressed {
		t.Errorf("five files a side: mode %s, %d + %d repeats, regressed %v; want repeats, 5 + 5, true", s.Mode, s.BaselineRepeats, s.CurrentRepeats, c.Regressed)
	}
	if got := c.Baseline.Files; len(got) != 5 || got[0] != "baseline 1" {
		t.Errorf("Baseline.Files = %q", got)
	}
}

func TestCompareTooFewRepeats(t *testing.T) {
	t.Parallel()
	mk := func(p50 float64) *metrics.Result {
		return result(scenarioJSON(42, "10s", "200ms"), strategy("fanout", []metrics.Repeat{repeat(42, p50, 0), repeat(42, p50, 1)}))
	}
	c := mustCompare(t, []*metrics.Result{mk(300)}, []*metrics.Result{mk(400)}, Options{})
	if c.Regressed {
		t.Error("2 repeats a side cannot be significant, yet the comparison regressed")
	}
	m := findMetric(t, c, "fanout", "p50")
	if m.P == nil || *m.P < 0.3 || !strings.Contains(m.Note, "too few samples: need 4 repeats a side") {
		t.Errorf("fanout p50 = %+v, want p = 1/3 and a too-few-samples note", m)
	}
	if !notesContain(c, "need 4 repeats a side") || !notesContain(c, "smallest p possible is 0.33") {
		t.Errorf("notes %q lack the too-few-samples note", c.Notes)
	}
}

func TestCompareWindows(t *testing.T) {
	t.Parallel()
	mk := func(p50 float64, failedEvery int) *metrics.Result {
		s := strategy("fanout", []metrics.Repeat{repeat(42, p50, 0)})
		s.Windows = windows(10, p50, failedEvery)
		return result(scenarioJSON(42, "10s", "200ms"), s)
	}
	c := mustCompare(t, []*metrics.Result{mk(300, 0)}, []*metrics.Result{mk(360, 0)}, Options{})
	s := c.Strategies[0]
	if s.Mode != ModeWindows {
		t.Fatalf("one run a side: mode %s, want windows", s.Mode)
	}
	p50 := findMetric(t, c, "fanout", "p50")
	// Windows 1…8 are steady (9, the last one started in, may be a part
	// second): 8 a side, entirely apart.
	if p50.Verdict != Worse || p50.BaselineN != 8 || p50.CurrentN != 8 || *p50.P > 0.001 {
		t.Errorf("p50 over windows = %+v, want worse over 8 + 8 windows", p50)
	}
	p90 := findMetric(t, c, "fanout", "p90")
	if p90.P != nil || p90.Verdict != Same || !strings.Contains(p90.Note, "not tested") {
		t.Errorf("p90 has no per-second values, got %+v", p90)
	}
	if tp := findMetric(t, c, "fanout", "throughput"); tp.P == nil || *tp.P != 1 || tp.Verdict != Same {
		t.Errorf("throughput of equal windows = %+v, want p 1, ~", tp)
	}
	// An error in every window of the current side, 5% of its operations,
	// against none: told apart (in every other window it would not be).
	c = mustCompare(t, []*metrics.Result{mk(300, 0)}, []*metrics.Result{mk(300, 1)}, Options{})
	if er := findMetric(t, c, "fanout", "error_rate"); er.BaselineN != 8 || er.P == nil || *er.P >= DefaultAlpha {
		t.Errorf("error rate over windows = %+v, want 8 windows and a significant difference", er)
	}
	// Two seconds a side: too few.
	short := func(p50 float64) *metrics.Result {
		s := strategy("fanout", []metrics.Repeat{repeat(42, p50, 0)})
		s.Windows = windows(3, p50, 0)
		return result(scenarioJSON(42, "3s", "200ms"), s)
	}
	c = mustCompare(t, []*metrics.Result{short(300)}, []*metrics.Result{short(400)}, Options{})
	if c.Regressed || !notesContain(c, "steady seconds") {
		t.Errorf("two steady seconds a side: regressed %v, notes %q; want no regression and a note", c.Regressed, c.Notes)
	}
}

func TestCompareScenarios(t *testing.T) {
	t.Parallel()
	base := result(scenarioJSON(42, "10s", "200ms"), strategy("fanout", []metrics.Repeat{repeat(42, 300, 0)}))
	tests := []struct {
		name      string
		current   *metrics.Result
		wantErr   []string
		wantNotes []string
	}{
		{"other latency", result(scenarioJSON(42, "10s", "260ms"), strategy("fanout", []metrics.Repeat{repeat(42, 300, 0)})),
			[]string{"cur.json", "base.json", `upstreams.profile.mock.latency.value: "200ms" against "260ms"`}, nil},
		{"other duration and seed", result(scenarioJSON(7, "30s", "200ms"), strategy("fanout", []metrics.Repeat{repeat(7, 300, 0)})),
			nil, []string{"the seeds differ (baseline 42, current 7)", "paired draws are lost"}},
		{"no strategy in common", result(scenarioJSON(42, "10s", "200ms"), strategy("pooled", []metrics.Repeat{repeat(42, 300, 0)})),
			[]string{"no strategy in common"}, nil},
		{"extra strategy", result(scenarioJSON(42, "10s", "200ms"), strategy("fanout", []metrics.Repeat{repeat(42, 300, 0)}), strategy("pooled", []metrics.Repeat{repeat(42, 300, 0)})),
			nil, []string{"strategy pooled is in the current results only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Compare([]*metrics.Result{base}, []*metrics.Result{tt.current}, Options{BaselineNames: []string{"base.json"}, CurrentNames: []string{"cur.json"}})
			if tt.wantErr != nil {
				if err == nil || !errors.Is(err, metrics.ErrMismatch) {
					t.Fatalf("Compare = %v; want an ErrMismatch", err)
				}
				for _, f := range tt.wantErr {
					if !strings.Contains(err.Error(), f) {
						t.Errorf("error %q lacks %q", err, f)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.wantNotes {
				if !notesContain(c, f) {
					t.Errorf("notes %q lack %q", c.Notes, f)
				}
			}
		})
	}
}

func TestCompareSkipsAbsentMetrics(t *testing.T) {
	t.Parallel()
	base, cur := repeatsFixture(0)
	for i := range cur.Strategies[1].Repeats {
		cur.Strategies[1].Repeats[i].HarnessOverheadP99MS = 0 // real upstreams: no ideal latency
	}
	c := mustCompare(t, []*metrics.Result{base}, []*metrics.Result{cur}, Options{})
	for _, m := range c.Strategies[1].Metrics {
		if m.Metric == "harness_overhead_p99" {
			t.Errorf("fanout has no overhead in the current results, yet it is compared: %+v", m)
		}
	}
	if len(c.Strategies[0].Metrics) != len(allMetrics) {
		t.Errorf("sequential: %d metrics, want all %d", len(c.Strategies[0].Metrics), len(allMetrics))
	}
}

func TestCompareBadInput(t *testing.T) {
	t.Parallel()
	good := result(scenarioJSON(42, "10s", "200ms"), strategy("fanout", []metrics.Repeat{repeat(42, 300, 0)}))
	bad := result([]byte(`{"name": 3`), strategy("fanout", []metrics.Repeat{repeat(42, 300, 0)}))
	if _, err := Compare(nil, []*metrics.Result{good}, Options{}); err == nil {
		t.Error("Compare without a baseline: no error")
	}
	if _, err := Compare([]*metrics.Result{good}, []*metrics.Result{bad}, Options{CurrentNames: []string{"x.json"}}); err == nil || !strings.Contains(err.Error(), "x.json") {
		t.Errorf("Compare with an unreadable scenario = %v, want an error naming x.json", err)
	}
	if _, err := Compare([]*metrics.Result{good}, []*metrics.Result{good}, Options{Alpha: 2}); err == nil {
		t.Error("Compare with alpha 2: no error")
	}
}

func TestSteadyWindows(t *testing.T) {
	t.Parallel()
	ws := windows(10, 300, 0)
	if got := steadyWindows(ws); len(got) != 8 || got[0].AtS != 1 || got[7].AtS != 8 {
		t.Errorf("steadyWindows of 11 windows kept %d, from %d", len(got), got[0].AtS)
	}
	// A warm-up leaves leading windows empty.
	warm := append([]metrics.Window{{AtS: 0}, {AtS: 1}}, ws...)
	if got := steadyWindows(warm); len(got) != 8 {
		t.Errorf("steadyWindows after a warm-up kept %d, want 8", len(got))
	}
	if got := steadyWindows(ws[:2]); got != nil {
		t.Errorf("steadyWindows of 2 windows = %v, want none", got)
	}
}
