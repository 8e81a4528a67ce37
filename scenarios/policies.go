package scenarios

import "github.com/fanbench/fanbench/strategies"

// Policies are the call policies of a scenario: a default for every
// upstream, and overrides per upstream. In YAML:
//
//	policies:
//	  default: {timeout: 2s, retry: {attempts: 3, backoff: 50ms, jitter: full}}
//	  upstreams:
//	    audit: {retry: {attempts: 5}, breaker: {consecutive: 3}}
//
// An upstream's override replaces, field by field, only the fields it sets
// (see strategies.PolicySpec.Merge): audit above keeps the default's
// timeout, backoff and jitter and changes only the attempts.
type Policies struct {
	// Default applies to every upstream.
	Default strategies.PolicySpec `yaml:"default" json:"default"`
	// Upstreams overrides the default for some upstreams, by name.
	Upstreams map[string]strategies.PolicySpec `yaml:"upstreams" json:"upstreams,omitempty"`
}

// HasPolicies reports whether the scenario sets any call policy.
func (s *Scenario) HasPolicies() bool {
	if s.Policies == nil {
		return false
	}
	if !s.Policies.Default.IsZero() {
		return true
	}
	for _, o := range s.Policies.Upstreams {
		if !o.IsZero() {
			return true
		}
	}
	return false
}

// PolicyFor returns the effective call policy of the named upstream: the
// default merged with its override (see Policies), defaults applied. A
// scenario without policies gives the zero Policy: one attempt, the HTTP
// caller's timeout.
func (s *Scenario) PolicyFor(upstream string) strategies.Policy {
	return s.Policies.specFor(upstream).Policy()
}

// PoliciesByIndex returns each upstream's call policy in force, indexed like
// Upstreams.
func (s *Scenario) PoliciesByIndex() []strategies.Policy {
	out := make([]strategies.Policy, len(s.Upstreams))
	for i, up := range s.Upstreams {
		out[i] = s.PolicyFor(up.Name)
	}
	return out
}

// specFor merges the default and the upstream's override.
func (p *Policies) specFor(upstream string) strategies.PolicySpec {
	if p == nil {
		return strategies.PolicySpec{}
	}
	return p.Default.Merge(p.Upstreams[upstream])
}
