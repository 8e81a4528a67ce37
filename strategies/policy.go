package strategies

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Policy makes one upstream's calls robust: per-attempt timeout, overall
// deadline, retries with backoff and Retry-After, a circuit breaker and a
// client-side rate limit. Policies are not strategies: any strategy's calls
// go through them. The zero Policy makes one attempt with the caller's
// default timeout.
type Policy struct {
	// Timeout bounds one attempt; 0 keeps the caller's default.
	Timeout time.Duration
	// Deadline bounds the whole call: every attempt, backoff and limiter
	// wait; 0 means no bound beyond the attempts'.
	Deadline  time.Duration
	Retry     Retry
	Breaker   Breaker
	RateLimit RateLimit
	// Hedge is the upstream's own hedging under the hedged strategy; nil
	// keeps the strategy's hedge delay. The PolicyCaller ignores it.
	Hedge *HedgePolicy
}

// Retry conditions, the values of Retry.On.
const (
	RetryOnConnection = "connection" // refused, reset, transport errors
	RetryOnTimeout    = "timeout"    // the attempt's timeout passed
	RetryOn5xx        = "5xx"        // 500–599 answers
	RetryOn429        = "429"        // 429 Too Many Requests
)

// RetryOnAll lists every retry condition; it is the default of Retry.On.
var RetryOnAll = []string{RetryOnConnection, RetryOnTimeout, RetryOn5xx, RetryOn429}

// Jitter kinds, the values of Retry.Jitter.
const (
	JitterFull  = "full"  // a delay uniform in [0, backoff]
	JitterEqual = "equal" // backoff/2 plus a delay uniform in [0, backoff/2]
	JitterNone  = "none"  // exactly the backoff
)

// Jitters lists the jitter kinds; the first is the default.
var Jitters = []string{JitterFull, JitterEqual, JitterNone}

// Retry retries failed attempts with exponential backoff.
type Retry struct {
	// Attempts is the most tries of one call, the first included; 0 and 1
	// mean no retry.
	Attempts int
	// Backoff is the delay before the first retry, doubled for each next
	// one, up to MaxBackoff (0: no cap).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Jitter is "full" (the default), "equal" or "none".
	Jitter string
	// On lists the failures that are retried; empty means RetryOnAll.
	On []string
	// MaxRetryAfter caps the wait a Retry-After header (429 and 503, in
	// seconds or as an HTTP-date) may impose; a longer one is capped. The
	// wait is the larger of the backoff and the Retry-After. 0 means
	// DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
}

// Breaker is a circuit breaker per upstream: once open, calls fail at once
// (FailureBreakerOpen) until OpenFor has passed; then HalfOpenProbes calls
// are let through, and the breaker closes if they all succeed, or opens
// again at the first that fails. A call is one outcome for the breaker,
// whatever its retries: it fails when its final answer is not 2xx (an
// error status, a timeout, a connection failure). Consecutive and
// FailureRatio are exclusive.
type Breaker struct {
	// Consecutive failed calls that open the breaker; 0 = not by count.
	Consecutive int
	// FailureRatio of the last Window calls (once at least Window calls
	// were made) that opens the breaker; 0 = not by ratio.
	FailureRatio float64
	Window       int
	// OpenFor is how long the breaker stays open; default 5s.
	OpenFor time.Duration
	// HalfOpenProbes is how many calls test a half-open breaker; default 1.
	HalfOpenProbes int
}

// Enabled reports whether the breaker is configured.
func (b Breaker) Enabled() bool { return b.Consecutive > 0 || b.FailureRatio > 0 }

// Retries reports whether a failure of the given kind (a RetryOnAll value)
// is retried.
func (r Retry) Retries(kind string) bool {
	return r.Attempts > 1 && (len(r.On) == 0 || slices.Contains(r.On, kind))
}

// Enabled reports whether the rate limit is configured.
func (l RateLimit) Enabled() bool { return l.Rate > 0 }

// DependsOnLoad reports whether the policy makes a call's timing depend on
// the load as well as on its upstream's answers: a breaker (open or not
// after the failures so far) or a client-side rate limit (the wait for a
// token).
func (p Policy) DependsOnLoad() bool { return p.Breaker.Enabled() || p.RateLimit.Enabled() }

// RateLimit is a client-side token bucket per upstream: an attempt waits
// for a token (the wait is recorded), or fails as FailureLimited when the
// wait would pass MaxWait.
type RateLimit struct {
	// Rate is in attempts per second; 0 = no limit.
	Rate  float64
	Burst int
	// MaxWait bounds the wait for a token; 0 = as long as the deadline allows.
	MaxWait time.Duration
}

// Attempter makes one attempt of a call: one HTTP request. It is safe for
// concurrent use. HTTPCaller is one; a PolicyCaller turns an Attempter into a
// Caller by applying Policies.
type Attempter interface {
	Attempt(ctx context.Context, seq uint64, attempt int, c *Call) AttemptResult
}

// DeadlineAttempter is an Attempter that also takes an attempt's deadline
// apart from its context: a caller bounding each attempt by time (a
// policy's timeout) passes the deadline instead of a context made for the
// attempt, which costs a timer and, in the fast client, a cancellation
// registration per attempt. HTTPCaller is one.
type DeadlineAttempter interface {
	AttemptBy(ctx context.Context, deadline time.Time, seq uint64, attempt int, c *Call) AttemptResult
}

// AttemptResult is what became of one attempt.
type AttemptResult struct {
	// Status is the HTTP status; 0 when there was no answer.
	Status  int
	Failure Failure
	Err     error
	Latency time.Duration
	// RetryAfter is the wait a Retry-After header asked for, in either of
	// its forms; 0 when there was none.
	RetryAfter time.Duration
	// Location is the Location header of a 202 answer; empty otherwise.
	Location string
	// Phases is where the request's time went, when traced; nil
	// otherwise.
	Phases *Phases
	// ConnWait is the time the attempt waited for a connection at the
	// upstream's max_conns (part of Latency).
	ConnWait time.Duration
}

// Defaults of the zero fields of a Policy.
const (
	DefaultMaxRetryAfter  = time.Minute
	DefaultOpenFor        = 5 * time.Second
	DefaultHalfOpenProbes = 1
)

// PolicyError is one problem of a Policy. Field is the path of the field in
// the scenario file's spelling ("retry.attempts", "breaker.failure_ratio"),
// so a loader can point at the line that holds it; Upstream is the index of
// the policy in the list given to NewPolicyCaller.
type PolicyError struct {
	Upstream int
	Field    string
	Msg      string
}

func (e *PolicyError) Error() string {
	return "policy of upstream " + strconv.Itoa(e.Upstream) + ": " + e.Field + ": " + e.Msg
}

// Validate reports every problem of p at once, each as a *PolicyError with
// Upstream 0, joined with errors.Join; nil when p is valid.
func (p *Policy) Validate() error { return p.validate(0) }

func (p *Policy) validate(upstream int) error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, &PolicyError{Upstream: upstream, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	nonNegative := func(field string, d time.Duration) {
		if d < 0 {
			add(field, "%v is negative; want 0 (off) or a positive duration", d)
		}
	}
	nonNegative("timeout", p.Timeout)
	nonNegative("deadline", p.Deadline)
	r := &p.Retry
	if r.Attempts < 0 {
		add("retry.attempts", "%d is negative; want 0 or 1 (no retry) or more", r.Attempts)
	}
	nonNegative("retry.backoff", r.Backoff)
	nonNegative("retry.max_backoff", r.MaxBackoff)
	nonNegative("retry.max_retry_after", r.MaxRetryAfter)
	if r.MaxBackoff > 0 && r.Backoff > r.MaxBackoff {
		add("retry.max_backoff", "%v is below retry.backoff %v", r.MaxBackoff, r.Backoff)
	}
	if r.Jitter != "" && !slices.Contains(Jitters, r.Jitter) {
		add("retry.jitter", "%q is not a jitter; want one of %s", r.Jitter, strings.Join(Jitters, ", "))
	}
	for i, on := range r.On {
		if !slices.Contains(RetryOnAll, on) {
			add("retry.on["+strconv.Itoa(i)+"]", "%q is not a retry condition; want one of %s", on, strings.Join(RetryOnAll, ", "))
		}
	}
	b := &p.Breaker
	if b.Consecutive < 0 {
		add("breaker.consecutive", "%d is negative; want 0 (off) or more", b.Consecutive)
	}
	if b.FailureRatio < 0 || b.FailureRatio > 1 || math.IsNaN(b.FailureRatio) {
		add("breaker.failure_ratio", "%v is not a ratio from 0 to 1", b.FailureRatio)
	}
	if b.Consecutive > 0 && b.FailureRatio > 0 {
		add("breaker.failure_ratio", "set either breaker.consecutive or breaker.failure_ratio, not both")
	}
	if b.FailureRatio > 0 && b.Window < 1 {
		add("breaker.window", "%d calls; want 1 or more with breaker.failure_ratio", b.Window)
	}
	if b.Window < 0 {
		add("breaker.window", "%d is negative", b.Window)
	}
	nonNegative("breaker.open_for", b.OpenFor)
	if b.HalfOpenProbes < 0 {
		add("breaker.half_open_probes", "%d is negative; want 0 (default 1) or more", b.HalfOpenProbes)
	}
	l := &p.RateLimit
	if l.Rate < 0 || math.IsNaN(l.Rate) || math.IsInf(l.Rate, 0) {
		add("rate_limit.rate", "%v per second; want 0 (off) or a positive rate", l.Rate)
	}
	if l.Burst < 0 {
		add("rate_limit.burst", "%d is negative; want 0 (default 1) or more", l.Burst)
	}
	nonNegative("rate_limit.max_wait", l.MaxWait)
	return errors.Join(errs...)
}
