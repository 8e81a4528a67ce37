package strategies

import (
	"net/http"
	"time"
)

// maxRetryAfterSeconds bounds a delta-seconds Retry-After so that it fits a
// time.Duration (about 292 years); a caller caps it far lower with
// Retry.MaxRetryAfter.
const maxRetryAfterSeconds = int64(1<<63-1) / int64(time.Second)

// ParseRetryAfter returns the wait a Retry-After header value asks for, in
// either of the forms RFC 9110 §10.2.3 allows: delta-seconds ("120") or an
// HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", and the obsolete RFC 850 and
// asctime forms). An HTTP-date is read relative to the answer's Date header
// when it holds a valid date, so a client whose clock is off from the
// server's still waits what the server meant; else relative to now. A date
// in the past, an empty value, a negative number or anything else that is
// not one of the two forms gives 0: the header is advice, and a broken one
// must not stall the caller. Huge values are capped only at what a
// time.Duration holds; the caller applies its own maximum.
//
// failsafe-go's failsafehttp reads whole seconds only, which is why fanbench
// parses the header itself.
func ParseRetryAfter(value, date string, now time.Time) time.Duration {
	if value == "" {
		return 0
	}
	if secs, ok := parseDigits(value); ok {
		return time.Duration(min(secs, maxRetryAfterSeconds)) * time.Second
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0
	}
	ref := now
	if date != "" {
		if d, err := http.ParseTime(date); err == nil {
			ref = d
		}
	}
	if wait := at.Sub(ref); wait > 0 {
		return wait
	}
	return 0
}

// parseDigits reads 1*DIGIT, saturating instead of overflowing.
func parseDigits[T ~string | ~[]byte](s T) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > maxRetryAfterSeconds {
			continue // saturated: keep checking that the rest is digits
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
