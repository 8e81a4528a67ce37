package strategies

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/internal/suggest"
	"github.com/fanbench/fanbench/units"
)

// This file holds a call policy as a scenario file writes it: every field
// may be left out, to inherit the default's (see PolicySpec.Merge), which a
// Policy, the one in force, cannot tell from a zero. A PolicySpec becomes a
// Policy with Policy(), which applies the defaults.

// PolicySpec is one set of call policies as written in the file: the
// default, or one upstream's override. Nil fields are not set.
type PolicySpec struct {
	// Timeout bounds one attempt; not set keeps the HTTP caller's default.
	Timeout *units.Duration `yaml:"timeout" json:"timeout,omitempty"`
	// Deadline bounds the whole call: attempts, backoff and limiter waits.
	Deadline  *units.Duration `yaml:"deadline" json:"deadline,omitempty"`
	Retry     *RetrySpec      `yaml:"retry" json:"retry,omitempty"`
	Breaker   *BreakerSpec    `yaml:"breaker" json:"breaker,omitempty"`
	RateLimit *RateLimitSpec  `yaml:"rate_limit" json:"rate_limit,omitempty"`
	// Hedge is the upstream's own hedging under the hedged strategy: off,
	// or a delay that replaces the strategy's hedge_delay for its calls.
	Hedge *HedgePolicy `yaml:"hedge" json:"hedge,omitempty"`
}

// RetrySpec retries failed attempts with exponential backoff.
type RetrySpec struct {
	// Attempts is the most tries of one call, the first included.
	Attempts *int `yaml:"attempts" json:"attempts,omitempty"`
	// Backoff is the delay before the first retry, doubled for each next
	// one up to MaxBackoff.
	Backoff    *units.Duration `yaml:"backoff" json:"backoff,omitempty"`
	MaxBackoff *units.Duration `yaml:"max_backoff" json:"max_backoff,omitempty"`
	// Jitter is one of Jitters.
	Jitter *string `yaml:"jitter" json:"jitter,omitempty"`
	// On lists the failures retried, from RetryOnAll; nil is not set.
	On []string `yaml:"on" json:"on,omitempty"`
	// MaxRetryAfter caps the wait a Retry-After header may impose;
	// DefaultMaxRetryAfter when not set.
	MaxRetryAfter *units.Duration `yaml:"max_retry_after" json:"max_retry_after,omitempty"`
}

// BreakerSpec is a circuit breaker per upstream. It opens after
// Consecutive failed calls or at a FailureRatio over the last Window calls:
// one or the other, not both.
type BreakerSpec struct {
	// Consecutive failed calls open the breaker; 0 = not by count.
	Consecutive *int `yaml:"consecutive" json:"consecutive,omitempty"`
	// FailureRatio of the last Window calls opens the breaker.
	FailureRatio *units.Fraction `yaml:"failure_ratio" json:"failure_ratio,omitempty"`
	Window       *int            `yaml:"window" json:"window,omitempty"`
	// OpenFor is how long the breaker stays open; DefaultOpenFor when not set.
	OpenFor *units.Duration `yaml:"open_for" json:"open_for,omitempty"`
	// HalfOpenProbes is how many calls test a half-open breaker;
	// DefaultHalfOpenProbes when not set.
	HalfOpenProbes *int `yaml:"half_open_probes" json:"half_open_probes,omitempty"`
}

// RateLimitSpec is a client-side token bucket per upstream.
type RateLimitSpec struct {
	// Rate is in attempts per unit, such as 100/s.
	Rate  *units.Rate `yaml:"rate" json:"rate,omitempty"`
	Burst *int        `yaml:"burst" json:"burst,omitempty"`
	// MaxWait bounds the wait for a token; not set = as long as the
	// deadline allows.
	MaxWait *units.Duration `yaml:"max_wait" json:"max_wait,omitempty"`
}

// UnmarshalText reads the shorthand "100/s": that rate, with
// units.DefaultBurst.
func (r *RateLimitSpec) UnmarshalText(b []byte) error {
	var rate units.Rate
	if err := rate.UnmarshalText(b); err != nil {
		return err
	}
	burst := units.DefaultBurst(rate)
	*r = RateLimitSpec{Rate: &rate, Burst: &burst}
	return nil
}

// UnmarshalJSON reads the shorthand string or the object form.
func (r *RateLimitSpec) UnmarshalJSON(b []byte) error {
	type plain RateLimitSpec // the same fields, without the methods
	return units.UnmarshalTextOrObject(b, r, (*plain)(r))
}

// IsZero reports whether the spec sets nothing.
func (p PolicySpec) IsZero() bool {
	return p.Timeout == nil && p.Deadline == nil && p.Retry == nil && p.Breaker == nil && p.RateLimit == nil
}

// Merge returns p overridden by the fields o sets. An override replaces,
// field by field, only the fields it sets; the nested blocks (retry,
// breaker, rate_limit) are merged field by field too. A list (retry.on) is
// one field: an override that sets it replaces the whole list. What opens a
// breaker is one choice: an override that sets consecutive or
// failure_ratio replaces both, so an upstream can count consecutive
// failures while the default measures a ratio.
func (p PolicySpec) Merge(o PolicySpec) PolicySpec {
	out := PolicySpec{
		Timeout:  or(o.Timeout, p.Timeout),
		Deadline: or(o.Deadline, p.Deadline),
		Hedge:    or(o.Hedge, p.Hedge),
	}
	switch {
	case p.Retry == nil || o.Retry == nil:
		out.Retry = or(o.Retry, p.Retry)
	default:
		out.Retry = &RetrySpec{
			Attempts:      or(o.Retry.Attempts, p.Retry.Attempts),
			Backoff:       or(o.Retry.Backoff, p.Retry.Backoff),
			MaxBackoff:    or(o.Retry.MaxBackoff, p.Retry.MaxBackoff),
			Jitter:        or(o.Retry.Jitter, p.Retry.Jitter),
			On:            p.Retry.On,
			MaxRetryAfter: or(o.Retry.MaxRetryAfter, p.Retry.MaxRetryAfter),
		}
		if o.Retry.On != nil {
			out.Retry.On = o.Retry.On
		}
	}
	switch {
	case p.Breaker == nil || o.Breaker == nil:
		out.Breaker = or(o.Breaker, p.Breaker)
	default:
		out.Breaker = &BreakerSpec{
			Consecutive:    p.Breaker.Consecutive,
			FailureRatio:   p.Breaker.FailureRatio,
			Window:         or(o.Breaker.Window, p.Breaker.Window),
			OpenFor:        or(o.Breaker.OpenFor, p.Breaker.OpenFor),
			HalfOpenProbes: or(o.Breaker.HalfOpenProbes, p.Breaker.HalfOpenProbes),
		}
		// What opens the breaker is one choice, consecutive or
		// failure_ratio: an override that names either replaces both.
		if o.Breaker.Consecutive != nil || o.Breaker.FailureRatio != nil {
			out.Breaker.Consecutive, out.Breaker.FailureRatio = o.Breaker.Consecutive, o.Breaker.FailureRatio
		}
	}
	switch {
	case p.RateLimit == nil || o.RateLimit == nil:
		out.RateLimit = or(o.RateLimit, p.RateLimit)
	default:
		out.RateLimit = &RateLimitSpec{
			Rate:    or(o.RateLimit.Rate, p.RateLimit.Rate),
			Burst:   or(o.RateLimit.Burst, p.RateLimit.Burst),
			MaxWait: or(o.RateLimit.MaxWait, p.RateLimit.MaxWait),
		}
	}
	return out
}

// or returns the first pointer that is set.
func or[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// val returns *p, or def when p is nil.
func val[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// Policy returns the policy in force: the spec with the defaults applied.
func (p PolicySpec) Policy() Policy {
	out := Policy{
		Timeout:  val(p.Timeout, 0).D(),
		Deadline: val(p.Deadline, 0).D(),
		Hedge:    p.Hedge,
	}
	if r := p.Retry; r != nil {
		out.Retry = Retry{
			Attempts:      val(r.Attempts, 1),
			Backoff:       val(r.Backoff, 0).D(),
			MaxBackoff:    val(r.MaxBackoff, 0).D(),
			Jitter:        val(r.Jitter, JitterFull),
			On:            slices.Clone(r.On),
			MaxRetryAfter: val(r.MaxRetryAfter, units.Duration(DefaultMaxRetryAfter)).D(),
		}
		if len(out.Retry.On) == 0 {
			out.Retry.On = slices.Clone(RetryOnAll)
		}
	}
	if b := p.Breaker; b != nil {
		out.Breaker = Breaker{
			Consecutive:  val(b.Consecutive, 0),
			FailureRatio: val(b.FailureRatio, 0).Float(),
			Window:       val(b.Window, 0),
		}
		if out.Breaker.Enabled() {
			out.Breaker.OpenFor = val(b.OpenFor, units.Duration(DefaultOpenFor)).D()
			out.Breaker.HalfOpenProbes = val(b.HalfOpenProbes, DefaultHalfOpenProbes)
		}
	}
	if rl := p.RateLimit; rl != nil {
		out.RateLimit = RateLimit{
			Rate:    val(rl.Rate, 0).PerSecond(),
			Burst:   val(rl.Burst, 0),
			MaxWait: val(rl.MaxWait, 0).D(),
		}
	}
	return out
}

// Check reports the problems of the values the spec writes, each through
// add with the field's path in the file spelling ("retry.attempts"). A
// value written is checked against what a file may write (a timeout of 0
// is a mistake, where the Policy in force reads it as "the default"); the
// rules that tie fields together are Violations'.
func (p PolicySpec) Check(add func(field, format string, args ...any)) {
	if p.Timeout != nil && *p.Timeout <= 0 {
		add("timeout", "must be more than 0, such as timeout: 2s; leave it out for the HTTP caller's default")
	}
	if p.Deadline != nil && *p.Deadline <= 0 {
		add("deadline", "must be more than 0, such as deadline: 5s; leave it out for no deadline")
	}
	if r := p.Retry; r != nil {
		rp := "retry"
		if r.Attempts != nil && *r.Attempts < 1 {
			add(rp+".attempts", "must be 1 or more (the first try included; 1 = no retry), such as attempts: 3")
		}
		if r.Backoff != nil && *r.Backoff < 0 {
			add(rp+".backoff", "must be 0 or more, such as backoff: 50ms")
		}
		if r.MaxBackoff != nil && *r.MaxBackoff < 0 {
			add(rp+".max_backoff", "must be 0 or more, such as max_backoff: 1s")
		}
		if r.Jitter != nil && !slices.Contains(Jitters, *r.Jitter) {
			add(rp+".jitter", "unknown jitter %q%s", *r.Jitter, suggest.Choices(*r.Jitter, "allowed", Jitters))
		}
		if r.On != nil && len(r.On) == 0 {
			add(rp+".on", "empty; list the failures to retry, from: %s (leave on out for all of them)", strings.Join(RetryOnAll, ", "))
		}
		for i, kind := range r.On {
			ip := fmt.Sprintf("%s.on[%d]", rp, i)
			if !slices.Contains(RetryOnAll, kind) {
				add(ip, "unknown failure %q%s", kind, suggest.Choices(kind, "allowed", RetryOnAll))
			} else if j := slices.Index(r.On, kind); j < i {
				add(ip, "%s is listed twice, here and at on[%d]", kind, j)
			}
		}
		if r.MaxRetryAfter != nil && *r.MaxRetryAfter <= 0 {
			add(rp+".max_retry_after", "must be more than 0, such as max_retry_after: 5s")
		}
	}
	if b := p.Breaker; b != nil {
		bp := "breaker"
		if b.Consecutive != nil && *b.Consecutive < 0 {
			add(bp+".consecutive", "must be 0 or more (0 = not by count), such as consecutive: 5")
		}
		if b.FailureRatio != nil && *b.FailureRatio <= 0 {
			add(bp+".failure_ratio", "must be more than 0%%, such as failure_ratio: 50%%")
		}
		if b.Window != nil && *b.Window < 1 {
			add(bp+".window", "must be 1 or more calls, such as window: 20")
		}
		if b.OpenFor != nil && *b.OpenFor <= 0 {
			add(bp+".open_for", "must be more than 0, such as open_for: 5s")
		}
		if b.HalfOpenProbes != nil && *b.HalfOpenProbes < 1 {
			add(bp+".half_open_probes", "must be 1 or more, such as half_open_probes: 1")
		}
	}
	if rl := p.RateLimit; rl != nil {
		lp := "rate_limit"
		if rl.Rate != nil && *rl.Rate <= 0 {
			add(lp+".rate", "must be more than 0, such as rate: 100/s; leave rate_limit out for no limit")
		}
		if rl.Burst != nil && *rl.Burst < 1 {
			add(lp+".burst", "must be 1 or more, such as burst: 10")
		}
		if rl.MaxWait != nil && *rl.MaxWait < 0 {
			add(lp+".max_wait", "must be 0 or more, such as max_wait: 1s")
		}
	}
}

// PolicyBlocks are the nested blocks of a PolicySpec.
var PolicyBlocks = []string{"retry", "breaker", "rate_limit"}

// Violation is a broken rule between fields of a merged spec: the field to
// report it at, the fields that take part, the one to blame first (a spec
// that sets none of them did not cause it) and the message.
type Violation struct {
	Field    string
	Involves []string
	Msg      string
	Missing  bool // Field is the one missing: report it there
}

// Violations checks the rules that tie fields together, on a merged spec.
func (p PolicySpec) Violations() []Violation {
	var out []Violation
	add := func(field string, involves []string, format string, args ...any) {
		out = append(out, Violation{field, involves, fmt.Sprintf(format, args...), strings.HasPrefix(format, "missing")})
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

// Sets reports whether the spec writes the field (a path such as
// "retry.backoff", or a block such as "retry").
func (p PolicySpec) Sets(field string) bool {
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
