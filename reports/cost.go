package reports

import (
	"fmt"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// costTable shows what each strategy cost the process beyond its CPU
// (which the strategy table shows) and how often its operations met an
// upstream's tail; nil when no strategy has either.
func costTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "peak\ngoroutines", "peak heap\n(MiB)",
		"GC pause p99\n(ms)", "peak open\nconnections", "ops past an upstream's p99\nmeasured / predicted (%)"})
	t.SetColumnConfigs(rightAligned(2, 6))
	rows := 0
	for _, s := range r.Strategies {
		c, ta := s.Cost, s.TailAmplification
		if c == nil && ta == nil {
			continue
		}
		rows++
		row := table.Row{s.Name, "–", "–", "–", "–", "–"}
		if c != nil {
			row[1], row[2] = c.PeakGoroutines, f1(float64(c.PeakHeapBytes)/(1<<20))
			row[3], row[4] = f2(c.GCPauseP99MS), c.PeakOpenConns
		}
		if ta != nil {
			row[5] = fmt.Sprintf("%s / %s (%d calls; %s from calls)", f1(ta.Measured*100), f1(ta.Predicted*100),
				ta.CallsPerOperation, f1(ta.PredictedFromCalls*100))
		}
		t.AppendRow(row)
	}
	if rows == 0 {
		return nil
	}
	if includesMocks(r) {
		t.SetCaption("cost of the whole fanbench process, in-process mock upstreams included")
	}
	return t
}
