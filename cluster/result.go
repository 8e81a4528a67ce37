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
		if c.quit(s) {
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

// quit reports whether segment s's agent left its share unfinished on
// its own: lost, stopped by its own signal (not the coordinator's stop),
// or its run failed.
func (c *coord) quit(s int) bool {
	if c.isLost(s) {
		return true
	}
	d := c.done[s]
	return d != nil && (d.Err != "" || d.Interrupted && !c.stopped)
}

// segmentResult is strategy i's result on segment s: the agent's own, or
// for a lost agent what its snapshots say. The unfinished share of an
// agent that quit is counted as interrupted (and in the agent's Lost),
// with a warning to res.
func (c *coord) segmentResult(i, s int, agent *metrics.Agent, res *metrics.Result) (metrics.StrategyResult, bool, error) {
	f := c.finals[[2]int{i, s}]
	if f != nil && c.o.AgentResult != nil {
		c.o.AgentResult(s, *f)
	}
	if !c.quit(s) {
		if f == nil {
			return metrics.StrategyResult{}, false, nil // stopped by the coordinator before this strategy
		}
		return *f, true, nil
	}
	spec := c.o.Scenario.Strategies[i]
	var sr metrics.StrategyResult
	from := "its per-second reports"
	if f != nil {
		sr, from = *f, "its result"
	} else {
		t := c.tallies[[2]int{i, s}]
		if t == nil {
			t = newTally()
		}
		var err error
		if sr, err = t.result(spec.Title(), spec.Name); err != nil {
			return sr, false, err
		}
	}
	title := c.plan.Strategies[i]
	why := "was lost"
	if !c.isLost(s) {
		why = "stopped before the end of its share"
	}
	planned, known := runner.Planned(c.o.Scenario, c.segs[s], plannedLimit)
	if !known {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: agent %s %s; the %d operations it reported are merged, and how many more its users would have run is unknown (closed model)",
			title, agent.Name, why, sr.Operations))
		return sr, true, nil
	}
	counted := sr.Operations + sr.Interrupted
	if c.stopped { // the run was stopped: its share ended early anyway
		planned = min(planned, counted)
	}
	lost := planned - min(planned, counted)
	sr.Interrupted += lost
	agent.Lost += lost
	if lost > 0 || f == nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: agent %s (segment %s) %s; %d of its %d operations are merged from %s, and the other %d are counted as interrupted",
			title, agent.Name, agent.Segment, why, sr.Operations, planned, from, planned-min(planned, sr.Operations)))
	}
	return sr, true, nil
}
