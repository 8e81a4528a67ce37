package mockupstream

import "time"

// behaviorState is the behaviour in force: the Config as given, its drawer,
// and what the server needs of each phase (the base, then each incident).
// SetConfig and Reset replace it whole; only its token buckets change.
type behaviorState struct {
	config  Config
	drawer  Drawer
	windows []window     // when each incident is in force
	phases  []phaseState // [0] the base, [i+1] incident i
	timed   bool         // incidents or a rate limit: requests read the clock
	gated   bool         // some phase has a capacity: requests take the gate
}

// phaseState is the serving side of one phase.
type phaseState struct {
	bucket     *bucket // nil: no rate limit
	capacity   Capacity
	retry      RetryAfter
	retryDelay time.Duration // of injected 429s and 503s
	retryHdr   []string      // the seconds form, precomputed; nil for http-date
	body       Body
}

// newBehaviorState compiles the serving side of c. An incident that sets no
// rate_limit shares the base bucket, so that the tokens spent before it
// still count; one that sets its own starts with a full bucket.
func newBehaviorState(c Config, d Drawer) *behaviorState {
	st := &behaviorState{config: c, drawer: d}
	base := newPhaseState(c, newBucket(c.RateLimit))
	st.phases = append(st.phases, base)
	for i := range c.Incidents {
		inc := &c.Incidents[i]
		b := base.bucket
		if inc.RateLimit != nil {
			b = newBucket(*inc.RateLimit)
		}
		st.phases = append(st.phases, newPhaseState(inc.apply(c), b))
		st.windows = append(st.windows, window{from: inc.From.D(), to: inc.To.D()})
	}
	st.timed = len(st.windows) > 0
	for _, p := range st.phases {
		st.timed = st.timed || p.bucket != nil
		st.gated = st.gated || p.capacity.Concurrency > 0
	}
	return st
}

func newPhaseState(c Config, b *bucket) phaseState {
	p := phaseState{bucket: b, capacity: c.Capacity, retry: c.RetryAfter, body: c.Body}
	p.retryDelay = c.RetryAfter.Value.D()
	if p.retryDelay == 0 {
		p.retryDelay = DefaultRetryAfter.D()
	}
	if c.RetryAfter.Format != RetryHTTPDate {
		p.retryHdr = []string{retryAfter(RetrySeconds, p.retryDelay, time.Time{}, 0)}
	}
	return p
}
