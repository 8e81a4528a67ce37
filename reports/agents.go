package reports

import (
	"fmt"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// agentsLine says in a line or two who ran a distributed run, for the
// compact table (--wide shows agentsTable); "" for a run in one process.
func agentsLine(r *metrics.Result, o TableOptions) string {
	if len(r.Agents) == 0 {
		return ""
	}
	by := map[string][]string{}
	var lost uint64
	for _, a := range r.Agents {
		by[a.Status] = append(by[a.Status], a.Name)
		lost += a.Lost
	}
	var parts []string
	for _, status := range []string{"finished", "stopped", "lost"} {
		if names := by[status]; len(names) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s (%s)", len(names), status, strings.Join(names, ", ")))
		}
	}
	line := fmt.Sprintf("agents: %d, merged exactly: %s", len(r.Agents), strings.Join(parts, "; "))
	if lost > 0 {
		line += fmt.Sprintf("; %d operations lost with them, counted as interrupted", lost)
	}
	return indentWrap(line+"; --wide for the agents table", o.Width) + "\n"
}

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
