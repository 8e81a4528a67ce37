package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/internal/strictyaml"
	"github.com/fanbench/fanbench/internal/suggest"
)

// policies checks the call policies: each field as written, the names of
// the upstreams overridden, then the rules that tie fields together on the
// merged policies, reported where the file wrote one of the fields.
func (c *checker) policies(p *Policies, us Upstreams) {
	if p == nil {
		return
	}
	const base = "policies.default"
	c.policySpec(p.Default, base)
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.Name
	}
	overrides := slices.Sorted(maps.Keys(p.Upstreams))
	for _, name := range overrides {
		path := "policies.upstreams." + name
		if _, ok := us.Find(name); !ok && len(us) > 0 {
			c.addf(path, "unknown upstream %q%s", name, suggest.Choices(name, "defined", names))
		}
		c.policySpec(p.Upstreams[name], path)
	}
	for _, v := range p.Default.violations() {
		c.addf(strictyaml.Join(base, v.field), "%s", v.msg)
	}
	for _, name := range overrides {
		o := p.Upstreams[name]
		for _, v := range p.specFor(name).violations() {
			// A rule the override does not touch was reported at the default;
			// one it does is reported at the field it writes.
			i := slices.IndexFunc(v.involves, o.sets)
			if i < 0 {
				continue
			}
			at := v.involves[i]
			if _, isBlock := policyBlocks[at]; isBlock || v.missing {
				at = v.field
			}
			c.addf(strictyaml.Join("policies.upstreams."+name, at), "%s", v.msg)
		}
	}
}

// policySpec checks the ranges of the fields one spec writes.
func (c *checker) policySpec(p PolicySpec, path string) {
	if p.Timeout != nil && *p.Timeout <= 0 {
		c.addf(path+".timeout", "must be more than 0, such as timeout: 2s; leave it out for the HTTP caller's default")
	}
	if p.Deadline != nil && *p.Deadline <= 0 {
		c.addf(path+".deadline", "must be more than 0, such as deadline: 5s; leave it out for no deadline")
	}
	if r := p.Retry; r != nil {
		rp := path + ".retry"
		if r.Attempts != nil && *r.Attempts < 1 {
			c.addf(rp+".attempts", "must be 1 or more (the first try included; 1 = no retry), such as attempts: 3")
		}
		if r.Backoff != nil && *r.Backoff < 0 {
			c.addf(rp+".backoff", "must be 0 or more, such as backoff: 50ms")
		}
		if r.MaxBackoff != nil && *r.MaxBackoff < 0 {
			c.addf(rp+".max_backoff", "must be 0 or more, such as max_backoff: 1s")
		}
		if r.Jitter != nil && !slices.Contains(Jitters, *r.Jitter) {
			c.addf(rp+".jitter", "unknown jitter %q%s", *r.Jitter, suggest.Choices(*r.Jitter, "allowed", Jitters))
		}
		if r.On != nil && len(r.On) == 0 {
			c.addf(rp+".on", "empty; list the failures to retry, from: %s (leave on out for all of them)", strings.Join(RetryOn, ", "))
		}
		for i, kind := range r.On {
			ip := fmt.Sprintf("%s.on[%d]", rp, i)
			if !slices.Contains(RetryOn, kind) {
				c.addf(ip, "unknown failure %q%s", kind, suggest.Choices(kind, "allowed", RetryOn))
			} else if j := slices.Index(r.On, kind); j < i {
				c.addf(ip, "%s is listed twice, here and at on[%d]", kind, j)
			}
		}
		if r.MaxRetryAfter != nil && *r.MaxRetryAfter <= 0 {
			c.addf(rp+".max_retry_after", "must be more than 0, such as max_retry_after: 5s")
		}
	}
	if b := p.Breaker; b != nil {
		bp := path + ".breaker"
		if b.Consecutive != nil && *b.Consecutive < 0 {
			c.addf(bp+".consecutive", "must be 0 or more (0 = not by count), such as consecutive: 5")
		}
		if b.FailureRatio != nil && *b.FailureRatio <= 0 {
			c.addf(bp+".failure_ratio", "must be more than 0%%, such as failure_ratio: 50%%")
		}
		if b.Window != nil && *b.Window < 1 {
			c.addf(bp+".window", "must be 1 or more calls, such as window: 20")
		}
		if b.OpenFor != nil && *b.OpenFor <= 0 {
			c.addf(bp+".open_for", "must be more than 0, such as open_for: 5s")
		}
		if b.HalfOpenProbes != nil && *b.HalfOpenProbes < 1 {
			c.addf(bp+".half_open_probes", "must be 1 or more, such as half_open_probes: 1")
		}
	}
	if rl := p.RateLimit; rl != nil {
		lp := path + ".rate_limit"
		if rl.Rate != nil && *rl.Rate <= 0 {
			c.addf(lp+".rate", "must be more than 0, such as rate: 100/s; leave rate_limit out for no limit")
		}
		if rl.Burst != nil && *rl.Burst < 1 {
			c.addf(lp+".burst", "must be 1 or more, such as burst: 10")
		}
		if rl.MaxWait != nil && *rl.MaxWait < 0 {
			c.addf(lp+".max_wait", "must be 0 or more, such as max_wait: 1s")
		}
	}
}

// policyBlocks are the nested blocks of a PolicySpec.
var policyBlocks = map[string]struct{}{"retry": {}, "breaker": {}, "rate_limit": {}}

// violation is a broken rule between fields of a merged spec: the field to
// report it at, the fields that take part, the one to blame first (a spec
// that sets none of them did not cause it) and the message.
type violation struct {
	field    string
	involves []string
	msg      string
	missing  bool // field is the one missing: report it there
}

// violations checks the rules that tie fields together, on a merged spec.
func (p PolicySpec) violations() []violation {
	var out []violation
	add := func(field string, involves []string, format string, args ...any) {
		out = append(out, violation{field, involves, fmt.Sprintf(format, args...), strings.HasPrefix(format, "missing")})
	}
	if p.Timeout != nil && p.Deadline != nil && *p.Timeout > 0 && *p.Deadline < *p.Timeout {
		add("deadline", []string{"deadline", "timeout"},
			"deadline (%v) is below timeout (%v); the deadline bounds the whole call, every attempt included", *p.Deadline, *p.Timeout)
	}
	if r := p.Retry; r != nil {
		if r.Attempts == nil {
			add("retry.attempts", []string{"retry"}, "missing; set the most tries of one call, the first included, such as attempts: 3")
		}
		if r.Backoff != nil && r.MaxBackoff != nil && *r.MaxBackoff >= 0 && *r.MaxBackoff < *r.Backoff {
			add("retry.max_backoff", []string{"retry.max_backoff", "retry.backoff"},
				"max_backoff (%v) is below backoff (%v)", *r.MaxBackoff, *r.Backoff)
		}
	}
	if b := p.Breaker; b != nil {
		if b.Consecutive == nil && b.FailureRatio == nil {
			add("breaker", []string{"breaker"},
				"sets neither consecutive nor failure_ratio; set one, such as breaker: {consecutive: 5} or {failure_ratio: 50%%, window: 20}")
		}
		if b.Consecutive != nil && *b.Consecutive > 0 && b.FailureRatio != nil && *b.FailureRatio > 0 {
			add("breaker.failure_ratio", []string{"breaker.failure_ratio", "breaker.consecutive"},
				"set either consecutive (%d) or failure_ratio (%v), not both: the breaker opens by one rule", *b.Consecutive, *b.FailureRatio)
		}
		if b.FailureRatio != nil && *b.FailureRatio > 0 && b.Window == nil {
			add("breaker.window", []string{"breaker.window", "breaker.failure_ratio"},
				"missing; failure_ratio (%v) is measured over the last window calls, such as window: 20", *b.FailureRatio)
		}
	}
	if rl := p.RateLimit; rl != nil {
		if rl.Rate == nil {
			add("rate_limit.rate", []string{"rate_limit"}, "missing; set the attempts allowed per second, such as rate: 100/s")
		}
		if rl.Rate != nil && *rl.Rate > 0 && rl.Burst == nil {
			add("rate_limit.burst", []string{"rate_limit.burst", "rate_limit.rate"},
				"missing; a rate limit needs a burst of 1 or more, such as burst: 10")
		}
	}
	return out
}

// sets reports whether the spec writes the field (a path such as
// "retry.backoff", or a block such as "retry").
func (p PolicySpec) sets(field string) bool {
	block, name, _ := strings.Cut(field, ".")
	switch block {
	case "timeout":
		return p.Timeout != nil
	case "deadline":
		return p.Deadline != nil
	case "retry":
		r := p.Retry
		switch {
		case r == nil:
			return false
		case name == "backoff":
			return r.Backoff != nil
		case name == "max_backoff":
			return r.MaxBackoff != nil
		}
		return name == ""
	case "breaker":
		b := p.Breaker
		switch {
		case b == nil:
			return false
		case name == "failure_ratio":
			return b.FailureRatio != nil
		case name == "consecutive":
			return b.Consecutive != nil
		case name == "window":
			return b.Window != nil
		}
		return name == ""
	case "rate_limit":
		rl := p.RateLimit
		switch {
		case rl == nil:
			return false
		case name == "rate":
			return rl.Rate != nil
		case name == "burst":
			return rl.Burst != nil
		}
		return name == ""
	}
	return false
}

// hedgePolicies checks that a hedge policy has a hedged strategy to apply
// to: without one it would be a silent no-op.
func (c *checker) hedgePolicies(s *Scenario) {
	if s.Policies == nil || slices.ContainsFunc(s.Strategies, func(st Strategy) bool { return st.Name == "hedged" }) {
		return
	}
	at := []string{"policies.default"}
	for _, name := range slices.Sorted(maps.Keys(s.Policies.Upstreams)) {
		at = append(at, "policies.upstreams."+name)
	}
	for _, path := range at {
		spec := s.Policies.Default
		if path != "policies.default" {
			spec = s.Policies.Upstreams[strings.TrimPrefix(path, "policies.upstreams.")]
		}
		if spec.Hedge != nil {
			c.addf(path+".hedge", "applies to the hedged strategy, which this scenario does not run; add hedged to strategies or remove hedge")
		}
	}
}
