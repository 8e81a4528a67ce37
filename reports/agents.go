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
		"late\nstarts", "clock offset\n± (ms)", "CPU\n(s)"}) // AgentColumns, folded
	t.SetColumnConfigs(rightAligned(4, len(AgentColumns)))
	for _, a := range r.Agents {
		row := table.Row{}
		for _, c := range AgentCells(a) {
			row = append(row, c)
		}
		t.AppendRow(row)
	}
	t.SetCaption("agents of a distributed run: the figures above are theirs, merged exactly")
	return t
}

// AgentColumns head the agents' table in every format; AgentCells gives
// an agent's row, the first three columns text, the rest numbers.
var AgentColumns = []string{"agent", "segment", "status", "operations", "lost", "schedule lag p99 (ms)",
	"late starts", "clock offset ± (ms)", "CPU (s)"}

// AgentCells is a's row under AgentColumns.
func AgentCells(a metrics.Agent) []string {
	name := a.Name
	if a.Host != "" && a.Host != a.Name {
		name += " (" + a.Host + ")"
	}
	return []string{name, a.Segment, a.Status, fmt.Sprint(a.Operations), fmt.Sprint(a.Lost), f2(a.ScheduleLag.P99),
		fmt.Sprint(a.LateStarts), f2(a.ClockOffsetMS) + " ± " + f2(a.ClockRTTMS/2), f1(a.CPUSeconds)}
}

// mdAgents writes the agents of a distributed run, folded like the
// per-upstream table; nothing for a run in one process.
func mdAgents(b *strings.Builder, r *metrics.Result) {
	if len(r.Agents) == 0 {
		return
	}
	var lost uint64
	for _, a := range r.Agents {
		lost += a.Lost
	}
	summary := fmt.Sprintf("Agents: %d, their figures merged exactly", len(r.Agents))
	if lost > 0 {
		summary += fmt.Sprintf("; %d operations lost with them, counted as interrupted", lost)
	}
	b.WriteString("\n<details>\n<summary>" + mdText(summary) + "</summary>\n\n")
	mdHeader(b, "lll"+strings.Repeat("r", len(AgentColumns)-3), AgentColumns...)
	for _, a := range r.Agents {
		cells := AgentCells(a)
		for i := range cells {
			cells[i] = mdText(cells[i])
		}
		mdRow(b, cells...)
	}
	b.WriteString("\n</details>\n")
}
