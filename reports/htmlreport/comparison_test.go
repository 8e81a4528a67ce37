package htmlreport

import (
	"bytes"
	"strings"
	"testing"
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
	if err := WriteComparison(&b, base, cur); err != nil {
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
	if err := WriteComparison(&b, everything(t), hostile(t)); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{xssScenario, xssStrategy, xssUpstream} {
		if strings.Contains(b.String(), raw) {
			t.Errorf("the comparison holds %q unescaped", raw)
		}
	}
}
