package htmlreport

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// baselineStrategy is what the speed-up column compares against, as in the
// terminal table.
const baselineStrategy = strategies.Baseline

// summarySection shows the warnings, the verdict on the thresholds, the
// winner per metric and the headline figures of every strategy.
func summarySection(r *metrics.Result, col colours) section {
	s := section{ID: "summary", Title: "Summary"}
	if w := warningsOf(r); len(w) > 0 {
		s.Blocks = append(s.Blocks, block{Callout: &callout{Kind: "warn",
			Title: fmt.Sprintf("%d warning%s: read the figures with care", len(w), plural(len(w))), Items: w}})
	}
	if v := verdictOf(r); v != nil {
		s.Blocks = append(s.Blocks, block{Callout: v})
	}
	cards, ties := winners(r.Strategies, col)
	if len(cards) > 0 {
		s.Blocks = append(s.Blocks, block{Cards: cards})
	}
	if len(ties) > 0 {
		s.Blocks = append(s.Blocks, block{Text: "Tied: " + strings.Join(ties, "; ") + "."})
	}
	s.Blocks = append(s.Blocks, block{Table: headlineTable(r.Strategies, col)})
	if t := thresholdTable(r, col); t != nil {
		s.Blocks = append(s.Blocks, block{Table: t})
	}
	return s
}

// warningsOf is the run's warnings, and the undelivered calls of a queued
// strategy, which the runner does not warn of.
func warningsOf(r *metrics.Result) []string {
	w := slices.Clone(r.Warnings)
	for _, s := range r.Strategies {
		if q := s.Queue; q != nil && q.Undelivered > 0 {
			w = append(w, fmt.Sprintf("%s: %s acknowledged calls were still undelivered when the drain deadline passed", s.Name, count(q.Undelivered)))
		}
	}
	return w
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// verdictOf is the thresholds' verdict; nil when the scenario set none.
func verdictOf(r *metrics.Result) *callout {
	if len(r.Thresholds) == 0 {
		return nil
	}
	failed := r.FailedThresholds()
	if failed == 0 {
		return &callout{Kind: "pass", Title: fmt.Sprintf("Thresholds: all %d passed", len(r.Thresholds))}
	}
	c := &callout{Kind: "fail", Title: fmt.Sprintf("Thresholds: %d of %d failed", failed, len(r.Thresholds))}
	for _, t := range r.Thresholds {
		if !t.Pass {
			c.Items = append(c.Items, fmt.Sprintf("%s: %s (measured %s)", t.Strategy, t.Threshold, measured(t)))
		}
	}
	return c
}

// measured shows a threshold's measured value in its unit.
func measured(t metrics.ThresholdResult) string {
	if t.Value == nil {
		if t.Note != "" {
			return t.Note
		}
		return "nothing measured"
	}
	v := *t.Value
	switch t.Unit {
	case "ms":
		return msText(v)
	case "share":
		return percentText(v)
	case "/s":
		return f1(v) + " ops/s"
	case "ratio":
		return f2(v) + "×"
	}
	return fmt.Sprintf("%g %s", v, t.Unit)
}

func thresholdTable(r *metrics.Result, col colours) *table {
	if len(r.Thresholds) == 0 {
		return nil
	}
	t := &table{Caption: "Thresholds", Head: []string{"strategy", "threshold", "measured", "verdict"}}
	for _, th := range r.Thresholds {
		verdict := cell{Text: "pass", Class: "pass"}
		if !th.Pass {
			verdict = cell{Text: "FAIL", Class: "fail"}
		}
		t.Rows = append(t.Rows, []cell{{Text: th.Strategy, Swatch: col.of(th.Strategy)}, {Text: th.Threshold}, num(measured(th)), verdict})
	}
	return t
}

// headlineTable is the terminal's strategy table, with the best latency of
// each column in bold.
func headlineTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Strategies", Head: []string{"strategy", "operations", "throughput", "p50", "p90", "p99", "p99.9", "max",
		"errors", "partial", "requests / op", "speed-up vs sequential (p50)"}}
	base, hasBase := find(ss, baselineStrategy)
	best := func(get func(metrics.Summary) float64) float64 {
		b := 0.0
		for _, s := range ss {
			if v := get(s.Latency); wholeOperation(s) && v > 0 && (b == 0 || v < b) {
				b = v
			}
		}
		return b
	}
	latency := []func(metrics.Summary) float64{
		func(l metrics.Summary) float64 { return l.P50 },
		func(l metrics.Summary) float64 { return l.P90 },
		func(l metrics.Summary) float64 { return l.P99 },
		func(l metrics.Summary) float64 { return l.P999 },
		func(l metrics.Summary) float64 { return l.Max },
	}
	bests := make([]float64, len(latency))
	for i, get := range latency {
		bests[i] = best(get)
	}
	for _, s := range ss {
		row := []cell{{Text: s.Name, Swatch: col.of(s.Name)}, num(count(s.Operations)), num(f1(s.Throughput) + " ops/s")}
		for i, get := range latency {
			c := num(msText(get(s.Latency)))
			if len(ss) > 1 && wholeOperation(s) && get(s.Latency) == bests[i] {
				c.Class += " best"
			}
			if s.Queue != nil {
				c.Sub = "ack"
			}
			row = append(row, c)
		}
		speedup := "–"
		if hasBase && s.Latency.P50 > 0 && s.Queue == nil {
			speedup = f2(base.Latency.P50/s.Latency.P50) + "×"
		}
		row = append(row, num(percentText(s.ErrorRate)), num(percentText(s.PartialRate())), num(amplification(s.Amplification)), num(speedup))
		t.Rows = append(t.Rows, row)
	}
	t.Note = "Latency runs from each operation's intended start (coordinated omission corrected); a queued strategy's is its enqueue ack. " +
		"Bold: the lowest of the strategies whose latency is a whole operation."
	return t
}

// wholeOperation reports whether s's latency is a whole operation's (not a
// queued ack) and anything was measured.
func wholeOperation(s metrics.StrategyResult) bool { return s.Operations > 0 && s.Queue == nil }

func amplification(a metrics.Amplification) string {
	if a.Minimum == 0 {
		return "–"
	}
	return f2(a.Ratio) + "×"
}

func find(ss []metrics.StrategyResult, name string) (metrics.StrategyResult, bool) {
	for _, s := range ss {
		if s.Name == name {
			return s, true
		}
	}
	return metrics.StrategyResult{}, false
}

// metric is one "winner per metric": how to read it from a strategy and
// whether lower is better.
type metric struct {
	label string
	value func(metrics.StrategyResult) (float64, bool)
	text  func(float64) string
	lower bool
}

var winnerMetrics = []metric{
	{"p50 latency", latencyOf(func(l metrics.Summary) float64 { return l.P50 }), msText, true},
	{"p99 latency", latencyOf(func(l metrics.Summary) float64 { return l.P99 }), msText, true},
	{"p99.9 latency", latencyOf(func(l metrics.Summary) float64 { return l.P999 }), msText, true},
	{"throughput", func(s metrics.StrategyResult) (float64, bool) { return s.Throughput, s.Operations > 0 },
		func(v float64) string { return f1(v) + " ops/s" }, false},
	{"error rate", func(s metrics.StrategyResult) (float64, bool) { return s.ErrorRate, s.Operations > 0 }, percentText, true},
	{"requests per operation", func(s metrics.StrategyResult) (float64, bool) {
		return s.Amplification.Ratio, s.Amplification.Minimum > 0
	}, func(v float64) string { return f2(v) + "×" }, true},
	{"overhead p99", func(s metrics.StrategyResult) (float64, bool) {
		if s.HarnessOverhead == nil {
			return 0, false
		}
		return s.HarnessOverhead.P99, true
	}, msText, true},
	{"CPU per 1,000 ops", func(s metrics.StrategyResult) (float64, bool) {
		if s.Cost == nil || s.Operations == 0 {
			return 0, false
		}
		return s.Cost.CPUMsPer1000Ops, true
	}, func(v float64) string { return f1(v) + " ms" }, true},
}

// latencyOf reads a latency of the strategies whose latency is a whole
// operation: a queued ack would win every latency for the wrong reason.
func latencyOf(get func(metrics.Summary) float64) func(metrics.StrategyResult) (float64, bool) {
	return func(s metrics.StrategyResult) (float64, bool) { return get(s.Latency), wholeOperation(s) }
}

// winners names the best strategy per metric, with the runner-up beside
// it, and lists the metrics where every strategy tied; none for fewer than
// two strategies.
func winners(ss []metrics.StrategyResult, col colours) (cards []card, ties []string) {
	type entry struct {
		name string
		v    float64
	}
	for _, m := range winnerMetrics {
		var es []entry
		for _, s := range ss {
			if v, ok := m.value(s); ok {
				es = append(es, entry{s.Name, v})
			}
		}
		if len(es) < 2 {
			continue
		}
		slices.SortStableFunc(es, func(a, b entry) int {
			if m.lower {
				return cmp.Compare(a.v, b.v)
			}
			return cmp.Compare(b.v, a.v)
		})
		var tied []string
		for _, e := range es {
			if e.v == es[0].v {
				tied = append(tied, e.name)
			}
		}
		if len(tied) == len(es) {
			ties = append(ties, m.label+" "+m.text(es[0].v))
			continue
		}
		next := es[len(tied)]
		cards = append(cards, card{Label: m.label, Name: strings.Join(tied, " = "), Value: m.text(es[0].v), Swatch: col.of(es[0].name),
			Detail: "next: " + next.name + " " + m.text(next.v)})
	}
	return cards, ties
}
