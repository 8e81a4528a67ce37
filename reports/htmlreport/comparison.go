package htmlreport

import (
	"fmt"
	"io"
	"slices"

	"github.com/fanbench/fanbench/metrics"
)

// WriteComparison writes one self-contained page that sets current against
// baseline: both runs' summaries, the headline figures of each strategy
// with their change, and the percentile spectrum and percentile bars with
// each strategy's baseline drawn lighter and dashed beside its current run,
// in the strategy's colour. Strategies are matched by name. The page shows
// differences; whether they are beyond noise is for `fanbench compare`.
func WriteComparison(w io.Writer, baseline, current *metrics.Result) error {
	if baseline == nil || current == nil {
		return ErrNoResult
	}
	p, err := comparisonPage(baseline, current)
	if err != nil {
		return err
	}
	return render(w, p)
}

func comparisonPage(base, cur *metrics.Result) (*page, error) {
	bs, cs := scenarioOf(base.Scenario), scenarioOf(cur.Scenario)
	col := coloursFor(strategyNames(cur), strategyNames(base))
	heading := orUnnamed(cs.Name)
	if bs.Name != cs.Name {
		heading = orUnnamed(bs.Name) + " → " + orUnnamed(cs.Name)
	}
	p := &page{
		Title:       "fanbench comparison · " + heading,
		Kicker:      "fanbench comparison: baseline → current",
		Heading:     heading,
		Description: cs.Description,
		Meta:        comparisonMeta(base, cur),
		Footer:      footer(cur.Environment.FanbenchVersion),
	}
	p.Sections = append(p.Sections, comparisonSummary(base, cur, col))
	runs := []spectrumRun{{r: base, faint: true, tag: " · baseline"}, {r: cur}}
	spec, err := spectrumChart("chart-spectrum", runs, col, false)
	if err != nil {
		return nil, err
	}
	if spec != nil {
		spec.HowTo += " Operation latency only; lighter lines are the baseline, in the colour of the strategy's current line."
		p.Sections = append(p.Sections, soleChart("spectrum", spec))
	}
	bars, err := percentileBars("chart-percentiles", runs, col)
	if err != nil {
		return nil, err
	}
	if bars != nil {
		p.Sections = append(p.Sections, soleChart("percentiles", bars))
	}
	return p, nil
}

// comparisonMeta says when and where each run happened.
func comparisonMeta(base, cur *metrics.Result) []metaItem {
	when := func(r *metrics.Result) string {
		s := f1(r.DurationS) + " s"
		if !r.StartedAt.IsZero() {
			s = r.StartedAt.UTC().Format("2006-01-02 15:04 UTC") + ", " + s
		}
		if v := r.Environment.FanbenchVersion; v != "" {
			s += ", fanbench " + v
		}
		return s
	}
	return []metaItem{{"baseline", when(base)}, {"current", when(cur)}}
}

// comparisonSummary shows both runs' warnings and verdicts and, per
// strategy, each headline figure as baseline → current with its change.
func comparisonSummary(base, cur *metrics.Result, col colours) section {
	s := section{ID: "summary", Title: "Summary"}
	for _, run := range []struct {
		label string
		r     *metrics.Result
	}{{"Baseline", base}, {"Current", cur}} {
		if w := warningsOf(run.r); len(w) > 0 {
			s.Blocks = append(s.Blocks, block{Callout: &callout{Kind: "warn",
				Title: fmt.Sprintf("%s run: %d warning%s", run.label, len(w), plural(len(w))), Items: w}})
		}
		if v := verdictOf(run.r); v != nil {
			v.Title = run.label + " run: " + v.Title
			s.Blocks = append(s.Blocks, block{Callout: v})
		}
	}
	t := &table{Caption: "Baseline → current, per strategy",
		Head: []string{"strategy", "operations", "throughput", "p50", "p99", "p99.9", "errors", "requests / op"}}
	var names []string
	for _, st := range cur.Strategies {
		names = append(names, st.Name)
	}
	for _, st := range base.Strategies {
		if !slices.Contains(names, st.Name) {
			names = append(names, st.Name)
		}
	}
	for _, name := range names {
		b, inBase := find(base.Strategies, name)
		c, inCur := find(cur.Strategies, name)
		row := []cell{{Text: name, Swatch: col.of(name)}}
		switch {
		case !inBase:
			row[0].Sub = "new: not in the baseline"
		case !inCur:
			row[0].Sub = "gone: only in the baseline"
		}
		row = append(row,
			change(float64(b.Operations), float64(c.Operations), inBase, inCur, func(v float64) string { return count(uint64(v)) }, 0),
			change(b.Throughput, c.Throughput, inBase, inCur, func(v float64) string { return f1(v) + " ops/s" }, +1),
			change(b.Latency.P50, c.Latency.P50, inBase, inCur, msText, -1),
			change(b.Latency.P99, c.Latency.P99, inBase, inCur, msText, -1),
			change(b.Latency.P999, c.Latency.P999, inBase, inCur, msText, -1),
			change(b.ErrorRate, c.ErrorRate, inBase, inCur, percentText, -1),
			change(b.Amplification.Ratio, c.Amplification.Ratio, inBase, inCur, func(v float64) string { return f2(v) + "×" }, -1),
		)
		t.Rows = append(t.Rows, row)
	}
	t.Note = "Each cell: baseline → current, and the change. Green is better, red worse, by the figure alone: " +
		"whether a change is beyond the run-to-run noise is what fanbench compare tests."
	s.Blocks = append(s.Blocks, block{Table: t})
	return s
}

// change is one comparison cell. better is +1 when higher is better, -1
// when lower is, 0 when neither.
func change(b, c float64, inBase, inCur bool, text func(float64) string, better int) cell {
	switch {
	case inBase && !inCur:
		return num(text(b) + " → –")
	case !inBase && inCur:
		return num("– → " + text(c))
	case !inBase && !inCur:
		return num("–")
	}
	out := num(text(b) + " → " + text(c))
	if b == c {
		out.Sub = "no change"
		return out
	}
	if b != 0 {
		out.Sub = fmt.Sprintf("%+.1f %%", (c-b)*100/b)
	} else {
		out.Sub = "from 0"
	}
	if better != 0 {
		if (c > b) == (better > 0) {
			out.Class += " better"
		} else {
			out.Class += " worse"
		}
	}
	return out
}
