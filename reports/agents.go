package reports

import (
	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// agentsTable shows each agent of a distributed run: its share, whether
// it finished, how well it kept its schedule, its clock; nil for a run in
// one process. The strategies' figures above are the agents' merged.
func agentsTable(r *metrics.Result, o TableOptions) table.Writer {
	if len(r.Agents) == 0 {
		return nil
	}
	t := newTable(o)
	t.AppendHeader(table.Row{"agent", "segment", "status", "operations", "lost", "schedule lag\np99 (ms)",
		"late\nstarts", "clock offset\n± (ms)", "CPU\n(s)"})
	t.SetColumnConfigs(rightAligned(4, 9))
	for _, a := range r.Agents {
		name := a.Name
		if a.Host != "" && a.Host != a.Name {
			name += " (" + a.Host + ")"
		}
		t.AppendRow(table.Row{name, a.Segment, a.Status, a.Operations, a.Lost, f2(a.ScheduleLag.P99), a.LateStarts,
			f2(a.ClockOffsetMS) + " ± " + f2(a.ClockRTTMS/2), f1(a.CPUSeconds)})
	}
	t.SetCaption("agents of a distributed run: the figures above are theirs, merged exactly")
	return t
}
