package mockupstream

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// bucket is the token bucket of a RateLimit, driven by the times it is
// given (the server's Clock), so that tests can run it on a fake clock. It
// is safe for concurrent use.
type bucket struct {
	lim  *rate.Limiter
	rate float64 // tokens per second
}

// newBucket returns the bucket of r, full, or nil when r is no limit.
func newBucket(r RateLimit) *bucket {
	if r.Rate <= 0 {
		return nil
	}
	return &bucket{lim: rate.NewLimiter(rate.Limit(r.Rate), r.Burst), rate: float64(r.Rate)}
}

// admit takes a token at now and reports true, or reports false and how
// long until a token is free.
func (b *bucket) admit(now time.Time) (ok bool, wait time.Duration) {
	if b.lim.AllowN(now, 1) {
		return true, 0
	}
	need := max(1-b.lim.TokensAt(now), 0)
	return false, time.Duration(math.Ceil(need / b.rate * float64(time.Second)))
}

// retryAfter writes a Retry-After value asking the client to wait d: whole
// seconds rounded up (at least minSeconds), or, as an HTTP-date, now plus
// those seconds rounded up to the next whole second, so that a client
// reading either form never comes back early.
func retryAfter(format string, d time.Duration, now time.Time, minSeconds int64) string {
	secs := max(int64(math.Ceil(d.Seconds())), minSeconds)
	if format != RetryHTTPDate {
		return strconv.FormatInt(secs, 10)
	}
	at := now.Add(time.Duration(secs) * time.Second)
	if at.Nanosecond() != 0 {
		at = at.Truncate(time.Second).Add(time.Second)
	}
	return at.UTC().Format(http.TimeFormat)
}
