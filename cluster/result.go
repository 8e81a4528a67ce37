package cluster

import (
	"fmt"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
)

// plannedLimit bounds the walk of a schedule to count an agent's share.
const plannedLimit = 1 << 32

// result merges what the agents sent into one result: each strategy's
// results exactly (metrics.MergeStrategy); for an agent lost mid-strategy,
// the seconds of it that arrived, and the rest of its share counted as
// interrupted, with a warning.
func (c *coord) result() (*metrics.Result, error) {
	sc := c.o.Scenario
	scJSON, err := sc.RedactedJSON()
	if err != nil {
		return nil, fmt.Errorf("recording the scenario: %w", err)
	}
	res := &metrics.Result{Schema: metrics.Schema, Scenario: scJSON, Environment: metrics.CurrentEnvironment(c.plan.Version),
		StartedAt: c.plan.Created.UTC().Truncate(time.Millisecond), DurationS: time.Since(c.plan.Created).Seconds()}
	if c.serverLost { // nothing more can arrive: what has not is lost
		for s := range c.segs {
			if c.done[s] == nil && !c.isLost(s) {
				c.lost[s] = time.Now()
			}
		}
	}
	agents := make([]metrics.Agent, len(c.segs))
	lag := make([]*metrics.Histogram, len(c.segs))
	for s := range c.segs {
		info := c.infos[s]
		agents[s] = metrics.Agent{Name: info.Name, Host: info.Host, Segment: c.plan.Segments[s], Status: "finished",
			ClockOffsetMS: float64(info.OffsetNS) / 1e6, ClockRTTMS: float64(info.RTTNS) / 1e6}
		if info.Name == "" {
			agents[s].Name, agents[s].Status = fmt.Sprintf("segment %s", c.plan.Segments[s]), "lost"
		}
		if d := c.done[s]; d != nil {
			agents[s].CPUSeconds, agents[s].Warnings = d.CPUSeconds, d.Warnings
			if d.Interrupted {
				agents[s].Status = "stopped"
			}
			if d.Err != "" {
				agents[s].Warnings = append(agents[s].Warnings, "the agent's run failed: "+d.Err)
			}
		}
		if c.isLost(s) {
			agents[s].Status = "lost"
		}
		lag[s] = metrics.NewHistogram()
	}
	for i, title := range c.plan.Strategies {
		if !c.started[i] {
			continue
		}
		var merged *metrics.StrategyResult
		for s := range c.segs {
			sr, ok, err := c.segmentResult(i, s, &agents[s], res)
			if err != nil {
				return nil, fmt.Errorf("strategy %s, segment %s: %w", title, c.plan.Segments[s], err)
			}
			if !ok {
				continue
			}
			agents[s].Operations += sr.Operations
			agents[s].LateStarts += sr.LateStarts
			if enc, ok := sr.Histograms["schedule_lag"]; ok {
				if h, err := metrics.DecodeHistogram(enc); err == nil {
					lag[s].Merge(h)
				}
			}
			if merged == nil {
				merged = &sr
				continue
			}
			m, err := metrics.MergeStrategy(*merged, sr)
			if err != nil {
				return nil, fmt.Errorf("strategy %s: %w", title, err)
			}
			merged = &m
		}
		if merged != nil {
			res.Strategies = append(res.Strategies, *merged)
		}
	}
	for s := range agents {
		agents[s].ScheduleLag = lag[s].Summary()
		for _, w := range agents[s].Warnings {
			res.Warnings = append(res.Warnings, "agent "+agents[s].Name+": "+w)
		}
		if agents[s].Status == "stopped" {
			res.Interrupted = true
		}
	}
	res.Agents = agents
	if c.stopped {
		res.Interrupted = true
	}
	if c.serverLost {
		res.Interrupted = true
		res.Warnings = append(res.Warnings, "the connection to the NATS server was lost mid-run: the result holds what had arrived before")
	}
	if res.Interrupted {
		res.Warnings = append(res.Warnings, "the run was interrupted: figures cover only what ran before the stop")
	}
	res.Thresholds = runner.JudgeThresholds(sc, res)
	return res, nil
}

// segmentResult is strategy i's result on segment s: the agent's own, or
// for a lost agent what its snapshots say, its unfinished share counted as
// interrupted (and in the agent's Lost) with a warning to res.
func (c *coord) segmentResult(i, s int, agent *metrics.Agent, res *metrics.Result) (metrics.StrategyResult, bool, error) {
	if f := c.finals[[2]int{i, s}]; f != nil {
		if c.o.AgentResult != nil {
			c.o.AgentResult(s, *f)
		}
		return *f, true, nil
	}
	if c.done[s] != nil && !c.isLost(s) {
		return metrics.StrategyResult{}, false, nil // the agent ended before this strategy (stopped, or its run failed)
	}
	spec := c.o.Scenario.Strategies[i]
	t := c.tallies[[2]int{i, s}]
	if t == nil {
		t = newTally()
	}
	sr, err := t.result(spec.Title(), spec.Name)
	if err != nil {
		return sr, false, err
	}
	title := c.plan.Strategies[i]
	planned, known := runner.Planned(c.o.Scenario, c.segs[s], plannedLimit)
	if !known {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: agent %s was lost; the %d operations it reported are merged, and how many more its users would have run is unknown (closed model)",
			title, agent.Name, sr.Operations))
		return sr, true, nil
	}
	if c.stopped { // the run was stopped: its share ended early anyway
		planned = min(planned, sr.Operations)
	}
	lost := planned - min(planned, sr.Operations)
	sr.Interrupted += lost
	agent.Lost += lost
	res.Warnings = append(res.Warnings, fmt.Sprintf("%s: agent %s (segment %s) was lost; %d of its %d operations are merged from its per-second reports, and the other %d are counted as interrupted",
		title, agent.Name, agent.Segment, sr.Operations, planned, lost))
	return sr, true, nil
}
