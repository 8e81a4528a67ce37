package reports

import (
	"io"
	"slices"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/fanbench/fanbench/metrics"
)

// compactColumn is one column of the default table: its header, how to
// fill it, and the order in which columns are dropped when the terminal is
// too narrow (0: never).
type compactColumn struct {
	head string
	cell func(r *metrics.Result, s metrics.StrategyResult, j Judged) string
	drop int
}

// compactColumns are the default table's columns: the figures a reader
// decides on. An async strategy (queued) shows its delivery latency and
// delivered errors, marked †, as every comparison judges it.
var compactColumns = []compactColumn{
	{"strategy", func(_ *metrics.Result, s metrics.StrategyResult, j Judged) string { return markAsync(s.Name, j) }, 0},
	{"ops/s", func(_ *metrics.Result, s metrics.StrategyResult, _ Judged) string { return f1(s.Throughput) }, 3},
	{"p50\n(ms)", func(_ *metrics.Result, _ metrics.StrategyResult, j Judged) string { return measured(j, ms(j.P50)) }, 0},
	{"p99\n(ms)", func(_ *metrics.Result, _ metrics.StrategyResult, j Judged) string { return measured(j, ms(j.P99)) }, 0},
	{"p99.9\n(ms)", func(_ *metrics.Result, s metrics.StrategyResult, j Judged) string {
		return measured(j, ms(judgedLatency(s).P999))
	}, 1},
	{"errors\n(%)", func(_ *metrics.Result, _ metrics.StrategyResult, j Judged) string {
		return measured(j, f2(j.ErrorRate*100))
	}, 0},
	{"requests\nper op", func(_ *metrics.Result, _ metrics.StrategyResult, j Judged) string {
		return measured(j, f2(j.RequestsPerOp))
	}, 2},
	{"speed-up\n(p50)", func(r *metrics.Result, s metrics.StrategyResult, _ Judged) string {
		v, ok := speedUp(r, s)
		return orDash(v, ok, times)
	}, 0},
}

// measured shows v, or "–" for a strategy that measured nothing: a 0 there
// would read as a perfect result.
func measured(j Judged, v string) string {
	if !j.Measured {
		return "–"
	}
	return v
}

// compactTable is the default headline table, fitted to o.Width by
// dropping the least needed columns first.
func compactTable(r *metrics.Result, o TableOptions) table.Writer {
	drops := make([]int, len(compactColumns))
	for i, c := range compactColumns {
		drops[i] = c.drop
	}
	return fitColumns(drops, o.Width, func(keep []bool) table.Writer {
		var cols []compactColumn
		for i, c := range compactColumns {
			if keep[i] {
				cols = append(cols, c)
			}
		}
		return renderCompact(r, o, cols)
	})
}

// fitColumns renders a table with every column, then without the columns
// of drop 1, 2… (0: never dropped), until it fits width or there is
// nothing left to drop.
func fitColumns(drops []int, width int, render func(keep []bool) table.Writer) table.Writer {
	keep := make([]bool, len(drops))
	for i := range keep {
		keep[i] = true
	}
	for {
		t := render(keep)
		if t == nil || widest(t.Render()) <= width {
			return t
		}
		next := -1
		for i, d := range drops {
			if keep[i] && d > 0 && (next < 0 || d < drops[next]) {
				next = i
			}
		}
		if next < 0 {
			return t // as narrow as it gets
		}
		keep[next] = false
	}
}

func renderCompact(r *metrics.Result, o TableOptions, cols []compactColumn) table.Writer {
	t := newTable(o)
	head := make(table.Row, len(cols))
	for i, c := range cols {
		head[i] = c.head
	}
	t.AppendHeader(head)
	async := false
	for _, s := range r.Strategies {
		j := judge(s)
		async = async || j.Async
		row := make(table.Row, len(cols))
		for i, c := range cols {
			row[i] = c.cell(r, s, j)
		}
		t.AppendRow(row)
	}
	t.SetColumnConfigs(rightAligned(2, len(cols)))
	caption := []string{"latency from each operation's intended start (corrected for coordinated omission); errors: not ok"}
	if len(r.Strategies) > 0 && r.Strategies[0].LatencyFrom == "actual_start" {
		caption[0] = "latency from each operation's actual start (closed model); errors: not ok"
	}
	if async {
		caption = append(caption, "† answers its caller before the work is done: delivery latency and delivered errors; --wide for the ack")
	}
	caption = append(caption, "--wide for every column and the detail tables")
	for i := range caption {
		caption[i] = wrap(caption[i], o.Width)
	}
	t.SetCaption("%s", strings.Join(caption, "\n"))
	return t
}

// widest is the width of the widest line of s, in terminal columns.
func widest(s string) int {
	w := 0
	for _, line := range strings.Split(s, "\n") {
		w = max(w, text.RuneWidthWithoutEscSequences(line))
	}
	return w
}

// verdictBlock writes the verdict: the headline in bold, the comparisons,
// and how differences were told from noise, wrapped to the width.
func verdictBlock(r *metrics.Result, o TableOptions) string {
	v := Decide(r)
	var b strings.Builder
	for i, line := range v.Lines {
		wrapped := wrap(line, o.Width)
		if i == 0 && o.Color {
			wrapped = text.Colors{text.Bold}.Sprint(wrapped)
		}
		b.WriteString(wrapped + "\n")
	}
	basis := wrap("("+v.Basis+")", o.Width)
	if o.Color {
		basis = text.Colors{text.Faint}.Sprint(basis)
	}
	b.WriteString(basis + "\n")
	return b.String()
}

// healthBlock writes the concerns about the system under test, then the
// one line about the harness when its lateness was too small to be a
// warning (a material one is among the warnings).
func healthBlock(r *metrics.Result, o TableOptions) string {
	var b strings.Builder
	cs := Concerns(r)
	if len(cs) > 0 {
		head := "system under test: " + plural(len(cs), "concern", "concerns")
		if o.Color {
			head = text.Colors{text.FgHiYellow, text.Bold}.Sprint(head)
		}
		b.WriteString("\n" + head + "\n")
		for _, c := range cs {
			b.WriteString(indentWrap("! "+c.String(), o.Width) + "\n")
		}
	}
	if line, ok := HarnessNote(r); ok {
		b.WriteString("\n" + indentWrap("harness: "+line, o.Width) + "\n")
	}
	return b.String()
}

// HarnessNote is the run's line about its generator when it fell behind
// by too little to change the figures; a material lateness is a warning
// instead (see metrics.RunLateness).
func HarnessNote(r *metrics.Result) (string, bool) {
	l, fell := metrics.RunLateness(r.Strategies)
	if !fell || l.Material() || saidOfGenerator(r) {
		return "", false
	}
	return l.String(), true
}

// saidOfGenerator reports whether the run's warnings speak of the
// generator already: a material lateness, or a result file written before
// the lateness was one line per run (its per-strategy warnings).
func saidOfGenerator(r *metrics.Result) bool {
	return slices.ContainsFunc(r.Warnings, func(w string) bool { return strings.Contains(w, "the generator") })
}

// indentWrap wraps s to width, indenting the lines after the first by two.
func indentWrap(s string, width int) string {
	lines := strings.Split(wrap(s, width-2), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = "  " + lines[i]
	}
	return strings.Join(lines, "\n")
}

// wrap wraps s at word boundaries to width, without the spaces WrapSoft
// pads lines with.
func wrap(s string, width int) string {
	lines := strings.Split(text.WrapSoft(s, width), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

// Summary writes what a reader must not miss, as plain lines: the
// verdict, the concerns about the system under test, the harness note, the
// thresholds' verdict and the warnings. It is what a run prints on stderr
// whatever its --format, so that a JSON or Markdown run still says it.
func Summary(w io.Writer, r *metrics.Result) error {
	var b strings.Builder
	for _, l := range Decide(r).Lines {
		b.WriteString("verdict: " + l + "\n")
	}
	for _, c := range Concerns(r) {
		b.WriteString("concern: " + c.String() + "\n")
	}
	if line, ok := HarnessNote(r); ok {
		b.WriteString("harness: " + line + "\n")
	}
	if len(r.Thresholds) > 0 {
		b.WriteString(thresholdVerdict(r, TableOptions{}) + "\n")
	}
	for _, x := range Warnings(r) {
		b.WriteString("warning: " + x + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
