package scenarios

import (
	"slices"
	"time"

	"github.com/fanbench/fanbench/units"
)

// Policies are the call policies of a scenario: a default for every
// upstream, and overrides per upstream. In YAML:
//
//	policies:
//	  default: {timeout: 2s, retry: {attempts: 3, backoff: 50ms, jitter: full}}
//	  upstreams:
//	    audit: {retry: {attempts: 5}, breaker: {consecutive: 3}}
//
// The merge rule: an upstream's override replaces, field by field, only the
// fields it sets; the nested blocks (retry, breaker, rate_limit) are merged
// field by field too, so audit above keeps the default's timeout, backoff
// and jitter and changes only the attempts. A list (retry.on) is one field:
// an override that sets it replaces the whole list. What opens a breaker is
// one choice too: an override that sets consecutive or failure_ratio
// replaces both, so an upstream can count consecutive failures while the
// default measures a ratio.
//
// Every field is a pointer so that "not set" (inherit) differs from a zero
// value (set to zero).
type Policies struct {
	// Default applies to every upstream.
	Default PolicySpec `yaml:"default" json:"default"`
	// Upstreams overrides the default for some upstreams, by name.
	Upstreams map[string]PolicySpec `yaml:"upstreams" json:"upstreams,omitempty"`
}

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
	// On lists the failures retried, from RetryOn; nil is not set.
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

// Jitter kinds, the values of retry.jitter.
const (
	JitterFull  = "full"
	JitterEqual = "equal"
	JitterNone  = "none"
)

// Jitters lists the values of retry.jitter; the first is the default.
var Jitters = []string{JitterFull, JitterEqual, JitterNone}

// RetryOn lists the values of retry.on: connection errors, attempt
// timeouts, 5xx answers and 429 answers. All of them are the default.
var RetryOn = []string{"connection", "timeout", "5xx", "429"}

// Defaults of the fields left out.
const (
	DefaultMaxRetryAfter  = time.Minute
	DefaultOpenFor        = 5 * time.Second
	DefaultHalfOpenProbes = 1
)

// Policy is the effective call policy of one upstream: the default merged
// with the upstream's override, defaults applied. Its zero value makes one
// attempt with the HTTP caller's own timeout.
type Policy struct {
	// Timeout bounds one attempt; 0 keeps the HTTP caller's default.
	Timeout time.Duration
	// Deadline bounds the whole call; 0 = no bound beyond the attempts'.
	Deadline  time.Duration
	Retry     RetryPolicy
	Breaker   BreakerPolicy
	RateLimit RateLimitPolicy
	// Hedge is the upstream's own hedging (hedged strategy); nil: the
	// strategy's hedge_delay.
	Hedge *HedgePolicy
}

// RetryPolicy is an effective retry policy; Attempts ≤ 1 means no retry.
type RetryPolicy struct {
	Attempts      int
	Backoff       time.Duration
	MaxBackoff    time.Duration // 0 = no cap
	Jitter        string        // one of Jitters
	On            []string      // from RetryOn, never empty
	MaxRetryAfter time.Duration // DefaultMaxRetryAfter when not set
}

// Retries reports whether a failure of the given kind (a RetryOn value) is
// retried.
func (r RetryPolicy) Retries(kind string) bool {
	return r.Attempts > 1 && slices.Contains(r.On, kind)
}

// BreakerPolicy is an effective circuit breaker; it is off when neither
// Consecutive nor FailureRatio is set.
type BreakerPolicy struct {
	Consecutive    int
	FailureRatio   float64
	Window         int
	OpenFor        time.Duration
	HalfOpenProbes int
}

// Enabled reports whether the breaker is on.
func (b BreakerPolicy) Enabled() bool { return b.Consecutive > 0 || b.FailureRatio > 0 }

// RateLimitPolicy is an effective client-side rate limit; off when Rate is 0.
type RateLimitPolicy struct {
	Rate    float64 // attempts per second
	Burst   int
	MaxWait time.Duration
}

// Enabled reports whether the rate limit is on.
func (r RateLimitPolicy) Enabled() bool { return r.Rate > 0 }

// HasPolicies reports whether the scenario sets any call policy.
func (s *Scenario) HasPolicies() bool {
	if s.Policies == nil {
		return false
	}
	if !s.Policies.Default.isZero() {
		return true
	}
	for _, o := range s.Policies.Upstreams {
		if !o.isZero() {
			return true
		}
	}
	return false
}

// PolicyFor returns the effective call policy of the named upstream: the
// default merged with its override (see Policies), defaults applied. A
// scenario without policies gives the zero Policy: one attempt, the HTTP
// caller's timeout.
func (s *Scenario) PolicyFor(upstream string) Policy {
	return s.Policies.specFor(upstream).effective()
}

// specFor merges the default and the upstream's override.
func (p *Policies) specFor(upstream string) PolicySpec {
	if p == nil {
		return PolicySpec{}
	}
	return p.Default.merge(p.Upstreams[upstream])
}

func (p PolicySpec) isZero() bool {
	return p.Timeout == nil && p.Deadline == nil && p.Retry == nil && p.Breaker == nil && p.RateLimit == nil
}

// merge returns p overridden, field by field, by the fields o sets.
func (p PolicySpec) merge(o PolicySpec) PolicySpec {
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

// effective applies the defaults to a merged spec.
func (p PolicySpec) effective() Policy {
	out := Policy{
		Timeout:  val(p.Timeout, 0).D(),
		Deadline: val(p.Deadline, 0).D(),
		Hedge:    p.Hedge,
	}
	if r := p.Retry; r != nil {
		out.Retry = RetryPolicy{
			Attempts:      val(r.Attempts, 1),
			Backoff:       val(r.Backoff, 0).D(),
			MaxBackoff:    val(r.MaxBackoff, 0).D(),
			Jitter:        val(r.Jitter, JitterFull),
			On:            slices.Clone(r.On),
			MaxRetryAfter: val(r.MaxRetryAfter, units.Duration(DefaultMaxRetryAfter)).D(),
		}
		if len(out.Retry.On) == 0 {
			out.Retry.On = slices.Clone(RetryOn)
		}
	}
	if b := p.Breaker; b != nil {
		out.Breaker = BreakerPolicy{
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
		out.RateLimit = RateLimitPolicy{
			Rate:    val(rl.Rate, 0).PerSecond(),
			Burst:   val(rl.Burst, 0),
			MaxWait: val(rl.MaxWait, 0).D(),
		}
	}
	return out
}
