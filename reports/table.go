package reports

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/fanbench/fanbench/metrics"
)

// TableOptions tune the terminal table.
type TableOptions struct {
	// Color draws the header and warnings in colour; set it only when the
	// output is a terminal.
	Color bool
}

// baselineStrategy is what the speed-up column compares against.
const baselineStrategy = "sequential"

// Table writes the per-strategy summary, the per-upstream breakdown and any
// warnings of r as text tables. Every number carries its unit.
func Table(w io.Writer, r *metrics.Result, o TableOptions) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", title(r))
	b.WriteString(strategyTable(r, o).Render())
	b.WriteString("\n\n")
	b.WriteString(upstreamTable(r, o).Render())
	b.WriteString("\n")
	for _, warn := range r.Warnings {
		line := "WARNING: " + warn
		if o.Color {
			line = text.Colors{text.FgHiYellow, text.Bold}.Sprint(line)
		}
		b.WriteString(line + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func title(r *metrics.Result) string {
	name := scenarioName(r)
	s := fmt.Sprintf("fanbench · scenario %q · %d strategies · %.1f s", name, len(r.Strategies), r.DurationS)
	if r.Interrupted {
		s += " · INTERRUPTED"
	}
	return s
}

func newTable(o TableOptions) table.Writer {
	t := table.NewWriter()
	t.SetStyle(table.StyleLight)
	if o.Color {
		t.Style().Color.Header = text.Colors{text.Bold, text.FgHiCyan}
	}
	t.Style().Format.Header = text.FormatDefault
	return t
}

func strategyTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{
		"strategy", "operations", "throughput\n(ops/s)",
		"p50\n(ms)", "p90\n(ms)", "p95\n(ms)", "p99\n(ms)", "p99.9\n(ms)", "max\n(ms)",
		"errors\n(%)", "speed-up vs\nsequential (p50)", "harness overhead\np50 / p99 (ms)",
	})
	base, hasBase := find(r.Strategies, baselineStrategy)
	for _, s := range r.Strategies {
		speedup := "–"
		if hasBase && s.Latency.P50 > 0 {
			speedup = fmt.Sprintf("%.2f×", base.Latency.P50/s.Latency.P50)
		}
		l := s.Latency
		t.AppendRow(table.Row{
			s.Name, s.Operations, f1(s.Throughput),
			f1(l.P50), f1(l.P90), f1(l.P95), f1(l.P99), f1(l.P999), f1(l.Max),
			f2(s.ErrorRate * 100), speedup, overhead(s.HarnessOverhead),
		})
	}
	t.SetColumnConfigs(rightAligned(2, 12))
	return t
}

func upstreamTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "upstream", "calls", "attempts", "retries", "429s\nreceived", "breaker\nrefusals",
		"p50\n(ms)", "p99\n(ms)", "max\n(ms)", "answers (count by status)"})
	for _, s := range r.Strategies {
		for _, u := range s.Upstreams {
			t.AppendRow(table.Row{s.Name, u.Name, u.Calls, u.Attempts, u.Retries, u.Responses429, u.Statuses[breakerOpen],
				f1(u.Latency.P50), f1(u.Latency.P99), f1(u.Latency.Max), statuses(u.Statuses)})
		}
	}
	t.SetColumnConfigs(rightAligned(3, 10))
	return t
}

// breakerOpen is the failure kind of the calls an open breaker refused.
const breakerOpen = "breaker_open"

// statuses lists counts as "200×1990 503×10", statuses in numeric order and
// failure kinds after them.
func statuses(m map[string]uint64) string {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int {
		ai, aerr := strconv.Atoi(a)
		bi, berr := strconv.Atoi(b)
		switch {
		case aerr == nil && berr == nil:
			return ai - bi
		case aerr == nil:
			return -1
		case berr == nil:
			return 1
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

// overhead shows the harness overhead, or "–" when the ideal latency was
// unknown (a real upstream).
func overhead(o *metrics.Summary) string {
	if o == nil {
		return "–"
	}
	return f1(o.P50) + " / " + f1(o.P99)
}

func rightAligned(from, to int) []table.ColumnConfig {
	var cc []table.ColumnConfig
	for n := from; n <= to; n++ {
		cc = append(cc, table.ColumnConfig{Number: n, Align: text.AlignRight, AlignHeader: text.AlignRight})
	}
	return cc
}

func find(ss []metrics.StrategyResult, name string) (metrics.StrategyResult, bool) {
	for _, s := range ss {
		if s.Name == name {
			return s, true
		}
	}
	return metrics.StrategyResult{}, false
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
