package loadgen

import "time"

// notStarted counts the operations from t on that the schedule holds past
// the warm-up and that the operation count would still have let start:
// what a drive stopped at its deadline, with t due, never started.
// measured counts the operations past the warm-up handed out so far, t
// included when it is one.
func notStarted(c Config, t Ticket, measured uint64) uint64 {
	if !t.Warmup {
		measured-- // t was counted, but not started
	}
	end := search(c.Pacer, t.Seq, func(_ time.Duration, ok bool) bool { return !ok })
	warm := search(c.Pacer, t.Seq, func(at time.Duration, ok bool) bool { return !ok || at >= c.Warmup })
	from := max(warm, t.Seq)
	if c.Operations > 0 { // the measured operations are numbered on from warm, in order
		end = min(end, from+c.Operations-min(measured, c.Operations))
	}
	if end <= from {
		return 0
	}
	return c.Segment.Below(end) - c.Segment.Below(from)
}

// search returns the first n ≥ from for which stop(p.Due(n)) is true,
// stop being false and then true as n grows (the schedule is in order).
// A pure pacer is searched by doubling then halving: a few dozen calls
// even for billions of operations. Poisson arrivals sum their gaps one by
// one, so they are walked.
func search(p Pacer, from uint64, stop func(time.Duration, bool) bool) uint64 {
	if stop(p.Due(from)) {
		return from
	}
	if _, walk := p.(*Poisson); walk {
		n := from + 1
		for !stop(p.Due(n)) {
			n++
		}
		return n
	}
	lo, step := from, uint64(1) // stop(lo) is false
	for {
		hi := lo + step
		if hi < lo || stop(p.Due(hi)) { // past the end of uint64 counts as stopped
			if hi < lo {
				hi = ^uint64(0)
			}
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if stop(p.Due(mid)) {
					hi = mid
				} else {
					lo = mid
				}
			}
			return hi
		}
		lo, step = hi, step*2
	}
}
