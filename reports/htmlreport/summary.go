package htmlreport

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
	"github.com/fanbench/fanbench/strategies"
)

// baselineStrategy is what the speed-up column compares against, as in the
// terminal table.
const baselineStrategy = strategies.Baseline

// summarySection opens the report with what a reader needs first, in this
// order: the verdict, the concerns about the system under test, the
// headline figures of every strategy as the verdict weighs them, and how
// the upstreams pushed back (429s, retries, breakers); then the run's
// warnings, the thresholds, the best strategy per metric and the full
// table. sections are the page's other sections, which the concerns link
// to.
func summarySection(r *metrics.Result, col colours, sections []section) section {
	s := section{ID: "summary", Title: "Summary"}
	fs := figuresOfAll(r)
	v := reports.Decide(r)
	s.Blocks = append(s.Blocks, block{Verdict: verdictBoxOf(v)})
	cs := reports.Concerns(r)
	concerned := map[string]bool{}
	for _, c := range cs {
		concerned[c.Strategy] = true
	}
	if c := concernsOf(cs, sections); c != nil {
		s.Blocks = append(s.Blocks, block{Concerns: c})
	}
	s.Blocks = append(s.Blocks, block{Table: compactTable(fs, v.Winner, concerned, col)})
	if t := pushbackTable(r.Strategies, col); t != nil {
		s.Blocks = append(s.Blocks, block{Table: t})
	}
	if w := warningsOf(r); len(w) > 0 {
		s.Blocks = append(s.Blocks, block{Callout: &callout{Kind: "warn",
			Title: fmt.Sprintf("%d warning%s: read the figures with care", len(w), plural(len(w))), Items: w}})
	}
	if v := verdictOf(r); v != nil {
		s.Blocks = append(s.Blocks, block{Callout: v})
	}
	if cards := winners(fs, concerned, col); len(cards) > 0 {
		s.Blocks = append(s.Blocks, block{Cards: cards})
	}
	s.Blocks = append(s.Blocks, block{Table: headlineTable(r.Strategies, col)})
	if t := thresholdTable(r, col); t != nil {
		s.Blocks = append(s.Blocks, block{Table: t})
	}
	return s
}

// verdictBoxOf is the verdict as the page shows it: the headline first.
func verdictBoxOf(v reports.Verdict) *verdictBox {
	b := &verdictBox{Basis: capitalized(v.Basis), Crowned: v.Winner != ""}
	if len(v.Lines) > 0 {
		b.Headline, b.Lines = v.Lines[0], v.Lines[1:]
	}
	return b
}

func capitalized(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// concernSections maps where a concern says to look (reports.Concern's
// Where) to the section of the page that shows it.
var concernSections = map[string]string{
	"the timeline":        "throughput",
	"the pool section":    "queues",
	"the backlog chart":   "queues",
	"the upstreams table": "upstreams",
	"the outcomes table":  "outcomes",
}

// concernsOf lists the concerns, each linking to its section when the page
// has it; nil when there are none.
func concernsOf(cs []reports.Concern, sections []section) *concernList {
	if len(cs) == 0 {
		return nil
	}
	has := map[string]bool{}
	for _, s := range sections {
		has[s.ID] = true
	}
	l := &concernList{Title: fmt.Sprintf("The system under test was in trouble: %d concern%s", len(cs), plural(len(cs))),
		Intro: "A strategy with a concern is crowned nowhere on this page: its figures are the trouble's, not the strategy's. Where to look:"}
	for _, c := range cs {
		it := concernItem{Strategy: c.Strategy, What: c.What, Where: c.Where}
		if id := concernSections[c.Where]; has[id] {
			it.Anchor = id
		}
		l.Items = append(l.Items, it)
	}
	return l
}

// compactTable is the headline figures as the verdict weighs them, narrow
// enough for a laptop's screen: an async strategy's latency and errors
// are its delivery's, what its caller waits beside them.
func compactTable(fs []figures, winner string, concerned map[string]bool, col colours) *table {
	t := &table{Caption: "Strategies at a glance", Class: "compact", ID: "glance",
		Head: []string{"strategy", "ops/s", "p50", "p99", "p99.9", "errors", "requests / op", "speed-up"}}
	base, hasBase := baselineFigures(fs)
	for _, f := range fs {
		name := cell{Text: f.s.Name, Swatch: col.of(f.s.Name)}
		switch {
		case f.s.Name == winner:
			name.Tag, name.TagClass, name.Class = "wins", "win", "winner"
		case concerned[f.s.Name]:
			name.Tag, name.TagClass = "in trouble", "trouble"
		}
		if !f.measured() {
			t.Rows = append(t.Rows, []cell{name, num("–"), num("–"), num("–"), num("–"), num("–"), num("–"), num("–")})
			continue
		}
		row := []cell{name, num(f1(f.throughput))}
		for _, l := range []struct{ v, ack float64 }{{f.p50, f.ack.P50}, {f.p99, f.ack.P99}, {f.p999, f.ack.P999}} {
			c := num(msText(l.v))
			if l.v == 0 {
				c = num("–") // not recorded
			}
			if f.async() {
				c.Sub = "caller waits " + msText(l.ack)
			}
			row = append(row, c)
		}
		errs := num(percentText(f.errorRate))
		if f.async() {
			row[1].Sub = "delivered"
			errs.Sub = "delivered"
		}
		speedup := num("–")
		if hasBase && base.measured() && f.p50 > 0 {
			speedup = num(f2(base.p50/f.p50) + "×")
		}
		row = append(row, errs, num(f2(f.requestsPerOp)), speedup)
		t.Rows = append(t.Rows, row)
	}
	t.Note = "Latency from the intended start; errors: operations not ok; requests / op: upstream requests per operation, retries included; " +
		"speed-up: sequential's p50 ÷ this p50."
	if names := asyncNames(fs); len(names) > 0 {
		t.Rule = strings.Join(names, ", ") + " answers its caller before the work is done, so it is judged by its delivery: latency until its last call " +
			"was delivered, errors of the operations delivered in full; what its caller waits for the ack is shown beside, as “caller waits”."
	}
	return t
}

// pushbackTable is how the upstreams pushed back and what the policies
// did about it, per strategy: retries, 429s, breaker and rate-limit
// refusals; nil when none of it happened. Columns that are 0 for every
// strategy are left out.
func pushbackTable(ss []metrics.StrategyResult, col colours) *table {
	type counts struct{ attempts, retries, got429, early, calls, refused, limited uint64 }
	var cs []counts
	var total counts
	for _, s := range ss {
		var c counts
		for _, u := range s.Upstreams {
			c.attempts += u.Attempts
			c.retries += u.Retries
			c.got429 += u.Responses429
			c.early += u.TooEarly
			c.calls += u.Calls
			c.refused += u.Statuses["breaker_open"]
			c.limited += u.Statuses["limited"]
		}
		cs = append(cs, c)
		total.retries += c.retries
		total.got429 += c.got429
		total.early += c.early
		total.refused += c.refused
		total.limited += c.limited
	}
	if total.retries+total.got429+total.refused+total.limited == 0 {
		return nil
	}
	columns := []struct {
		head string
		show bool
		cell func(counts) cell
	}{
		{"requests sent", true, func(c counts) cell { return num(count(c.attempts)) }},
		{"retries", true, func(c counts) cell { return withShare(c.retries, c.attempts) }},
		{"429s received", true, func(c counts) cell { return withShare(c.got429, c.attempts) }},
		{"sent before Retry-After", total.early > 0, func(c counts) cell { return num(count(c.early)) }},
		{"breaker refusals", total.refused > 0, func(c counts) cell { return withShare(c.refused, c.calls) }},
		{"rate-limit refusals", total.limited > 0, func(c counts) cell { return withShare(c.limited, c.calls) }},
	}
	t := &table{Caption: "Push-back: 429s, retries and breakers", ID: "pushback", Class: "compact", Head: []string{"strategy"}}
	for _, c := range columns {
		if c.show {
			t.Head = append(t.Head, c.head)
		}
	}
	for i, s := range ss {
		row := []cell{{Text: s.Name, Swatch: col.of(s.Name)}}
		for _, c := range columns {
			if c.show {
				row = append(row, c.cell(cs[i]))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	t.Note = "Shares: of the requests sent (retries, 429s) or of the calls (refusals). Per upstream in the Upstreams section."
	return t
}

// withShare is a count with its share of a total: "47 (8.6 %)".
func withShare(n, of uint64) cell {
	if n == 0 || of == 0 {
		return num(count(n))
	}
	return num(fmt.Sprintf("%s (%s %%)", count(n), f1(float64(n)*100/float64(of))))
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
	t := &table{Caption: "Every figure per strategy", Head: []string{"strategy", "operations", "throughput", "p50", "p90", "p99", "p99.9", "max",
		"errors", "partial", "requests / call", "speed-up vs sequential (p50)"}}
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
