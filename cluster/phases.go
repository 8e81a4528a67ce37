package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

// errDeadline ends a wait that ran out of time.
var errDeadline = errors.New("deadline")

// run takes the run through its phases: the claims, then each strategy's
// barrier and results, then the agents' last reports. Every wait has a
// deadline.
func (c *coord) run(ctx context.Context) error {
	c.progress("waiting for %d agents to claim their segments (run %s, up to %v)", c.o.Agents, c.plan.RunID, c.o.WaitAgents)
	err := c.wait(ctx, time.Now().Add(c.o.WaitAgents), func() bool { return len(c.infos) == c.o.Agents })
	switch {
	case c.serverLost:
		return ErrServerLost
	case ctx.Err() != nil:
		c.stopAgents() // those that claimed one wait at the first barrier
		return fmt.Errorf("%w: stopped while waiting for the agents (%d of %d had claimed a segment)", ErrAgents, len(c.infos), c.o.Agents)
	case err != nil:
		c.stopAgents() // those that claimed a segment wait at the first barrier
		refused := ""
		if len(c.rejections) > 0 {
			refused = "; refused: " + strings.Join(c.rejections, "; ")
		}
		return fmt.Errorf("%w: %d of %d agents claimed a segment within %v%s", ErrAgents, len(c.infos), c.o.Agents, c.o.WaitAgents, refused)
	}
	if _, err := c.rkv.PutString(ctx, startedKey, "started"); err != nil {
		return c.putFailed(err)
	}
	// The lapsed claims are watched until the run ends, a stop included.
	lctx, stopLost := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLost()
	c.watchLost(lctx)
	length := c.o.Scenario.Load.Length()
	for i, title := range c.plan.Strategies {
		if ctx.Err() != nil {
			break
		}
		// The barrier: every agent not lost has its strategy set up.
		err := c.wait(ctx, time.Now().Add(barrierWait), func() bool { return c.all(func(s int) bool { return c.ready[[2]int{i, s}] || c.ended(s) }) })
		if c.serverLost {
			return ErrServerLost
		}
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			c.progress("strategy %s: not every agent was ready within %v; starting with those that were", title, barrierWait)
		}
		t0 := time.Now().Add(500*time.Millisecond + c.maxRTT())
		raw, _ := json.Marshal(goMsg{T0: t0})
		if _, err := c.rkv.Put(ctx, goKey(i), raw); err != nil {
			return c.putFailed(err)
		}
		c.started[i] = true
		c.progress("strategy %s (%d/%d): %d agents start at %s", title, i+1, len(c.plan.Strategies), c.active(), t0.Format("15:04:05.000"))
		end := t0.Add(length + c.o.Grace + c.o.LostAfter + 15*time.Second)
		if length <= 0 {
			end = t0.Add(24 * time.Hour) // an operation count ends it: lost agents still end the wait
		}
		if err := c.waitResults(ctx, i, end); err != nil {
			return err
		}
	}
	if ctx.Err() != nil && !c.stopped { // stopped at a barrier: the agents wait there
		c.stopAgents()
	}
	// The agents' last words: their warnings and CPU.
	_ = c.wait(context.WithoutCancel(ctx), time.Now().Add(10*time.Second), func() bool {
		return c.all(func(s int) bool { return c.done[s] != nil || c.isLost(s) })
	})
	if c.serverLost {
		return ErrServerLost
	}
	return nil
}

// waitResults waits for every agent's result of strategy i, printing the
// merged figures once a second; a stop (ctx) is passed on to the agents,
// whose results then come within their grace period.
func (c *coord) waitResults(ctx context.Context, i int, end time.Time) error {
	all := func() bool { return c.all(func(s int) bool { return c.finals[[2]int{i, s}] != nil || c.ended(s) }) }
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	check := time.NewTicker(250 * time.Millisecond)
	defer check.Stop()
	for !all() {
		if ctx.Err() != nil && !c.stopped {
			c.stopAgents()
			end = time.Now().Add(c.o.Grace + c.o.LostAfter + 5*time.Second)
		}
		if time.Now().After(end) {
			c.progress("strategy %s: no result from %s by its deadline; counted lost", c.plan.Strategies[i], c.missing(i))
			for s := range c.segs {
				if c.finals[[2]int{i, s}] == nil && !c.ended(s) {
					c.lost[s] = time.Now()
				}
			}
			return nil
		}
		select {
		case e := <-c.events:
			c.handle(e)
		case <-tick.C:
			c.showProgress(i)
		case <-ctx.Done():
		case <-check.C: // the connection's state, looked at below
		}
		if c.nc.IsClosed() {
			c.serverLost = true
			return ErrServerLost
		}
	}
	return nil
}

// stopAgents puts the stop key: every agent stops its load, lets what is
// in flight finish, and sends what it measured.
func (c *coord) stopAgents() {
	c.stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.rkv.PutString(ctx, stopKey, "stop"); err != nil {
		c.progress("could not tell the agents to stop: %v", err)
		return
	}
	c.progress("stopping the agents; their results come within their grace period (%v)", c.o.Grace)
}

func (c *coord) putFailed(err error) error {
	if c.nc.IsClosed() || !c.nc.IsConnected() {
		c.serverLost = true
		return ErrServerLost
	}
	return err
}

// wait handles events until cond holds, ctx ends or the deadline passes.
func (c *coord) wait(ctx context.Context, deadline time.Time, cond func() bool) error {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	check := time.NewTicker(250 * time.Millisecond)
	defer check.Stop()
	for !cond() {
		select {
		case e := <-c.events:
			c.handle(e)
		case <-t.C:
			return errDeadline
		case <-ctx.Done():
			return ctx.Err()
		case <-check.C:
			if c.nc.IsClosed() {
				c.serverLost = true
				return ErrServerLost
			}
		}
	}
	return nil
}

// handle takes one event into the coordinator's state.
func (c *coord) handle(e event) {
	switch {
	case e.lostSeg >= 0:
		if _, ok := c.lost[e.lostSeg]; !ok && c.done[e.lostSeg] == nil {
			c.lost[e.lostSeg] = time.Now()
			c.progress("agent %s (segment %s) lost: its claim lapsed (no word for %v)", c.infos[e.lostSeg].Name, c.plan.Segments[e.lostSeg], c.o.LostAfter)
		}
	case e.key != "":
		c.handleKey(e.key, e.value)
	case e.subject != "":
		c.handleReport(e.subject, e.data)
	}
}

func (c *coord) handleKey(key string, value []byte) {
	parts := strings.Split(key, ".")
	switch parts[0] {
	case "claimed":
		var info AgentInfo
		if json.Unmarshal(value, &info) == nil && info.Segment >= 0 && info.Segment < len(c.segs) {
			c.infos[info.Segment] = info
			if c.o.Claimed != nil {
				c.o.Claimed(info)
			}
			c.progress("agent %s on %s (pid %d) claimed segment %s", info.Name, info.Host, info.PID, c.plan.Segments[info.Segment])
		}
	case "reject":
		c.rejections = append(c.rejections, string(value))
		c.progress("an agent refused the plan: %s", value)
	case "ready":
		if len(parts) == 3 {
			i, err1 := strconv.Atoi(parts[1])
			s, err2 := strconv.Atoi(parts[2])
			if err1 == nil && err2 == nil {
				c.ready[[2]int{i, s}] = true
			}
		}
	}
}

func (c *coord) handleReport(subject string, data []byte) {
	parts := strings.Split(subject, ".") // fanbench.RUN.report.KIND.SEG
	if len(parts) != 5 {
		return
	}
	seg, err := strconv.Atoi(parts[4])
	if err != nil || seg < 0 || seg >= len(c.segs) {
		return
	}
	switch parts[3] {
	case "snap":
		var s Snapshot
		if unpack(data, &s) == nil && s.Strategy >= 0 && s.Strategy < len(c.plan.Strategies) {
			k := [2]int{s.Strategy, seg}
			if c.tallies[k] == nil {
				c.tallies[k] = newTally()
			}
			c.tallies[k].add(s)
		}
	case "final":
		var f finalMsg
		if unpack(data, &f) == nil && f.Strategy >= 0 && f.Strategy < len(c.plan.Strategies) {
			c.finals[[2]int{f.Strategy, seg}] = &f.Result
		}
	case "done":
		var d doneMsg
		if unpack(data, &d) == nil {
			c.done[seg] = &d
			if d.Err != "" {
				c.progress("agent %s failed: %s", c.infos[seg].Name, d.Err)
			}
		}
	}
}

// all reports whether f holds for every segment.
func (c *coord) all(f func(seg int) bool) bool {
	for s := range c.segs {
		if !f(s) {
			return false
		}
	}
	return true
}

func (c *coord) isLost(s int) bool { _, ok := c.lost[s]; return ok }

// ended reports whether segment s's agent will send nothing more: lost,
// or done.
func (c *coord) ended(s int) bool { return c.isLost(s) || c.done[s] != nil }

func (c *coord) active() int {
	n := 0
	for s := range c.segs {
		if !c.ended(s) {
			n++
		}
	}
	return n
}

func (c *coord) maxRTT() time.Duration {
	var m time.Duration
	for _, info := range c.infos {
		m = max(m, time.Duration(info.RTTNS))
	}
	return m
}

func (c *coord) missing(i int) string {
	var names []string
	for s := range c.segs {
		if c.finals[[2]int{i, s}] == nil && !c.ended(s) {
			names = append(names, c.infos[s].Name)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// showProgress prints strategy i's figures so far, merged over the agents.
func (c *coord) showProgress(i int) {
	var ops, notOK uint64
	var lat *metrics.Histogram
	inFlight := 0
	for s := range c.segs {
		t := c.tallies[[2]int{i, s}]
		if t == nil {
			continue
		}
		ops += t.operations()
		notOK += t.outcomes.Partial + t.outcomes.Failed
		inFlight += t.inFlight
		if h := t.hists["latency"]; h != nil {
			if lat == nil {
				lat = metrics.NewHistogram()
			}
			lat.Merge(h)
		}
	}
	if lat == nil {
		return
	}
	sum := lat.Summary()
	errRate := 0.0
	if ops > 0 {
		errRate = float64(notOK) / float64(ops) * 100
	}
	c.progress("  %s: %d agents, %d operations, p50 %.1f ms, p99 %.1f ms, errors %.2f%%, %d in flight",
		c.plan.Strategies[i], c.active(), ops, sum.P50, sum.P99, errRate, inFlight)
}
