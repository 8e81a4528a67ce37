package htmlreport

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/reports/compare"
)

// The comparison overlays the baseline, fainter and dashed in the same
// colour, beside the current run, and sums up both runs.
func TestWriteComparison(t *testing.T) {
	t.Parallel()
	base, cur := everything(t), everything(t)
	cur.Strategies[1].Latency.P50 *= 0.5 // fanout got faster
	cur.Strategies[0].ErrorRate *= 2     // sequential got worse
	cur.Strategies = cur.Strategies[:3]  // queued is gone
	var b bytes.Buffer
	if err := WriteComparison(&b, base, cur, nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"fanbench comparison", "Baseline run: Thresholds: 3 of 5 failed", "Current run:", "gone: only in the baseline", "-50.0 %", "&#43;100.0 %",
		`class="num better"`, `class="num worse"`, "<script>" + echartsJS + "</script>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the comparison lacks %q", want)
		}
	}
	_, opts := options(t, page)
	col := coloursFor(strategyNames(cur), strategyNames(base))
	for _, id := range []string{"chart-spectrum", "chart-percentiles"} {
		var baseline, current int
		for _, s := range series(opts[id]) {
			name, _ := s["name"].(string)
			if !strings.HasPrefix(name, "fanout") {
				continue
			}
			colour := dig(s, "itemStyle", "color")
			if colour != col.of("fanout") {
				t.Errorf("%s: %q has colour %v, want fanout's %s", id, name, colour, col.of("fanout"))
			}
			switch {
			case strings.HasPrefix(name, "fanout · baseline"):
				baseline++
				if op, _ := dig(s, "itemStyle", "opacity").(float64); op == 0 || op >= 1 {
					t.Errorf("%s: the baseline %q is not fainter (opacity %v)", id, name, op)
				}
				if id == "chart-percentiles" && dig(s, "itemStyle", "borderType") != "dashed" {
					t.Errorf("%s: the baseline's bars are not dashed", id)
				}
			default:
				current++
			}
		}
		if baseline == 0 || current == 0 {
			t.Errorf("%s: fanout has %d baseline and %d current series, want both", id, baseline, current)
		}
	}
	// The bars stand side by side: each strategy's baseline just before it.
	names := []string{}
	for _, s := range series(opts["chart-percentiles"]) {
		names = append(names, s["name"].(string))
	}
	if got := strings.Join(names, ", "); got != "sequential · baseline, sequential, fanout · baseline, fanout, pooled-4 · baseline, pooled-4, queued · baseline · delivery" {
		t.Errorf("bar series = %s", got)
	}
}

// Escaping holds on the comparison page too.
func TestWriteComparisonEscapes(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteComparison(&b, everything(t), hostile(t), nil); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{xssScenario, xssStrategy, xssUpstream} {
		if strings.Contains(b.String(), raw) {
			t.Errorf("the comparison holds %q unescaped", raw)
		}
	}
}

// With what fanbench compare found, the page opens with its significance
// verdict and colours a cell only where the change counts.
func TestWriteComparisonVerdict(t *testing.T) {
	t.Parallel()
	base, cur := everything(t), everything(t)
	cur.Strategies[1].Latency.P50 *= 1.5 // fanout got slower: a regression
	cur.Strategies[0].ErrorRate *= 2     // sequential fails more: within noise
	p := 0.008
	change := 50.0
	c := &compare.Comparison{Scenario: "everything", Alpha: 0.05, Regressed: true,
		Baseline: compare.Side{Files: []string{"/home/ci/base.json"}}, Current: compare.Side{Files: []string{"cur.json"}},
		EnvironmentDifferences: []string{"CPUs: 2 in the baseline, 4 in the current results", "/home/ci/base.json was interrupted: its figures cover only what ran before the stop",
			"cur.json warned: sequential: the generator fell behind"},
		Notes: []string{"strategy queued is in the baseline only: not compared"},
		Strategies: []compare.StrategyComparison{
			{Name: "sequential", Mode: compare.ModeRepeats, BaselineRepeats: 5, CurrentRepeats: 5, Metrics: []compare.MetricComparison{
				{Metric: "error_rate", Unit: "%", Verdict: compare.Same}}},
			{Name: "fanout", Mode: compare.ModeRepeats, BaselineRepeats: 5, CurrentRepeats: 5, Metrics: []compare.MetricComparison{
				{Metric: "p50", Unit: "ms", Baseline: 61.1, Current: 91.6, Change: &change, ChangeUnit: "%", P: &p, Significant: true,
					Verdict: compare.Worse, Regression: true}}},
		}}
	var b bytes.Buffer
	if err := WriteComparison(&b, base, cur, c); err != nil {
		t.Fatal(err)
	}
	sum := summaryOf(t, b.String())
	for _, want := range []string{
		`<div class="verdict regressed" id="verdict" role="status">`,
		`<p class="verdict-headline">1 regression: significant and beyond tolerance.</p>`,
		"p50 of fanout is 50% worse (significant, p = 0.008)",
		"strategy queued is in the baseline only: not compared",
		"Mann-Whitney U test at α = 0.05 over 5 baseline and 5 current repeats",
		"Read with care: the environments differ", "CPUs: 2 in the baseline, 4 in the current results",
		"base.json was interrupted", // by its base name
		`class="num worse">61.1 ms → 91.6 ms<span class="sub">&#43;50.0 % · worse, p = 0.008</span>`,
		"&#43;100.0 % · ~</span>", // sequential's errors: not significant, not coloured
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("the comparison's summary lacks %q", want)
		}
	}
	if strings.Contains(sum, "/home/ci") || strings.Contains(sum, "cur.json warned") {
		t.Error("the page shows a local path, or a run's warning twice (it is shown in full with the run's warnings)")
	}
	if strings.Contains(sum, `class="num worse">5.56 %`) {
		t.Error("a change the comparison found within noise is coloured worse")
	}
	var plain bytes.Buffer
	if err := WriteComparison(&plain, base, cur, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.String(), "Not tested for significance") {
		t.Error("without a comparison, the page does not say that nothing was tested")
	}
}
