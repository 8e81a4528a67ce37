package runner

import (
	"fmt"
	"math"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/loadgen"
	"github.com/fanbench/fanbench/scenarios"
)

// forever stands for a schedule ended only by an operation count.
const forever = time.Duration(1 << 62)

// Where latency counts from, as StrategyResult.LatencyFrom says.
const (
	fromIntendedStart = "intended_start"
	fromActualStart   = "actual_start"
)

// loadConfig turns the scenario's load into the schedule part of a
// loadgen.Config: a pacer (open model) or a schedule of users (closed).
// A Poisson pacer keeps a cursor, so each strategy gets a fresh one, from
// the same seed: every strategy sees the same arrivals.
func loadConfig(sc *scenarios.Scenario) (loadgen.Config, error) {
	l := &sc.Load
	c := loadgen.Config{
		MaxInFlight: l.MaxInFlight,
		DropAtCap:   l.OnCap == scenarios.OnCapDrop,
		Warmup:      l.Warmup.D(),
		Operations:  l.Operations,
	}
	length := l.Duration.D()
	if length <= 0 {
		length = forever
	}
	if l.Model == scenarios.ModelClosed {
		var err error
		if len(l.Stages) == 0 {
			c.Users, err = loadgen.ConstantUsers(l.Users, length)
		} else {
			stages := make([]loadgen.UserStage, len(l.Stages))
			for i, s := range l.Stages {
				stages[i] = loadgen.UserStage{Duration: s.Duration.D(), Target: int(s.Target.Value)}
			}
			c.Users, err = loadgen.NewUsers(l.Users, stages)
		}
		if err != nil {
			return c, fmt.Errorf("load: %w", err)
		}
		if l.Think != nil {
			s, err := draws.NewSampler(*l.Think)
			if err != nil {
				return c, fmt.Errorf("load.think: %w", err)
			}
			c.Think, c.ThinkSeed = s, sc.Seed
		}
		return c, nil
	}
	var profile loadgen.Profile = loadgen.Constant{Rate: l.Rate.PerSecond(), Duration: length}
	if len(l.Stages) > 0 {
		stages := make([]loadgen.Stage, len(l.Stages))
		for i, s := range l.Stages {
			stages[i] = loadgen.Stage{Duration: s.Duration.D(), Target: s.Target.Value}
		}
		r, err := loadgen.NewRamp(l.Rate.PerSecond(), stages)
		if err != nil {
			return c, fmt.Errorf("load.stages: %w", err)
		}
		profile = r
	}
	if l.Arrivals == scenarios.ArrivalsPoisson {
		c.Pacer = loadgen.NewPoisson(profile, sc.Seed)
	} else {
		c.Pacer = profile.(loadgen.Pacer)
	}
	return c, nil
}

// peakInFlight is how many operations may be in flight at once: the cap,
// or in the closed model the most users.
func peakInFlight(l *scenarios.LoadSpec) int {
	if l.Model != scenarios.ModelClosed {
		return l.MaxInFlight
	}
	peak := l.Users
	for _, s := range l.Stages {
		peak = max(peak, int(math.Min(s.Target.Value, math.MaxInt32)))
	}
	return peak
}

// Planned counts the measured operations (past the warm-up) of segment
// seg of the scenario's schedule, for a coordinator to know how many an
// agent it lost did not finish; false when the schedule does not say (the
// closed model's operations follow the answers, not a schedule) or holds
// more than limit operations.
func Planned(sc *scenarios.Scenario, seg loadgen.Segment, limit uint64) (uint64, bool) {
	c, err := loadConfig(sc)
	if err != nil || c.Pacer == nil {
		return 0, false
	}
	var measured, mine uint64
	for n := uint64(0); ; n++ {
		if n == limit {
			return 0, false
		}
		at, ok := c.Pacer.Due(n)
		if !ok || c.Operations > 0 && measured == c.Operations {
			return mine, true
		}
		if at < c.Warmup {
			continue
		}
		measured++
		if seg.Has(n) {
			mine++
		}
	}
}

// idleConnsPerHost is how many idle connections the caller keeps to each
// upstream: enough for the most calls in flight at once, the operations in
// flight times the calls of one (repeats counted), so that a connection
// freed by one operation is there for the next rather than closed and
// dialled again. Sized by operations alone, a 100-way fan-out at 200
// operations/s (the wide check) kept 64 of the 2,000 connections its
// bursts opened, and dialled the rest again: twice the CPU per call, and
// tens of thousands of sockets in TIME_WAIT (docs/performance.md).
func idleConnsPerHost(sc *scenarios.Scenario) int {
	calls := 0
	for _, c := range sc.Operation.Calls {
		calls += max(1, c.Repeat)
	}
	return max(64, peakInFlight(&sc.Load)*max(1, calls))
}
