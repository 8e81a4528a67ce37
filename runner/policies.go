package runner

import (
	"fmt"

	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// callerFor returns what the strategy sends its calls through: the HTTP
// caller itself when the scenario sets no policy (one attempt per call, as
// ever), else a PolicyCaller applying each upstream's effective policy,
// indexed like the run's upstreams. Attempts without a policy timeout keep
// the HTTP caller's own.
func callerFor(sc *scenarios.Scenario, hc *strategies.HTTPCaller) (strategies.Caller, error) {
	if !sc.HasPolicies() {
		return hc, nil
	}
	pc, err := strategies.NewPolicyCaller(hc, policiesOf(sc))
	if err != nil {
		return nil, fmt.Errorf("call policies: %w", err)
	}
	return pc, nil
}

// policiesOf converts the scenario's effective policies, by upstream index.
func policiesOf(sc *scenarios.Scenario) []strategies.Policy {
	out := make([]strategies.Policy, len(sc.Upstreams))
	for i, up := range sc.Upstreams {
		out[i] = toStrategies(sc.PolicyFor(up.Name))
	}
	return out
}

func toStrategies(p scenarios.Policy) strategies.Policy {
	return strategies.Policy{
		Timeout:  p.Timeout,
		Deadline: p.Deadline,
		Retry: strategies.Retry{
			Attempts:      p.Retry.Attempts,
			Backoff:       p.Retry.Backoff,
			MaxBackoff:    p.Retry.MaxBackoff,
			Jitter:        p.Retry.Jitter,
			On:            p.Retry.On,
			MaxRetryAfter: p.Retry.MaxRetryAfter,
		},
		Breaker: strategies.Breaker{
			Consecutive:    p.Breaker.Consecutive,
			FailureRatio:   p.Breaker.FailureRatio,
			Window:         p.Breaker.Window,
			OpenFor:        p.Breaker.OpenFor,
			HalfOpenProbes: p.Breaker.HalfOpenProbes,
		},
		RateLimit: strategies.RateLimit{
			Rate:    p.RateLimit.Rate,
			Burst:   p.RateLimit.Burst,
			MaxWait: p.RateLimit.MaxWait,
		},
	}
}

// loadDependentPolicy reports whether an upstream's policy makes timing
// depend on the load: a breaker (open or not after the failures so far) or
// a client-side rate limit (the wait for a token).
func loadDependentPolicy(p scenarios.Policy) bool {
	return p.Breaker.Enabled() || p.RateLimit.Enabled()
}

// unknownIdeal reports whether a first attempt's draw leaves the call's
// ideal latency unknown under its upstream's policy: the policy would
// retry it (after a jittered backoff or a Retry-After), or the attempt or
// the call would time out first.
func unknownIdeal(p scenarios.Policy, d mockupstream.Draw) bool {
	switch {
	case d.Status == 429 && p.Retry.Retries("429"),
		d.Status >= 500 && d.Status <= 599 && p.Retry.Retries("5xx"):
		return true
	case p.Timeout > 0 && d.Latency >= p.Timeout,
		p.Deadline > 0 && d.Latency >= p.Deadline:
		return true
	}
	return false
}
