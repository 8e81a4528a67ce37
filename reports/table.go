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
	if d := detailsTable(r, o); d != nil {
		b.WriteString("\n")
		b.WriteString(d.Render())
		b.WriteString("\n")
	}
	if sw := sweepTable(r, o); sw != nil {
		b.WriteString("\n")
		b.WriteString(sw.Render())
		b.WriteString("\n")
	}
	if c := costTable(r, o); c != nil {
		b.WriteString("\n")
		b.WriteString(c.Render())
		b.WriteString("\n")
	}
	if th := thresholdTable(r, o); th != nil {
		b.WriteString("\n")
		b.WriteString(th.Render())
		b.WriteString("\n" + thresholdVerdict(r, o) + "\n")
	}
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
		"errors\n(%)", "requests per op\n(minimum 1.00×)", "speed-up vs\nsequential (p50)", "harness overhead\np50 / p99 (ms)",
	})
	base, hasBase := find(r.Strategies, baselineStrategy)
	for _, s := range r.Strategies {
		speedup := "–"
		// A queued strategy's latency is its ack: dividing by it would
		// compare an enqueue with a whole operation.
		if hasBase && s.Latency.P50 > 0 && s.Queue == nil {
			speedup = fmt.Sprintf("%.2f×", base.Latency.P50/s.Latency.P50)
		}
		l := s.Latency
		t.AppendRow(table.Row{
			s.Name, s.Operations, f1(s.Throughput),
			ms(l.P50), ms(l.P90), ms(l.P95), ms(l.P99), ms(l.P999), ms(l.Max),
			f2(s.ErrorRate * 100), amplification(s.Amplification), speedup, overhead(s.HarnessOverhead),
		})
	}
	t.SetColumnConfigs(rightAligned(2, 13))
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

// detailsTable shows what is particular to each strategy: the options it
// ran with and the numbers only it has (wasted calls, skipped calls,
// compensations, pool, queue, hedges). nil when no strategy has any.
func detailsTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "options", "what it did"})
	rows := 0
	for _, s := range r.Strategies {
		d := details(s)
		if len(d) == 0 && !hasOptionsSet(s.Options) {
			continue
		}
		rows++
		t.AppendRow(table.Row{s.Name, options(s.Options), strings.Join(d, "\n")})
	}
	if rows == 0 {
		return nil
	}
	return t
}

// details lists a strategy's particular numbers, each with its unit.
func details(s metrics.StrategyResult) []string {
	var d []string
	var skipped, hedges, won, calls uint64
	for _, u := range s.Upstreams {
		skipped += u.Statuses["skipped"]
		hedges += u.Hedges
		won += u.HedgesWon
		calls += u.Calls
	}
	if skipped > 0 {
		d = append(d, fmt.Sprintf("skipped calls %d (after a critical failure)", skipped))
	}
	if s.WastedCalls > 0 {
		d = append(d, fmt.Sprintf("wasted calls %d (ended after the operation had failed)", s.WastedCalls))
	}
	if c := s.Compensations; c != nil {
		d = append(d, fmt.Sprintf("compensations %d sent, %d failed", c.Sent, c.Failed))
	}
	if hedges > 0 {
		d = append(d, fmt.Sprintf("hedges %d sent (%s of calls), %d won", hedges, pct(hedges, calls), won))
	}
	if p := s.Pool; p != nil {
		d = append(d, fmt.Sprintf("pool utilisation %s, max queued %d, rejected %d", pct100(p.Utilization), p.MaxQueued, p.Rejected))
		for _, u := range s.Upstreams {
			if w := u.QueueWait; w != nil {
				d = append(d, fmt.Sprintf("queue wait %s p50 %s ms, p99 %s ms", u.Name, ms(w.P50), ms(w.P99)))
			}
		}
		l := p.LittlesLaw
		d = append(d, fmt.Sprintf("calls in pool L = %s, λW = %s/s × %s ms = %s", f2(l.MeanInSystem), f1(l.ArrivalRate), f2(l.MeanTimeInSystemMS), f2(l.Predicted)))
	}
	if q := s.Queue; q != nil {
		d = append(d, fmt.Sprintf("ack p50 %s ms, p99 %s ms; delivery p50 %s ms, p99 %s ms",
			ms(s.Latency.P50), ms(s.Latency.P99), ms(q.DeliveryLatency.P50), ms(q.DeliveryLatency.P99)))
		o := q.DeliveredOutcomes
		d = append(d, fmt.Sprintf("acked %d, delivered %d (ok %d, partial %d, failed %d), undelivered %d calls",
			q.Acked, q.Delivered, o.OK, o.Partial, o.Failed, q.Undelivered))
		d = append(d, fmt.Sprintf("redeliveries %d, duplicates seen upstream %d", q.Redeliveries, q.Duplicates))
		d = append(d, fmt.Sprintf("max backlog %d, drain %s s", q.MaxBacklog, f1(q.DrainS)))
	}
	return d
}

// hasOptionsSet reports whether an option is on (not false, 0 or empty):
// bare sequential and fanout need no details row.
func hasOptionsSet(o map[string]string) bool {
	for _, v := range o {
		if v != "false" && v != "" && v != "0" {
			return true
		}
	}
	return false
}

// options shows options as "key value" lines in key order.
func options(o map[string]string) string {
	if len(o) == 0 {
		return "–"
	}
	keys := slices.Sorted(maps.Keys(o))
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + " " + o[k]
	}
	return strings.Join(lines, "\n")
}

// amplification shows upstream requests per operation against the
// minimum, as "1.08×"; "–" when nothing was sent.
func amplification(a metrics.Amplification) string {
	if a.Minimum == 0 {
		return "–"
	}
	return f2(a.Ratio) + "×"
}

func pct(n, of uint64) string {
	if of == 0 {
		return "–"
	}
	return f1(float64(n)*100/float64(of)) + "%"
}

func pct100(ratio float64) string { return f1(ratio*100) + "%" }

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

// ms shows a latency in milliseconds to 0.1 ms, or to 0.001 ms below 1 ms,
// so that a queued strategy's ack of 40 µs reads 0.040, not 0.0.
func ms(v float64) string {
	if v > 0 && v < 1 {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return f1(v)
}
func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
