package strategies

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/precise"
)

// Sentinel errors of the calls a PolicyCaller ends without an answer of
// its own making.
var (
	// ErrBreakerOpen is the Err of a call the circuit breaker refused.
	ErrBreakerOpen = errors.New("circuit breaker open")
	// ErrLimited is the Err of a call the client-side rate limit refused.
	ErrLimited = errors.New("client-side rate limit: wait too long")
)

// PolicyCaller is a Caller that applies each upstream's Policy around the
// attempts of an Attempter: per call, the circuit breaker; per attempt, the
// rate limit and the attempt timeout; across attempts, the retries and the
// overall deadline. It is safe for concurrent use; the breaker and the rate
// limit of an upstream are shared by every call to it.
//
// Retries and the breaker are written here and the rate limit is
// x/time/rate's: failsafe-go's policies lack Retry-After dates, per-call
// counts and an injectable clock (docs/architecture.md says more).
type PolicyCaller struct {
	inner Attempter
	// byDeadline is inner, when it takes an attempt's timeout as a
	// deadline; nil otherwise.
	byDeadline DeadlineAttempter
	ups        []*upstreamPolicy // by Call.UpstreamIndex; nil: the zero Policy
	// now and sleep are the clock; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) bool
	// rng counts jitter draws; each draw is a hash of the count, so workers
	// share it with one atomic add and no lock.
	rng atomic.Uint64
}

// Retry condition bits.
const (
	onConnection uint8 = 1 << iota
	onTimeout
	on5xx
	on429
)

const (
	jitterFull uint8 = iota
	jitterEqual
	jitterNone
)

// upstreamPolicy is a Policy compiled for the hot path.
type upstreamPolicy struct {
	timeout, deadline   time.Duration
	attempts            int
	backoff, maxBackoff time.Duration
	maxRetryAfter       time.Duration
	jitter, on          uint8
	breaker             *breaker      // nil: no breaker
	limiter             *rate.Limiter // nil: no rate limit
	maxWait             time.Duration
}

// NewPolicyCaller returns a Caller that sends the attempts of each call
// through inner under policies[c.UpstreamIndex]; an upstream without a
// policy (an index past the list) gets the zero Policy, one plain attempt.
// It validates every policy and reports all problems at once, each a
// *PolicyError naming the field.
func NewPolicyCaller(inner Attempter, policies []Policy) (*PolicyCaller, error) {
	if inner == nil {
		return nil, errors.New("strategies: NewPolicyCaller: nil Attempter")
	}
	var errs []error
	for i := range policies {
		if err := policies[i].validate(i); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	pc := &PolicyCaller{inner: inner, now: time.Now, sleep: sleepCtx}
	pc.byDeadline, _ = inner.(DeadlineAttempter)
	pc.rng.Store(0x9e3779b97f4a7c15) // a fixed seed: jitter is reproducible from run to run
	pc.ups = make([]*upstreamPolicy, len(policies))
	for i := range policies {
		pc.ups[i] = compile(&policies[i])
	}
	return pc, nil
}

// compile returns nil for a policy that does nothing but one attempt.
func compile(p *Policy) *upstreamPolicy {
	if p.Timeout == 0 && p.Deadline == 0 && p.Retry.Attempts <= 1 && !p.Breaker.Enabled() && p.RateLimit.Rate == 0 {
		return nil
	}
	u := &upstreamPolicy{
		timeout:       p.Timeout,
		deadline:      p.Deadline,
		attempts:      max(p.Retry.Attempts, 1),
		backoff:       p.Retry.Backoff,
		maxBackoff:    p.Retry.MaxBackoff,
		maxRetryAfter: p.Retry.MaxRetryAfter,
	}
	if u.maxRetryAfter == 0 {
		u.maxRetryAfter = DefaultMaxRetryAfter
	}
	switch p.Retry.Jitter {
	case JitterEqual:
		u.jitter = jitterEqual
	case JitterNone:
		u.jitter = jitterNone
	}
	on := p.Retry.On
	if len(on) == 0 {
		on = RetryOnAll
	}
	for _, c := range on {
		switch c {
		case RetryOnConnection:
			u.on |= onConnection
		case RetryOnTimeout:
			u.on |= onTimeout
		case RetryOn5xx:
			u.on |= on5xx
		case RetryOn429:
			u.on |= on429
		}
	}
	if p.Breaker.Enabled() {
		u.breaker = newBreaker(p.Breaker)
	}
	if l := p.RateLimit; l.Rate > 0 {
		u.limiter = rate.NewLimiter(rate.Limit(l.Rate), max(l.Burst, 1))
		u.maxWait = l.MaxWait
	}
	return u
}

// Call makes call c of operation seq under its upstream's policy; see
// PolicyCaller. The result's Latency runs from the call's start to its end,
// breaker check, limiter waits and backoffs included.
//
// A call ends with the outcome of its last attempt when it succeeds, when
// the failure is not retried (not in Retry.On, or attempts used up), or
// when the wait before the next retry would pass the deadline. It ends as
// FailureTimeout when the deadline passes during an attempt, as
// FailureLimited when the rate limit would make it wait past MaxWait or the
// deadline, as FailureBreakerOpen (no request sent) when the breaker
// refuses it, and as FailureCanceled at once when ctx ends (the run stops).
func (p *PolicyCaller) Call(ctx context.Context, seq uint64, c *Call) CallResult {
	return p.CallFrom(ctx, seq, 0, c)
}

// CallFrom is Call with its attempts numbered from first instead of 0 (a
// hedge's own paired draws); see AttemptCaller. The policy is the same:
// the retries, the breaker and the rate limit count the call as any other.
func (p *PolicyCaller) CallFrom(ctx context.Context, seq uint64, first int, c *Call) CallResult {
	var u *upstreamPolicy
	if i := c.UpstreamIndex; i >= 0 && i < len(p.ups) {
		u = p.ups[i]
	}
	if u == nil {
		a := p.inner.Attempt(ctx, seq, first, c)
		return a.callResult()
	}
	return p.call(ctx, seq, first, c, u)
}

func (p *PolicyCaller) call(ctx context.Context, seq uint64, first int, c *Call, u *upstreamPolicy) (res CallResult) {
	start := p.now()
	defer func() { res.Latency = p.now().Sub(start) }()
	if u.breaker != nil {
		gen, ok := u.breaker.acquire(start)
		if !ok {
			res.Failure, res.Err = FailureBreakerOpen, ErrBreakerOpen
			return res
		}
		defer p.record(u, gen, &res)
	}
	parent := ctx
	var deadlineAt time.Time
	if u.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, u.deadline)
		defer cancel()
		deadlineAt = start.Add(u.deadline)
	}
	// stopped ends the call when a wait is cut short by ctx.
	stopped := func() {
		res.Status = 0
		if parent.Err() != nil {
			res.Failure, res.Err = FailureCanceled, parent.Err()
		} else {
			res.Failure, res.Err = FailureTimeout, ctx.Err()
		}
	}
	var retryAt time.Time // when the last Retry-After asked for has passed
	for attempt := 0; ; attempt++ {
		if u.limiter != nil {
			now := p.now()
			r := u.limiter.ReserveN(now, 1)
			wait := r.DelayFrom(now)
			if wait > 0 {
				if (u.maxWait > 0 && wait > u.maxWait) || (!deadlineAt.IsZero() && now.Add(wait).After(deadlineAt)) {
					r.CancelAt(now)
					res.Status, res.Failure, res.Err = 0, FailureLimited, ErrLimited
					return res
				}
				if !p.sleep(ctx, wait) {
					r.CancelAt(p.now())
					stopped()
					return res
				}
				res.LimiterWait += wait
			}
		}
		sent := p.now()
		var a AttemptResult
		switch {
		case u.timeout > 0 && p.byDeadline != nil:
			// The network's own clock, whatever p.now is.
			a = p.byDeadline.AttemptBy(ctx, time.Now().Add(u.timeout), seq, first+attempt, c)
		case u.timeout > 0:
			actx, cancel := context.WithTimeout(ctx, u.timeout)
			a = p.inner.Attempt(actx, seq, first+attempt, c)
			cancel()
		default:
			a = p.inner.Attempt(ctx, seq, first+attempt, c)
		}
		answered := p.now()
		if res.Attempts < MaxAttemptLatencies {
			res.AttemptLatency[res.Attempts] = a.Latency
		}
		res.Attempts++
		res.Status, res.Failure, res.Err, res.Location, res.Phases = a.Status, a.Failure, a.Err, a.Location, a.Phases
		res.ConnWait += a.ConnWait
		if a.Status == http.StatusTooManyRequests {
			res.Got429++
			if attempt > 0 && sent.Before(retryAt) {
				res.TooEarly++
			}
		}
		if a.RetryAfter > 0 {
			retryAt = answered.Add(a.RetryAfter)
		}
		if res.OK() || attempt+1 >= u.attempts || !u.retries(&a) {
			return res
		}
		if parent.Err() != nil {
			stopped()
			return res
		}
		wait := p.backoff(u, attempt)
		if a.RetryAfter > 0 {
			wait = max(wait, min(a.RetryAfter, u.maxRetryAfter))
		}
		if !deadlineAt.IsZero() && !answered.Add(wait).Before(deadlineAt) {
			return res // the retry could not be sent in time: keep this outcome
		}
		if !p.sleep(ctx, wait) {
			stopped()
			return res
		}
	}
}

// record gives the breaker the call's final outcome: a success when 2xx, a
// failure otherwise (an error status, a timeout, a connection failure,
// retries included: one call, one outcome). Calls that ended without the
// upstream failing them (the run stopped, the client-side rate limit
// refused) are not counted; they only hand back a half-open probe permit.
func (p *PolicyCaller) record(u *upstreamPolicy, gen uint64, res *CallResult) {
	outcome := outcomeFailure
	switch {
	case res.OK():
		outcome = outcomeSuccess
	case res.Failure == FailureCanceled || res.Failure == FailureLimited:
		outcome = outcomeNone
	}
	u.breaker.done(gen, outcome, p.now())
}

// retries reports whether the policy retries a's failure.
func (u *upstreamPolicy) retries(a *AttemptResult) bool {
	switch {
	case a.Status == http.StatusTooManyRequests:
		return u.on&on429 != 0
	case a.Status >= 500 && a.Status <= 599:
		return u.on&on5xx != 0
	case a.Status != 0:
		return false
	}
	switch a.Failure {
	case FailureTimeout:
		return u.on&onTimeout != 0
	case FailureRefused, FailureReset, FailureTransport:
		return u.on&onConnection != 0
	}
	return false
}

// backoff returns the jittered wait before retry n+1 (n = 0 before the
// first retry): Backoff doubled n times, capped by MaxBackoff.
func (p *PolicyCaller) backoff(u *upstreamPolicy, n int) time.Duration {
	b := u.backoff
	for i := 0; i < n && b > 0 && b <= math.MaxInt64/2; i++ {
		if u.maxBackoff > 0 && b >= u.maxBackoff {
			break
		}
		b *= 2
	}
	if u.maxBackoff > 0 {
		b = min(b, u.maxBackoff)
	}
	if b <= 0 {
		return 0
	}
	switch u.jitter {
	case jitterNone:
		return b
	case jitterEqual:
		half := b / 2
		return b - half + time.Duration(p.rand()%uint64(half+1))
	}
	return time.Duration(p.rand() % uint64(b+1))
}

// rand returns a pseudo-random number: splitmix64 of a shared counter.
func (p *PolicyCaller) rand() uint64 {
	return draws.Mix64(p.rng.Add(draws.Golden))
}

// sleepCtx waits d, or until ctx ends; it reports whether it waited d.
// A backoff needs no microsecond precision: a plain timer.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	return precise.TimerUntil(ctx, time.Now().Add(d)) == nil
}
