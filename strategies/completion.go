package strategies

import (
	"math"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/units"
)

// Completion modes of an asynchronous call.
const (
	// CompletionCallback: the upstream answers 202 and later posts a
	// signed event to the run's webhook receiver.
	CompletionCallback = "callback"
	// CompletionPoll: the upstream answers 202 with a Location to poll
	// until it answers done.
	CompletionPoll = "poll"
)

// CompletionModes lists the modes a Completion accepts.
var CompletionModes = []string{CompletionCallback, CompletionPoll}

// Defaults of a Completion's zero fields.
const (
	DefaultCompletionDeadline = units.Duration(30 * time.Second)
	DefaultPollInterval       = units.Duration(50 * time.Millisecond)
	DefaultPollMax            = units.Duration(time.Second)
)

// Completion makes a call asynchronous: an answer of 202 Accepted is not
// its end; the call waits until the upstream says the work is done, by a
// callback or through polls, and fails as incomplete past Deadline
// (counted from the call's first send). Any other answer ends the call as
// usual. Safe for concurrent use once validated (it is read only).
type Completion struct {
	// Mode is "callback" or "poll".
	Mode string `yaml:"mode" json:"mode"`
	// Deadline bounds the whole call, the 202 included;
	// DefaultCompletionDeadline when 0.
	Deadline units.Duration `yaml:"deadline" json:"deadline,omitempty"`
	// Poll is the polling schedule (mode poll).
	Poll PollSchedule `yaml:"poll" json:"poll,omitzero"`
}

// PollSchedule is when a poll-mode call asks again: Interval after the
// 202, then each wait Backoff times the last, at most Max.
type PollSchedule struct {
	// Interval is the first wait; DefaultPollInterval when 0.
	Interval units.Duration `yaml:"interval" json:"interval,omitempty"`
	// Backoff multiplies each next wait; 1 (a steady interval) when 0.
	Backoff float64 `yaml:"backoff" json:"backoff,omitempty"`
	// Max caps a wait; DefaultPollMax when 0 (or Interval, if longer).
	Max units.Duration `yaml:"max" json:"max,omitempty"`
}

// Validate reports every problem of c at once, each a *draws.FieldError
// whose Field is the key under completion.
func (c *Completion) Validate() error {
	var ps draws.Problems
	switch c.Mode {
	case CompletionCallback, CompletionPoll:
	case "":
		ps.Add("mode", "is missing; allowed: callback, poll")
	default:
		ps.Add("mode", "unknown mode %q; allowed: callback, poll", c.Mode)
	}
	if c.Deadline < 0 {
		ps.Add("deadline", "%v is negative; allowed: above 0s, such as deadline: 5s", c.Deadline)
	}
	p := &c.Poll
	if c.Mode == CompletionCallback && *p != (PollSchedule{}) {
		ps.Add("poll", "applies to mode: poll only")
	}
	if p.Interval < 0 {
		ps.Add("poll.interval", "%v is negative; allowed: above 0s, such as interval: 50ms", p.Interval)
	}
	if b := p.Backoff; math.IsNaN(b) || b < 0 || (b > 0 && b < 1) || b > 10 {
		ps.Add("poll.backoff", "%v; allowed: 1 (a steady interval) to 10, such as backoff: 2", b)
	}
	if p.Max < 0 {
		ps.Add("poll.max", "%v is negative; allowed: above 0s, such as max: 1s", p.Max)
	} else if p.Max > 0 && p.Max < p.Interval {
		ps.Add("poll.max", "%v is below the interval %v; allowed: the interval or more", p.Max, p.Interval)
	}
	return ps.Err()
}

// deadline is the Deadline in force.
func (c *Completion) deadline() time.Duration {
	if c.Deadline <= 0 {
		return DefaultCompletionDeadline.D()
	}
	return c.Deadline.D()
}

// waits returns the first poll wait, the backoff and the cap in force.
func (p *PollSchedule) waits() (first time.Duration, backoff float64, most time.Duration) {
	first, backoff, most = p.Interval.D(), p.Backoff, p.Max.D()
	if first <= 0 {
		first = DefaultPollInterval.D()
	}
	if backoff < 1 {
		backoff = 1
	}
	if most <= 0 {
		most = max(DefaultPollMax.D(), first)
	}
	return first, backoff, most
}
