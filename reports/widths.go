package reports

import (
	"fmt"

	"strings"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// widthsTable shows each strategy's width sweep, width by width, beside
// the order-statistic prediction from the leaf's own latency; nil when no
// strategy ran one.
func widthsTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "width\n(calls)", "p50\n(ms)", "p99\n(ms)", "p99.9\n(ms)", "predicted\np99 (ms)", "errors\n(%)", "requests\nper op"})
	t.SetColumnConfigs(rightAligned(2, 8))
	leaf := ""
	for _, s := range r.Strategies {
		ws := s.Widths
		if ws == nil {
			continue
		}
		leaf = ws.Upstream
		for _, st := range ws.Steps {
			pred := "–"
			if p := st.Predicted; p != nil && p.P99 > 0 {
				pred = ms(p.P99)
			}
			t.AppendRow(table.Row{s.Name, st.Width, ms(st.P50), ms(st.P99), ms(st.P999), pred, f2(st.ErrorRate * 100), f2(st.RequestsPerOp)})
		}
		t.AppendSeparator()
	}
	if leaf == "" {
		return nil
	}
	t.SetCaption("%s", wrap(fmt.Sprintf("width sweep: the repeated call to %s made width times; predicted: the p99 an operation that "+
		"waits for the same calls would have, were the %s calls independent, from %s's latency at the narrowest width "+
		"(– where too few of its samples reach that far into its tail: run the narrowest width longer)", leaf, leaf, leaf), max(o.Width, 60)))
	return t
}

// mdWidths writes the width sweep for Markdown; nothing when none ran.
func mdWidths(b *strings.Builder, r *metrics.Result) {
	started := false
	for _, s := range r.Strategies {
		ws := s.Widths
		if ws == nil {
			continue
		}
		if !started {
			fmt.Fprintf(b, "**Width sweep** (the repeated call to %s; predicted: the order statistic of independent leaves; – where too few leaf samples reach that far into its tail)\n\n", mdText(ws.Upstream))
			mdHeader(b, "lrrrrrrr", "strategy", "width (calls)", "p50 (ms)", "p99 (ms)", "p99.9 (ms)", "predicted p99 (ms)", "errors (%)", "requests per op")
			started = true
		}
		for _, st := range ws.Steps {
			pred := "–"
			if p := st.Predicted; p != nil && p.P99 > 0 {
				pred = ms(p.P99)
			}
			mdRow(b, mdText(s.Name), fmt.Sprint(st.Width), ms(st.P50), ms(st.P99), ms(st.P999), pred, f2(st.ErrorRate*100), f2(st.RequestsPerOp))
		}
	}
	if started {
		b.WriteString("\n")
	}
}
