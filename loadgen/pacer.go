package loadgen

import (
	"math"
	"time"
)

// Pacer is a schedule of operations. It is a pure function: the same n always
// gives the same answer, so a schedule is tested with tables, without sleeps.
type Pacer interface {
	// Due returns the intended start of operation n (0-based), counted from
	// the start of the run, and false when the schedule has no operation n.
	Due(n uint64) (at time.Duration, ok bool)
}

// Constant is the open model at a constant rate: operation n is due at
// n / Rate, for as long as that falls before Duration.
type Constant struct {
	// Rate is in operations per second.
	Rate float64
	// Duration is how long operations keep arriving.
	Duration time.Duration
}

// Due returns n / Rate while it is before Duration.
func (c Constant) Due(n uint64) (time.Duration, bool) {
	if c.Rate <= 0 || math.IsNaN(c.Rate) {
		return 0, false
	}
	// Rounded, not truncated, so that rates like 3/s do not drift.
	at := time.Duration(math.Round(float64(n) * float64(time.Second) / c.Rate))
	if at >= c.Duration || at < 0 {
		return 0, false
	}
	return at, true
}

// Count returns how many operations the pacer schedules, up to limit.
func Count(p Pacer, limit uint64) uint64 {
	var n uint64
	for n < limit {
		if _, ok := p.Due(n); !ok {
			break
		}
		n++
	}
	return n
}
