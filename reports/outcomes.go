package reports

import (
	"fmt"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// outcomesTable counts each strategy's operations by what became of them,
// those that never ran as scheduled included, and the upstream requests
// they cost against the minimum of one per planned call.
func outcomesTable(r *metrics.Result, o TableOptions) table.Writer {
	if len(r.Strategies) == 0 {
		return nil
	}
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "ok\n(ops)", "partial\n(ops)", "failed\n(ops)", "dropped\n(ops)",
		"cut off\n(ops)", "started late\n(> 1 ms, ops)", "requests\nper call"})
	for _, s := range r.Strategies {
		late := fmt.Sprintf("%d", s.LateStarts)
		if s.LateStarts > 0 {
			late += " (" + pct(s.LateStarts, s.Operations) + ")"
		}
		oc := s.Outcomes
		t.AppendRow(table.Row{s.Name, oc.OK, oc.Partial, oc.Failed, s.Dropped, s.Interrupted, late, amplification(s.Amplification)})
	}
	t.SetColumnConfigs(rightAligned(2, 8))
	t.SetCaption("%s", "dropped: due but never started (in-flight cap); cut off: still in flight when the grace period ran out\n"+
		"requests per call: upstream requests (retries, hedges, redeliveries, compensations) ÷ calls planned;\n"+
		"below 1× when calls were skipped or refused by a breaker")
	return t
}

// amplification shows upstream requests per planned call, as "1.08×";
// "–" when no call was planned.
func amplification(a metrics.Amplification) string {
	if a.Minimum == 0 {
		return "–"
	}
	return times(a.Ratio)
}
