package reports

import (
	"fmt"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// costTable shows what each strategy cost the process and how often its
// operations met an upstream's tail; nil when no strategy has either.
func costTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "CPU per 1,000 ops\n(ms)", "peak\ngoroutines", "peak heap\n(MiB)",
		"GC pause p99\n(ms)", "peak open\nconnections", "ops past an upstream's p99\nmeasured / predicted (%)"})
	t.SetColumnConfigs(rightAligned(2, 7))
	rows, mocks := 0, false
	for _, s := range r.Strategies {
		c, ta := s.Cost, s.TailAmplification
		if c == nil && ta == nil {
			continue
		}
		rows++
		row := table.Row{s.Name, "–", "–", "–", "–", "–", "–"}
		if c != nil {
			mocks = mocks || c.IncludesMocks
			row[1], row[2], row[3] = f1(c.CPUMsPer1000Ops), c.PeakGoroutines, f1(float64(c.PeakHeapBytes)/(1<<20))
			row[4], row[5] = f2(c.GCPauseP99MS), c.PeakOpenConns
		}
		if ta != nil {
			row[6] = fmt.Sprintf("%s / %s (%d calls; %s from calls)", f1(ta.Measured*100), f1(ta.Predicted*100),
				ta.CallsPerOperation, f1(ta.PredictedFromCalls*100))
		}
		t.AppendRow(row)
	}
	if rows == 0 {
		return nil
	}
	if mocks {
		t.SetCaption("cost of the whole fanbench process, in-process mock upstreams included")
	}
	return t
}
