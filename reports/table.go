package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/fanbench/fanbench/metrics"
)

// TableOptions tune the terminal table.
type TableOptions struct {
	// Color draws headers, verdicts and warnings in colour; set it only
	// when the output is a terminal.
	Color bool
}

// Table writes r as text tables: per strategy the headline figures, then
// per upstream, the outcomes, what is particular to each strategy, the
// sweep, the cost, the thresholds with their verdict line, and the
// warnings in a box of their own. Every number carries its unit; the
// tables stay within about 150 columns, rarely needed figures going to the
// details table rather than widening the others.
func Table(w io.Writer, r *metrics.Result, o TableOptions) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", title(r))
	sections := []table.Writer{strategyTable(r, o), upstreamTable(r, o), outcomesTable(r, o),
		detailsTable(r, o), sweepTable(r, o), costTable(r, o)}
	for i, t := range sections {
		if t == nil {
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(t.Render() + "\n")
	}
	if th := thresholdTable(r, o); th != nil {
		b.WriteString("\n" + th.Render() + "\n")
		b.WriteString(thresholdVerdict(r, o) + "\n")
	}
	if wb := warningsBlock(r, o); wb != nil {
		b.WriteString("\n" + wb.Render() + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func title(r *metrics.Result) string {
	s := fmt.Sprintf("fanbench · scenario %q · %d strategies · %.1f s", scenarioName(r), len(r.Strategies), r.DurationS)
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

// strategyTable holds the headline figures, one row per strategy.
func strategyTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{
		"strategy", "operations", "throughput\n(ops/s)",
		"p50\n(ms)", "p90\n(ms)", "p95\n(ms)", "p99\n(ms)", "p99.9\n(ms)", "max\n(ms)",
		"errors\n(%)", "partial\n(%)", "speed-up\nvs sequential\n(p50)", "harness\noverhead\np99 (ms)", "CPU per\n1,000 ops\n(ms)",
	})
	for _, s := range r.Strategies {
		l := s.Latency
		speed, speedOK := speedUp(r, s)
		over, overOK := overheadP99(s)
		cpu, cpuOK := cpuPer1000(s)
		t.AppendRow(table.Row{
			s.Name, s.Operations, f1(s.Throughput),
			ms(l.P50), ms(l.P90), ms(l.P95), ms(l.P99), ms(l.P999), ms(l.Max),
			f2(s.ErrorRate * 100), f2(s.PartialRate() * 100),
			orDash(speed, speedOK, times), orDash(over, overOK, ms), orDash(cpu, cpuOK, f1),
		})
	}
	t.SetColumnConfigs(rightAligned(2, 14))
	t.SetCaption("%s", strategyCaption(r))
	return t
}

// strategyCaption says how to read the figures the headers cannot.
func strategyCaption(r *metrics.Result) string {
	from := "intended start (corrected for coordinated omission)"
	if len(r.Strategies) > 0 && r.Strategies[0].LatencyFrom == "actual_start" {
		from = "actual start (closed model: no schedule)"
	}
	lines := []string{
		"latency from each operation's " + from + "; errors: not ok (partial or failed)",
		"speed-up: sequential p50 ÷ this p50; harness overhead: measured − ideal latency from the paired draws",
		"(– where the ideal is unknown: a real upstream, a rate limit, a finite capacity, a breaker)",
	}
	if hasQueued(r) {
		lines = append(lines, "queued: latency is the enqueue ack; delivery latency is in the details below")
	}
	if includesMocks(r) {
		lines = append(lines, "CPU: the whole fanbench process, in-process mock upstreams included")
	}
	return strings.Join(lines, "\n")
}

// orDash formats a figure that may be unknown, as "–" when it is.
func orDash(v float64, ok bool, format func(float64) string) string {
	if !ok {
		return "–"
	}
	return format(v)
}

// times shows a ratio as "1.66×".
func times(v float64) string { return f2(v) + "×" }
