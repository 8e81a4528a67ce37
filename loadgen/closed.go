package loadgen

import (
	"errors"
	"math"
	"time"

	"github.com/fanbench/fanbench/draws"
)

// UserStage is one leg of a closed model's ramp: over Duration, the number
// of virtual users moves linearly from where the previous stage ended (or
// the schedule's Start) to Target.
type UserStage struct {
	Duration time.Duration
	Target   int
}

// Users is the closed model's schedule: how many virtual users run at each
// moment. The level is linear within each stage, and user k (from 0) is
// active while the level is above k: ramping up from 0 to 10 users over
// 10 s starts user k at k seconds; ramping down from 10 to 0 stops user k
// at 10 − k seconds. A user stopped by a ramp-down finishes the operation
// it is in. It is a pure function of time; make it with NewUsers. Safe for
// concurrent use.
type Users struct {
	start  int
	stages []UserStage
	end    time.Duration
	peak   int
}

// ErrUsers marks stages that make no schedule of users.
var ErrUsers = errors.New("invalid schedule of users")

// NewUsers returns the schedule that starts with start users and goes
// through the stages in order.
func NewUsers(start int, stages []UserStage) (*Users, error) {
	if start < 0 || len(stages) == 0 {
		return nil, errors.Join(ErrUsers, errors.New("at least one stage and a start of 0 users or more are required"))
	}
	u := &Users{start: start, stages: stages, peak: start}
	for _, s := range stages {
		if s.Duration <= 0 || s.Target < 0 || u.end > math.MaxInt64-s.Duration {
			return nil, errors.Join(ErrUsers, errors.New("each stage needs a duration above 0 (the sum within 292 years) and a target of 0 users or more"))
		}
		u.end += s.Duration
		u.peak = max(u.peak, s.Target)
	}
	u.stages = append([]UserStage(nil), stages...)
	return u, nil
}

// ConstantUsers is n users for d.
func ConstantUsers(n int, d time.Duration) (*Users, error) {
	return NewUsers(n, []UserStage{{Duration: d, Target: n}})
}

// Duration is the length of the schedule.
func (u *Users) Duration() time.Duration { return u.end }

// Peak is the most users active at once.
func (u *Users) Peak() int { return u.peak }

// Active returns how many users are active at offset at: 0 outside
// [0, Duration). It agrees with Window: a user rising through the level
// starts at the instant the level reaches it, and a user falling below it
// stops at the instant the level reaches it.
func (u *Users) Active(at time.Duration) int {
	if at < 0 || at >= u.end {
		return 0
	}
	from, level := time.Duration(0), u.start
	for _, s := range u.stages {
		if at < from+s.Duration {
			x := float64(level) + float64(s.Target-level)*float64(at-from)/float64(s.Duration)
			switch {
			case s.Target > level: // users k ≤ x have started
				return min(s.Target, int(math.Floor(x))+1)
			case s.Target < level: // users k ≥ x have stopped
				return int(math.Ceil(x))
			}
			return level
		}
		from += s.Duration
		level = s.Target
	}
	return 0
}

// Window returns the first span [start, end) that ends after from during
// which user k is active, and false when there is none. A user runs
// operations back to back (with its think time between) for the whole span.
func (u *Users) Window(k int, from time.Duration) (start, end time.Duration, ok bool) {
	if k < 0 {
		return 0, 0, false
	}
	active := false
	at, level := time.Duration(0), u.start
	for _, s := range u.stages {
		// Within the stage, user k is active where the level is above k.
		var on, off time.Duration = -1, -1 // offsets within the stage where k turns on and off
		switch {
		case level > k && s.Target > k:
			on = 0
		case level <= k && s.Target > k: // rising through k
			on = crossing(level, s.Target, k, s.Duration)
		case level > k && s.Target <= k: // falling through k
			on, off = 0, crossing(level, s.Target, k, s.Duration)
		}
		switch {
		case on >= 0 && !active:
			active, start = true, at+on
			if off >= 0 {
				active, end = false, at+off
			}
		case on >= 0 && off >= 0: // still active from before, stops here
			active, end = false, at+off
		case on < 0 && active: // off from the stage's start
			active, end = false, at
		}
		if !active && end > from && end > start {
			return max(start, from), end, true
		}
		at += s.Duration
		level = s.Target
	}
	if active && u.end > from {
		return max(start, from), u.end, true
	}
	return 0, 0, false
}

// crossing is when, within a stage of length d going linearly from level a
// to b, the level passes k.
func crossing(a, b, k int, d time.Duration) time.Duration {
	return time.Duration(math.Round(float64(d) * float64(k-a) / float64(b-a)))
}

// Think is a think-time distribution: Sample maps u uniform in [0, 1) to a
// delay, by inverse transform, so think times are pure functions of their
// draws. *draws.Sampler is one.
type Think interface {
	Sample(u float64) time.Duration
}

// FixedThink is the same think time every time.
type FixedThink time.Duration

// Sample returns the fixed think time.
func (f FixedThink) Sample(float64) time.Duration { return time.Duration(f) }

// ThinkDraw is the uniform draw for user k's think after its i-th
// operation, from (seed, k, i): in [0, 1), pure.
func ThinkDraw(seed uint64, k int, i uint64) float64 {
	return float64(draws.SplitMix(draws.SplitMix(seed^uint64(k)*0xd1b54a32d192ed03)^i)>>11) * 0x1p-53
}
