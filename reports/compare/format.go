package compare

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Headline is the comparison's verdict in one line, for a CI log:
// "no significant change", or each regression as "p99 of fanout is 18%
// worse (significant, p = 0.008)"; improvements are listed when nothing
// regressed. Past three changes it ends "and N more" (Changes lists them
// all).
func Headline(c *Comparison) string {
	worse, better := Changes(c)
	switch {
	case len(worse) == 1:
		return worse[0]
	case len(worse) > 1:
		return fmt.Sprintf("%d regressions: %s", len(worse), listAtMost(worse))
	case len(better) > 0:
		return "no regression; " + listAtMost(better)
	}
	return "no significant change"
}

// Changes lists every change that counts, each as "p99 of fanout is 18%
// worse (significant, p = 0.008)": the regressions, then the
// improvements.
func Changes(c *Comparison) (worse, better []string) {
	for _, s := range c.Strategies {
		if s.Failed != "" { // measured nothing: a failure whatever its figures
			worse = append(worse, s.Name+": "+s.Failed)
		}
		for _, m := range s.Metrics {
			switch m.Verdict {
			case Worse:
				worse = append(worse, describe(s, m))
			case Better:
				better = append(better, describe(s, m))
			}
		}
	}
	return worse, better
}

// headlineItems is how many changes a headline names; the table has all.
const headlineItems = 3

func listAtMost(items []string) string {
	if len(items) > headlineItems {
		return strings.Join(items[:headlineItems], "; ") + fmt.Sprintf("; and %d more", len(items)-headlineItems)
	}
	return strings.Join(items, "; ")
}

// describe says "p99 of fanout is 18% worse (significant, p = 0.008)".
func describe(s StrategyComparison, m MetricComparison) string {
	return fmt.Sprintf("%s of %s is %s %s (significant, p = %s)", labelFor(s, m.Metric), s.Name, amount(m), m.Verdict, PValue(m.P))
}

// Regressions lists the regressed metrics as "fanout p99 (+18.0%)";
// "queued delivery p99 (+20.0%)" for a strategy judged by its delivery.
func Regressions(c *Comparison) []string {
	var out []string
	for _, s := range c.Strategies {
		if s.Failed != "" {
			out = append(out, s.Name+" ("+s.Failed+")")
		}
		for _, m := range s.Metrics {
			if m.Regression {
				key := m.Metric
				if mt, ok := metricByKey(key); ok && s.JudgedBy == JudgedByDelivery && mt.ofDelivery != nil {
					key = "delivery " + key
				}
				out = append(out, fmt.Sprintf("%s %s (%s)", s.Name, key, changeText(m)))
			}
		}
	}
	return out
}

// amount is the size of a change without its sign: "18%", "4.5%",
// "0.40 pp"; "up from 0" for a change from nothing.
func amount(m MetricComparison) string {
	if m.Change == nil {
		return "infinitely"
	}
	v := math.Abs(*m.Change)
	if m.ChangeUnit == "pp" {
		return strconv.FormatFloat(v, 'f', 2, 64) + " pp"
	}
	if v >= 10 {
		return strconv.FormatFloat(v, 'f', 0, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + "%"
}

// changeText is a signed change: "+18.0%", "-0.40 pp", "+∞%".
func changeText(m MetricComparison) string {
	if m.Change == nil {
		return "+∞%"
	}
	v := *m.Change
	if v == 0 {
		v = 0 // no "-0"
	}
	if m.ChangeUnit == "pp" {
		return fmt.Sprintf("%+.2f pp", v)
	}
	return fmt.Sprintf("%+.1f%%", v)
}

// value shows a metric's value with its unit: "502.0 ms", "0.040 ms",
// "20.0 ops/s", "0.40%".
func value(v float64, unit string) string {
	switch unit {
	case "%":
		return strconv.FormatFloat(v, 'f', 2, 64) + "%"
	case "ms":
		if v > 0 && v < 1 {
			return strconv.FormatFloat(v, 'f', 3, 64) + " ms"
		}
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
}

// PValue shows a p-value to three decimals, "<0.001" below; "–" when the
// metric was not tested.
func PValue(p *float64) string {
	switch {
	case p == nil:
		return "–"
	case *p < 0.001:
		return "<0.001"
	}
	return strconv.FormatFloat(*p, 'f', 3, 64)
}

// Method says how significance was decided, for the line under a table.
func Method(c *Comparison) string {
	var parts []string
	seen := map[string]bool{}
	for _, s := range c.Strategies {
		var p string
		if s.Mode == ModeWindows {
			p = "the per-second windows of one run a side"
		} else {
			p = fmt.Sprintf("%d baseline and %d current repeats", s.BaselineRepeats, s.CurrentRepeats)
		}
		if !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	return fmt.Sprintf("Mann-Whitney U test at α = %v over %s; a change counts when it is significant (p < α) and beyond its tolerance",
		c.Alpha, strings.Join(parts, " / "))
}

// cellVerdict is a metric's verdict in a table cell.
func cellVerdict(m MetricComparison) string {
	if m.Regression {
		return "WORSE"
	}
	return string(m.Verdict)
}
