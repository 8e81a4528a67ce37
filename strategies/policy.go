package strategies

import (
	"context"
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

// Retry retries failed attempts with exponential backoff.
type Retry struct {
	// Attempts is the most tries of one call, the first included; 0 and 1
	// mean no retry.
	Attempts int
	// Backoff is the delay before the first retry, doubled for each next
	// one, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Jitter is "full" (the default), "equal" or "none".
	Jitter string
	// On lists the failures that are retried; empty means RetryOnAll.
	On []string
	// MaxRetryAfter caps the wait a Retry-After header (429 and 503, in
	// seconds or as an HTTP-date) may impose; a longer one is capped. The
	// wait is the larger of the backoff and the Retry-After.
	MaxRetryAfter time.Duration
}

// Breaker is a circuit breaker per upstream: once open, calls fail at once
// (FailureBreakerOpen) until OpenFor has passed; then HalfOpenProbes calls
// are let through, and the breaker closes if they all succeed.
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
}
