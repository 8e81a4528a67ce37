package reports

import (
	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// sweepTable shows each strategy's rate sweep, step by step, and the rate
// it sustained within the SLO; nil when no strategy ran a sweep.
func sweepTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "rate\n(ops/s)", "throughput\n(ops/s)", "p50\n(ms)", "p99\n(ms)", "errors\n(%)", "SLO"})
	t.SetColumnConfigs(rightAligned(2, 6))
	slo := ""
	for _, s := range r.Strategies {
		sw := s.Sweep
		if sw == nil {
			continue
		}
		slo = sw.SLO
		for _, st := range sw.Steps {
			verdict := "met"
			if !st.Passed {
				verdict = "broken: " + st.Broke
			}
			t.AppendRow(table.Row{s.Name, f1(st.Rate), f1(st.Throughput), ms(st.P50), ms(st.P99), f2(st.ErrorRate * 100), verdict})
		}
		t.AppendRow(table.Row{s.Name, f1(sw.SustainedRate), "", "", "", "", "← sustained within the SLO"})
		t.AppendSeparator()
	}
	if slo == "" {
		return nil
	}
	t.SetCaption("rate sweep, SLO %s; each strategy stops at the first step that breaks it", slo)
	return t
}
