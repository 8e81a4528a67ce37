package htmlreport

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/reports"
	"github.com/fanbench/fanbench/reports/compare"
)

// The "best per metric" cards crown by the verdict's rules (reports.Decide):
// a strategy the system under test was in trouble under (a concern) is
// never crowned, nor one whose error rate is worse than another's beyond
// the verdict's tolerance; figures within the tolerance (or, over repeats,
// not told apart by a U test) are a tie; an async strategy is judged by its
// delivery, its ack shown beside as what its caller waits.

// cardMetric is one card: how to read the figure and when two are level.
type cardMetric struct {
	label string
	value func(figures) (float64, bool)
	// ack is the figure of what an async strategy's caller waits, shown
	// beside its delivery's; nil for the figures that have none.
	ack   func(figures) float64
	text  func(float64) string
	lower bool
	level func(a, b figures) bool
	// errorRule: not crowned when another strategy fails less often (all
	// but the error rate itself).
	errorRule bool
	// tolerance says what "level" means, for the tie's line: "noise" where
	// the verdict's own test decides (±5 % at p50 and ±10 % at p99, or a U
	// test over repeats, as the verdict's basis says).
	tolerance string
	// asyncSub says what an async strategy's figure is of, when it wins.
	asyncSub string
}

var defaultTolerances = compare.DefaultTolerances()

// relLevel is level within the baseline comparison's default tolerance of
// key, for the figures the verdict does not weigh itself.
func relLevel(key string, get func(figures) float64) func(a, b figures) bool {
	tol := defaultTolerances[key].Value / 100
	return func(a, b figures) bool { return reports.LevelRelative(get(a), get(b), tol) }
}

func tolText(key string) string { return "±" + defaultTolerances[key].String() }

var cardMetrics = []cardMetric{
	{label: "p50 latency", value: latencyFigure(func(f figures) float64 { return f.p50 }), ack: func(f figures) float64 { return f.ack.P50 },
		text: msText, lower: true, level: func(a, b figures) bool { return reports.LevelP50(a.j, b.j) }, errorRule: true,
		tolerance: "noise"},
	{label: "p99 latency", value: latencyFigure(func(f figures) float64 { return f.p99 }), ack: func(f figures) float64 { return f.ack.P99 },
		text: msText, lower: true, level: func(a, b figures) bool { return reports.LevelP99(a.j, b.j) }, errorRule: true,
		tolerance: "noise"},
	{label: "p99.9 latency", value: latencyFigure(func(f figures) float64 { return f.p999 }), ack: func(f figures) float64 { return f.ack.P999 },
		text: msText, lower: true, level: relLevel("p99.9", func(f figures) float64 { return f.p999 }), errorRule: true, tolerance: tolText("p99.9")},
	{label: "throughput", value: func(f figures) (float64, bool) { return f.throughput, f.measured() },
		text: func(v float64) string { return f1(v) + " ops/s" }, level: relLevel("throughput", func(f figures) float64 { return f.throughput }),
		errorRule: true, tolerance: tolText("throughput"), asyncSub: "operations delivered per second"},
	{label: "error rate", value: func(f figures) (float64, bool) { return f.errorRate, f.measured() }, text: percentText, lower: true,
		level: func(a, b figures) bool { return reports.LevelErrorRate(a.errorRate, b.errorRate) }, tolerance: "±0.5 points",
		asyncSub: "of the operations, not delivered ok in full"},
	{label: "requests per operation", value: func(f figures) (float64, bool) {
		return f.requestsPerOp, f.measured() && f.s.Amplification.Requests > 0
	},
		text: f2, lower: true,
		level: func(a, b figures) bool { return reports.LevelRequests(a.requestsPerOp, b.requestsPerOp) }, errorRule: true, tolerance: "±5%"},
	{label: "overhead p99", value: func(f figures) (float64, bool) {
		if f.s.HarnessOverhead == nil || f.async() {
			return 0, false
		}
		return f.s.HarnessOverhead.P99, f.measured()
	}, text: msText, lower: true, level: relLevel("harness_overhead_p99", func(f figures) float64 { return f.s.HarnessOverhead.P99 }),
		tolerance: tolText("harness_overhead_p99")},
	{label: "CPU per 1,000 ops", value: func(f figures) (float64, bool) { return f.j.CPUPer1000, f.j.HasCPU && f.measured() },
		text: func(v float64) string { return f1(v) + " ms" }, lower: true,
		level: func(a, b figures) bool { return reports.LevelCPU(a.j.CPUPer1000, b.j.CPUPer1000) }, errorRule: true, tolerance: "±25%"},
}

func latencyFigure(get func(figures) float64) func(figures) (float64, bool) {
	return func(f figures) (float64, bool) { return get(f), f.measured() && get(f) > 0 }
}

// candidate is one strategy's figure of a card.
type candidate struct {
	f figures
	v float64
}

// winners makes the "best per metric" cards; none for fewer than two
// strategies with the figure.
func winners(fs []figures, concerned map[string]bool, col colours) []card {
	var cards []card
	for _, m := range cardMetrics {
		var all []candidate
		for _, f := range fs {
			if v, ok := m.value(f); ok {
				all = append(all, candidate{f, v})
			}
		}
		if len(all) < 2 {
			continue
		}
		cards = append(cards, m.card(all, concerned, col))
	}
	return cards
}

// better orders candidates best first.
func (m cardMetric) better(a, b candidate) int {
	if m.lower {
		return cmp.Compare(a.v, b.v)
	}
	return cmp.Compare(b.v, a.v)
}

func (m cardMetric) card(all []candidate, concerned map[string]bool, col colours) card {
	slices.SortStableFunc(all, m.better)
	c := card{Label: m.label}
	var eligible []candidate
	for _, e := range all {
		if !concerned[e.f.s.Name] {
			eligible = append(eligible, e)
		}
	}
	if len(eligible) == 0 {
		c.Kind, c.Name = "none", "none crowned"
		c.Detail = "every strategy with this figure was in trouble (see the concerns)"
		return c
	}
	// A better figure of a strategy in trouble is said, not crowned: those
	// sorted before the best eligible one are all in trouble.
	var aside []string
	for _, e := range all {
		if m.better(e, eligible[0]) >= 0 {
			break
		}
		if !m.level(e.f, eligible[0].f) {
			aside = append(aside, fmt.Sprintf("%s %s, but in trouble (see the concerns)", e.f.s.Name, m.text(e.v)))
		}
	}
	group := []candidate{eligible[0]}
	for _, e := range eligible[1:] {
		if m.level(e.f, eligible[0].f) {
			group = append(group, e)
		}
	}
	contenders := group
	if m.errorRule {
		best := slices.MinFunc(group, func(a, b candidate) int { return cmp.Compare(a.f.errorRate, b.f.errorRate) }).f.errorRate
		contenders = slices.DeleteFunc(slices.Clone(group), func(e candidate) bool {
			return e.f.errorRate > best && !reports.LevelErrorRate(e.f.errorRate, best)
		})
	}
	lead := contenders[0]
	// Level with the lead but failing more often: not crowned, and said.
	var dropped []string
	for _, e := range group {
		if !slices.ContainsFunc(contenders, sameName(e)) {
			dropped = append(dropped, e.f.s.Name+" "+m.text(e.v))
		}
	}
	next := ""
	if i := slices.IndexFunc(eligible, func(e candidate) bool { return !slices.ContainsFunc(group, sameName(e)) }); i >= 0 {
		next = "next: " + eligible[i].f.s.Name + " " + m.text(eligible[i].v)
	}
	switch {
	case len(contenders) > 1:
		c.Kind = "tie"
		names, values := make([]string, len(contenders)), make([]string, len(contenders))
		for i, e := range contenders {
			names[i], values[i] = e.f.s.Name, m.text(e.v)
		}
		c.Name, c.Value = "tie: "+strings.Join(names, " = "), strings.Join(slices.Compact(values), " · ")
		c.Detail = "level within " + m.tolerance
		switch {
		case len(dropped) > 0:
			c.Detail += "; " + strings.Join(dropped, ", ") + " level too, but " + failVerb(len(dropped)) + " more often"
		case next != "":
			c.Detail += "; " + next
		}
	default:
		if m.errorRule {
			if safer := saferThan(lead, eligible); safer != nil {
				c.Kind, c.Name, c.Value = "none", "no clear best", m.text(lead.v)
				c.Detail = fmt.Sprintf("%s is best here but fails %s of operations, against %s for %s",
					lead.f.s.Name, percentText(lead.f.errorRate), percentText(safer.f.errorRate), safer.f.s.Name)
				c.Aside = aside
				return c
			}
		}
		c.Kind, c.Name, c.Value, c.Swatch = "win", lead.f.s.Name, m.text(lead.v), col.of(lead.f.s.Name)
		switch {
		case len(dropped) > 0:
			// Crowned as the verdict crowns: of those level, the one that
			// does not fail more often; and said so.
			c.Detail = "level with " + strings.Join(dropped, ", ") + " (within " + m.tolerance + "), which " + failVerb(len(dropped)) + " more often"
		default:
			c.Detail = next
		}
	}
	if lead.f.async() && c.Kind == "win" {
		switch {
		case m.ack != nil:
			c.Sub = "by delivery; its caller waits " + msText(m.ack(lead.f))
		case m.asyncSub != "":
			c.Sub = m.asyncSub
		}
	}
	c.Aside = aside
	return c
}

func failVerb(n int) string {
	if n == 1 {
		return "fails"
	}
	return "fail"
}

func sameName(a candidate) func(candidate) bool {
	return func(b candidate) bool { return a.f.s.Name == b.f.s.Name }
}

// saferThan returns a strategy of those given that fails less often than
// lead beyond the verdict's tolerance, or nil.
func saferThan(lead candidate, es []candidate) *candidate {
	for i, e := range es {
		if e.f.errorRate < lead.f.errorRate && !reports.LevelErrorRate(e.f.errorRate, lead.f.errorRate) {
			return &es[i]
		}
	}
	return nil
}
