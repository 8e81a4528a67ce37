package htmlreport

import (
	"fmt"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
)

// agentsSection lists the agents of a distributed run (fanbench run
// --agents): each one's share, whether it finished, how well it kept its
// schedule and its clock; none for a run in one process. The figures of
// every other section are the agents' merged.
func agentsSection(r *metrics.Result, _ colours) (*section, error) {
	if len(r.Agents) == 0 {
		return nil, nil
	}
	var lost uint64
	t := &table{ID: "agents-table", Caption: "Agents", Head: reports.AgentColumns}
	for _, a := range r.Agents {
		lost += a.Lost
		var row []cell
		for i, text := range reports.AgentCells(a) {
			c := cell{Text: text}
			if i >= 3 {
				c = num(text)
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	intro := fmt.Sprintf("The load was split between %d agents, each running its segment of every strategy's schedule "+
		"(the same operations and paired draws as one process would). Their histograms and counters are merged exactly into every figure of this report.", len(r.Agents))
	if lost > 0 {
		t.Note = fmt.Sprintf("%d operations of lost or stopped agents' shares never ran: they are counted as interrupted, not dropped silently.", lost)
	}
	t.Rule = "Schedule lag and late starts are each agent's own; the clock offset is its wall clock minus the coordinator's, estimated at the barrier, ± half the round trip."
	return &section{ID: "agents", Title: "Agents", Intro: intro, Blocks: []block{{Table: t}}}, nil
}
