package runner

import (
	"fmt"

	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// callerFor returns what the strategy sends its calls through: the HTTP
// caller itself when the scenario sets no policy (one attempt per call, as
// ever), else a PolicyCaller applying each upstream's policy in force,
// indexed like the run's upstreams. Attempts without a policy timeout keep
// the HTTP caller's own.
func callerFor(sc *scenarios.Scenario, hc *strategies.HTTPCaller) (strategies.Caller, error) {
	if !sc.HasPolicies() {
		return hc, nil
	}
	pc, err := strategies.NewPolicyCaller(hc, sc.PoliciesByIndex())
	if err != nil {
		return nil, fmt.Errorf("call policies: %w", err)
	}
	return pc, nil
}

// unknownIdeal reports whether a first attempt's draw leaves the call's
// ideal latency unknown under its upstream's policy: the policy would
// retry it (after a jittered backoff or a Retry-After), or the attempt or
// the call would time out first.
func unknownIdeal(p strategies.Policy, d mockupstream.Draw) bool {
	switch {
	case d.Status == 429 && p.Retry.Retries(strategies.RetryOn429),
		d.Status >= 500 && d.Status <= 599 && p.Retry.Retries(strategies.RetryOn5xx):
		return true
	case p.Timeout > 0 && d.Latency >= p.Timeout,
		p.Deadline > 0 && d.Latency >= p.Deadline:
		return true
	}
	return false
}
