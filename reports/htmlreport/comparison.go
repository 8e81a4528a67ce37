package htmlreport

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports/compare"
)

// WriteComparison writes one self-contained page that sets current against
// baseline: the significance verdict of c (what `fanbench compare` found:
// which changes are beyond noise and tolerance), both runs' summaries, the
// headline figures of each strategy with their change and its verdict,
// and the percentile spectrum and percentile bars with each strategy's
// baseline drawn lighter and dashed beside its current run, in the
// strategy's colour. Strategies are matched by name; an async strategy is
// shown by its delivery, as it is judged. c may be nil: the page then
// shows the differences without saying whether they are beyond noise.
func WriteComparison(w io.Writer, baseline, current *metrics.Result, c *compare.Comparison) error {
	if baseline == nil || current == nil {
		return ErrNoResult
	}
	p, err := comparisonPage(baseline, current, c)
	if err != nil {
		return err
	}
	return render(w, p)
}

func comparisonPage(base, cur *metrics.Result, cmp *compare.Comparison) (*page, error) {
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
	p.Sections = append(p.Sections, comparisonSummary(base, cur, cmp, col))
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

// comparisonSummary shows the significance verdict, both runs' warnings
// and threshold verdicts and, per strategy, each headline figure as
// baseline → current with its change and, with cmp, its verdict.
func comparisonSummary(base, cur *metrics.Result, cmp *compare.Comparison, col colours) section {
	s := section{ID: "summary", Title: "Summary"}
	s.Blocks = append(s.Blocks, block{Verdict: significanceBox(cmp)})
	if items := environmentItems(cmp); len(items) > 0 {
		s.Blocks = append(s.Blocks, block{Callout: &callout{Kind: "warn", Title: "Read with care: the environments differ, or a run was interrupted", Items: items}})
	}
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
	async := false
	for _, name := range names {
		bs, inBase := find(base.Strategies, name)
		cs, inCur := find(cur.Strategies, name)
		b, c := figuresOf(bs), figuresOf(cs)
		row := []cell{{Text: name, Swatch: col.of(name)}}
		switch {
		case !inBase:
			row[0].Sub = "new: not in the baseline"
		case !inCur:
			row[0].Sub = "gone: only in the baseline"
		case b.async() || c.async():
			row[0].Sub = "by delivery"
			async = true
		}
		verdict := func(key string) *compare.MetricComparison { return metricOf(cmp, name, key) }
		row = append(row,
			change(float64(bs.Operations), float64(cs.Operations), inBase, inCur, func(v float64) string { return count(uint64(v)) }, 0, nil),
			change(b.throughput, c.throughput, inBase, inCur, func(v float64) string { return f1(v) + " ops/s" }, +1, verdict("throughput")),
			change(b.p50, c.p50, inBase, inCur, msText, -1, verdict("p50")),
			change(b.p99, c.p99, inBase, inCur, msText, -1, verdict("p99")),
			change(b.p999, c.p999, inBase, inCur, msText, -1, verdict("p99.9")),
			change(b.errorRate, c.errorRate, inBase, inCur, percentText, -1, verdict("error_rate")),
			change(b.requestsPerOp, c.requestsPerOp, inBase, inCur, f2, -1, nil),
		)
		t.Rows = append(t.Rows, row)
	}
	if cmp != nil {
		t.Note = "Each cell: baseline → current, the change and its verdict. Green is better, red worse, only where fanbench compare " +
			"found the change significant and beyond its tolerance; ~ is within noise."
	} else {
		t.Note = "Each cell: baseline → current, and the change. Green is better, red worse, by the figure alone: " +
			"whether a change is beyond the run-to-run noise is what fanbench compare tests."
	}
	if async {
		t.Rule = "A strategy marked “by delivery” answers its caller before the work is done: its latency is until its last call was delivered, " +
			"its errors those of the operations not delivered ok in full, as fanbench compare judges it."
	}
	s.Blocks = append(s.Blocks, block{Table: t})
	return s
}

// environmentItems are the comparison's environment differences, files
// named by their base names, without the runs that warned: each run's
// warnings are shown in full below.
func environmentItems(c *compare.Comparison) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, e := range c.EnvironmentDifferences {
		warned := false
		for _, f := range append(slices.Clone(c.Baseline.Files), c.Current.Files...) {
			warned = warned || strings.HasPrefix(e, f+" warned")
		}
		if !warned {
			out = append(out, baseNames(c, e))
		}
	}
	return out
}

// baseNames replaces the comparison's file paths in text with their base
// names: a page to share shows no local paths.
func baseNames(c *compare.Comparison, text string) string {
	for _, f := range append(slices.Clone(c.Baseline.Files), c.Current.Files...) {
		if b := filepath.Base(f); b != f {
			text = strings.ReplaceAll(text, f, b)
		}
	}
	return text
}

// significanceBox is what fanbench compare found, as the page's verdict:
// every change that counts, regressions first, and how it was decided.
func significanceBox(c *compare.Comparison) *verdictBox {
	if c == nil {
		return &verdictBox{Headline: "Not tested for significance: this page shows the differences; fanbench compare tells which are beyond noise."}
	}
	worse, better := compare.Changes(c)
	b := &verdictBox{Crowned: !c.Regressed, Basis: compare.Method(c)}
	switch {
	case len(worse) > 0:
		b.Headline = fmt.Sprintf("%d regression%s: significant and beyond tolerance.", len(worse), plural(len(worse)))
		b.Regressed = true
	case len(better) > 0:
		b.Headline = fmt.Sprintf("No regression; %d improvement%s.", len(better), plural(len(better)))
	default:
		b.Headline = "No significant change."
	}
	b.Lines = append(append(b.Lines, worse...), better...)
	for _, n := range c.Notes {
		b.Lines = append(b.Lines, baseNames(c, n))
	}
	return b
}

// metricOf finds what cmp says of a strategy's metric; nil without cmp or
// when it did not compare it.
func metricOf(cmp *compare.Comparison, strategy, key string) *compare.MetricComparison {
	if cmp == nil {
		return nil
	}
	for _, s := range cmp.Strategies {
		if s.Name != strategy {
			continue
		}
		for i, m := range s.Metrics {
			if m.Metric == key {
				return &s.Metrics[i]
			}
		}
	}
	return nil
}

// change is one comparison cell. better is +1 when higher is better, -1
// when lower is, 0 when neither. With the comparison's verdict m, the cell
// is coloured by it (a change that is not significant and beyond its
// tolerance is not); without, by the figure alone.
func change(b, c float64, inBase, inCur bool, text func(float64) string, better int, m *compare.MetricComparison) cell {
	switch {
	case inBase && !inCur:
		return num(text(b) + " → –")
	case !inBase && inCur:
		return num("– → " + text(c))
	case !inBase && !inCur:
		return num("–")
	}
	out := num(text(b) + " → " + text(c))
	switch {
	case b == c:
		out.Sub = "no change"
	case b != 0:
		out.Sub = fmt.Sprintf("%+.1f %%", (c-b)*100/b)
	default:
		out.Sub = "from 0"
	}
	if m != nil {
		switch m.Verdict {
		case compare.Worse:
			out.Class += " worse"
			out.Sub += " · worse, p = " + compare.PValue(m.P)
		case compare.Better:
			out.Class += " better"
			out.Sub += " · better, p = " + compare.PValue(m.P)
		default:
			out.Sub += " · ~"
		}
		return out
	}
	if better != 0 && b != c {
		if (c > b) == (better > 0) {
			out.Class += " better"
		} else {
			out.Class += " worse"
		}
	}
	return out
}
