package mockupstream

import "time"

// Sampler draws delays from a Latency, compiled once: Sample is a pure,
// allocation-free function of a uniform number, safe for concurrent use.
// fanbench's closed model draws its think times with it.
type Sampler struct{ s latencySampler }

// NewSampler validates l and compiles it.
func NewSampler(l Latency) (*Sampler, error) {
	if _, err := l.Quantile(0); err != nil {
		return nil, err
	}
	return &Sampler{s: compileLatency(l)}, nil
}

// Sample returns the delay at u, uniform in [0, 1), by inverse transform.
func (s *Sampler) Sample(u float64) time.Duration { return s.s.sample(u) }
