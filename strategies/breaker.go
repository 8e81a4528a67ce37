package strategies

import (
	"sync"
	"time"
)

// breaker is the circuit breaker of one upstream, shared by every worker.
//
// It is written here rather than taken from failsafe-go's circuitbreaker
// for two reasons. Its clock is internal, so a test of OpenFor would have
// to sleep, where STYLE.md asks for an injectable clock. And it records an
// outcome into whatever state the breaker is in when the call ends, so a
// slow call let through while closed can count as a half-open probe; here
// each permit carries the generation of the state that granted it, and
// outcomes of an older generation are dropped.
//
// Safe for concurrent use: one mutex, held for a few field updates; no
// allocation after construction.
type breaker struct {
	mu          sync.Mutex
	state       breakerState
	gen         uint64    // bumped at every change of state
	openedAt    time.Time // when it last opened
	consecutive int       // closed, count mode: failures in a row
	// closed, ratio mode: the outcomes of the last len(ring) calls.
	ring     []bool // true: failed
	next     int    // where the next outcome goes
	seen     int    // outcomes in ring, up to len(ring)
	failures int    // true values in ring
	// half-open: permits left to hand out, successes so far.
	permits, successes int

	threshold int     // Consecutive, or 0
	ratio     float64 // FailureRatio, or 0
	openFor   time.Duration
	probes    int
}

type breakerState uint8

const (
	breakerClosed breakerState = iota
	breakerOpen
	breakerHalfOpen
)

func (s breakerState) String() string {
	return [...]string{"closed", "open", "half-open"}[s]
}

func newBreaker(b Breaker) *breaker {
	br := &breaker{threshold: b.Consecutive, openFor: b.OpenFor, probes: b.HalfOpenProbes}
	if br.openFor == 0 {
		br.openFor = DefaultOpenFor
	}
	if br.probes == 0 {
		br.probes = DefaultHalfOpenProbes
	}
	if b.Consecutive == 0 {
		br.ratio = b.FailureRatio
		br.ring = make([]bool, b.Window)
	}
	return br
}

// acquire asks to send a call at now. It returns false when the breaker
// refuses, else the generation to hand back to done.
func (b *breaker) acquire(now time.Time) (gen uint64, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case breakerOpen:
		if now.Sub(b.openedAt) < b.openFor {
			return 0, false
		}
		b.to(breakerHalfOpen, now)
		fallthrough
	case breakerHalfOpen:
		if b.permits == 0 {
			return 0, false
		}
		b.permits--
	}
	return b.gen, true
}

// outcome kinds for done.
const (
	outcomeSuccess = iota
	outcomeFailure
	outcomeNone // the call says nothing of the upstream: only return the permit
)

// done records the outcome of a call let through in generation gen.
func (b *breaker) done(gen uint64, outcome int, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.gen {
		return // granted in a state that has since ended
	}
	switch b.state {
	case breakerClosed:
		if outcome == outcomeNone {
			return
		}
		failed := outcome == outcomeFailure
		if b.threshold > 0 {
			if !failed {
				b.consecutive = 0
				return
			}
			if b.consecutive++; b.consecutive >= b.threshold {
				b.to(breakerOpen, now)
			}
			return
		}
		if b.seen == len(b.ring) && b.ring[b.next] {
			b.failures--
		}
		b.ring[b.next] = failed
		if failed {
			b.failures++
		}
		b.next = (b.next + 1) % len(b.ring)
		b.seen = min(b.seen+1, len(b.ring))
		if b.seen == len(b.ring) && float64(b.failures) >= b.ratio*float64(len(b.ring))-1e-9 {
			b.to(breakerOpen, now)
		}
	case breakerHalfOpen:
		switch outcome {
		case outcomeNone:
			b.permits++
		case outcomeFailure:
			b.to(breakerOpen, now)
		default:
			if b.successes++; b.successes >= b.probes {
				b.to(breakerClosed, now)
			}
		}
	}
}

// to moves to state s, starting its counts afresh.
func (b *breaker) to(s breakerState, now time.Time) {
	b.state = s
	b.gen++
	switch s {
	case breakerOpen:
		b.openedAt = now
	case breakerHalfOpen:
		b.permits, b.successes = b.probes, 0
	case breakerClosed:
		b.consecutive, b.next, b.seen, b.failures = 0, 0, 0, 0
		clear(b.ring)
	}
}

// current returns the state at now, as acquire would see it.
func (b *breaker) current(now time.Time) breakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == breakerOpen && now.Sub(b.openedAt) >= b.openFor {
		return breakerHalfOpen
	}
	return b.state
}
