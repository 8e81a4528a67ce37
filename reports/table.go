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
	// Width is the terminal's width in columns; 0 means DefaultWidth. The
	// compact table drops its least needed columns to fit.
	Width int
	// Wide shows every column of the headline table and the detail
	// tables (per upstream, outcomes, particulars, sweep, cost).
	Wide bool
}

// DefaultWidth is the width the default output fits when the terminal's
// is not known.
const DefaultWidth = 100

// Table writes r as text: the verdict first, then the headline figures
// per strategy in a table that fits the terminal, the concerns about the
// system under test, a note on the harness, the thresholds with their
// verdict line, and the warnings in a box of their own. Wide adds every
// column and the detail tables. Every number carries its unit.
func Table(w io.Writer, r *metrics.Result, o TableOptions) error {
	if o.Width <= 0 {
		o.Width = DefaultWidth
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", title(r))
	b.WriteString(verdictBlock(r, o))
	var sections []table.Writer
	if o.Wide {
		sections = []table.Writer{strategyTable(r, o), upstreamTable(r, o), asyncTable(r, o), callbacksTable(r, o), breakdownTable(r, o),
			outcomesTable(r, o), detailsTable(r, o), sweepTable(r, o), widthsTable(r, o), costTable(r, o), agentsTable(r, o)}
	} else {
		sections = []table.Writer{compactTable(r, o), asyncTable(r, o), callbacksTable(r, o), sweepTable(r, o), widthsTable(r, o)}
	}
	for _, t := range sections {
		if t == nil {
			continue
		}
		b.WriteString("\n" + t.Render() + "\n")
	}
	if !o.Wide {
		if line := agentsLine(r, o); line != "" {
			b.WriteString("\n" + line)
		}
	}
	b.WriteString(healthBlock(r, o))
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
	s := fmt.Sprintf("fanbench · scenario %q · %s · %.1f s", scenarioName(r), plural(len(r.Strategies), "strategy", "strategies"), r.DurationS)
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
		l, j := judgedLatency(s), judge(s)
		speed, speedOK := speedUp(r, s)
		over, overOK := overheadP99(s)
		cpu, cpuOK := cpuPer1000(s)
		t.AppendRow(table.Row{
			markAsync(s.Name, j), s.Operations, f1(s.Throughput),
			measured(j, ms(l.P50)), measured(j, ms(l.P90)), measured(j, ms(l.P95)), measured(j, ms(l.P99)), measured(j, ms(l.P999)), measured(j, ms(l.Max)),
			measured(j, f2(j.ErrorRate*100)), measured(j, f2(j.PartialRate*100)),
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
		"speed-up: sequential p50 ÷ this p50 (by delivery for queued); harness overhead: measured − ideal latency from the paired draws",
		"(– where the ideal is unknown: a real upstream, a rate limit, a finite capacity, a breaker)",
	}
	if hasQueued(r) {
		lines = append(lines, "† answers its caller before the work is done: delivery latency and delivered errors; the ack is in the details below")
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

// plural writes n with the noun's singular or plural: "1 strategy".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
