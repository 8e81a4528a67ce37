package loadgen

import (
	"errors"
	"math"
	"time"
)

// Profile is an arrival rate that changes over time, told by its integral:
// Reach(x) is when the expected number of arrivals since the start reaches
// x. A uniform schedule starts operation n at Reach(n); Poisson starts it
// at Reach of a random sum, so one profile serves both.
type Profile interface {
	// Reach returns the offset from the start at which the integral of the
	// rate reaches x (x ≥ 0), and false when the profile ends first.
	Reach(x float64) (at time.Duration, ok bool)
}

// Reach returns x / Rate while it is before Duration.
func (c Constant) Reach(x float64) (time.Duration, bool) {
	if c.Rate <= 0 || math.IsNaN(c.Rate) {
		return 0, false
	}
	return before(x*float64(time.Second)/c.Rate, c.Duration)
}

// before rounds ns to a Duration and reports whether it falls before end.
func before(ns float64, end time.Duration) (time.Duration, bool) {
	if !(ns >= 0) || ns >= float64(end) || ns >= math.MaxInt64 {
		return 0, false
	}
	at := time.Duration(math.Round(ns))
	return at, at < end
}

// Stage is one leg of a ramp: over Duration, the rate moves linearly from
// where the previous stage ended (or the ramp's Start) to Target.
type Stage struct {
	Duration time.Duration
	// Target is the rate at the end of the stage, in operations per second.
	Target float64
}

// Ramp is the open model with ramping stages, as k6's
// ramping-arrival-rate: the rate is linear within each stage, and operation
// n is due when the integral of the rate reaches n. Each stage's integral is
// a quadratic, solved exactly, so the schedule does not drift however long
// it runs. Make it with NewRamp; it is safe for concurrent use.
type Ramp struct {
	stages []rampStage
	end    time.Duration
}

// rampStage is a Stage with what Reach needs precomputed.
type rampStage struct {
	from, to  time.Duration // offsets of the stage's start and end
	rate0     float64       // rate at from, per nanosecond
	halfSlope float64       // half the rate's slope, per ns²
	before    float64       // arrivals expected before the stage
	arrivals  float64       // arrivals expected within the stage
}

// ErrRamp marks stages that make no ramp.
var ErrRamp = errors.New("invalid ramp")

// NewRamp returns the ramp that starts at rate start (per second) and goes
// through the stages in order. Rates must be finite and 0 or more, and
// durations more than 0.
func NewRamp(start float64, stages []Stage) (*Ramp, error) {
	if len(stages) == 0 {
		return nil, errors.Join(ErrRamp, errors.New("no stages"))
	}
	if !(start >= 0) || math.IsInf(start, 0) {
		return nil, errors.Join(ErrRamp, errors.New("the start rate must be finite and 0 or more"))
	}
	r := &Ramp{stages: make([]rampStage, len(stages))}
	rate, total := start/1e9, 0.0
	for i, s := range stages {
		if s.Duration <= 0 || !(s.Target >= 0) || math.IsInf(s.Target, 0) {
			return nil, errors.Join(ErrRamp, errors.New("each stage needs a duration above 0 and a finite target of 0 or more"))
		}
		if r.end > math.MaxInt64-s.Duration {
			return nil, errors.Join(ErrRamp, errors.New("the stages are too long"))
		}
		to := s.Target / 1e9
		d := float64(s.Duration)
		arrivals := (rate + to) / 2 * d
		r.stages[i] = rampStage{from: r.end, to: r.end + s.Duration, rate0: rate, halfSlope: (to - rate) / d / 2,
			before: total, arrivals: arrivals}
		r.end += s.Duration
		total += arrivals
		rate = to
	}
	return r, nil
}

// Duration is the length of the ramp: the sum of its stages.
func (r *Ramp) Duration() time.Duration { return r.end }

// Due returns the intended start of operation n: Reach(n).
func (r *Ramp) Due(n uint64) (time.Duration, bool) { return r.Reach(float64(n)) }

// Reach solves, in the stage where the integral passes x, the quadratic
// rate0·t + halfSlope·t² = m for t, as 2m / (rate0 + √(rate0² + 4·halfSlope·m)):
// that form has no cancellation and also holds for a flat stage. A stage
// with no arrivals (a rate of 0 throughout) is skipped, so no operation
// starts during it. Stages are few, so they are scanned.
func (r *Ramp) Reach(x float64) (time.Duration, bool) {
	if !(x >= 0) {
		return 0, false
	}
	for i := range r.stages {
		s := &r.stages[i]
		m := x - s.before
		if m >= s.arrivals { // past it (or at its end: the next stage starts then)
			continue
		}
		t := 0.0
		if m > 0 {
			t = 2 * m / (s.rate0 + math.Sqrt(max(0, s.rate0*s.rate0+4*s.halfSlope*m)))
		}
		return before(float64(s.from)+min(t, float64(s.to-s.from)), r.end)
	}
	return 0, false
}
