package units

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as Go duration text ("250ms", "1m30s").
type Duration time.Duration

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String returns the Go duration text, "0s" for zero.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes the Go duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads Go duration text. A bare number is refused: "200" could
// mean seconds or milliseconds, and guessing wrong silently skews a benchmark.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := time.ParseDuration(s)
	if err != nil && durationForm.MatchString(s) {
		return fmt.Errorf("%q is too long; the longest duration is %v (about 292 years)", s, time.Duration(math.MaxInt64).Truncate(time.Second))
	}
	if err != nil {
		return fmt.Errorf("%q is not a duration; write it with a unit, like 250ms, 2s or 1m30s", s)
	}
	if v < 0 {
		return fmt.Errorf("%q is negative; a duration must be 0 or more", s)
	}
	*d = Duration(v)
	return nil
}

// durationForm matches what time.ParseDuration reads, so that a duration
// it refuses anyway is one too long to hold.
var durationForm = regexp.MustCompile(`^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

// Rate is a number of events per second, written as "500/s", "30/m", "2/ms"
// or a bare number meaning per second.
type Rate float64

// PerSecond returns the rate in events per second.
func (r Rate) PerSecond() float64 { return float64(r) }

// Interval returns the time between two events at this rate, 0 for a zero rate.
func (r Rate) Interval() time.Duration {
	if r <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / float64(r))
}

// String writes the rate per second, as "500/s".
func (r Rate) String() string {
	return strconv.FormatFloat(float64(r), 'f', -1, 64) + "/s"
}

// MarshalText writes the rate per second, as "500/s".
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

var rateUnits = map[string]time.Duration{
	"ns": time.Nanosecond, "us": time.Microsecond, "µs": time.Microsecond, "ms": time.Millisecond,
	"s": time.Second, "m": time.Minute, "min": time.Minute, "h": time.Hour,
}

// UnmarshalText reads "N/UNIT" (UNIT one of ns, us, ms, s, m, min, h, or a
// duration such as 10s) or a bare number per second.
func (r *Rate) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	num, unit, hasUnit := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return fmt.Errorf("%q is not a rate; write it as a number per unit, like 500/s or 30/m", s)
	}
	if n < 0 {
		return fmt.Errorf("%q is negative; a rate must be 0 or more", s)
	}
	per := time.Second
	if hasUnit {
		unit = strings.TrimSpace(unit)
		if u, ok := rateUnits[unit]; ok {
			per = u
		} else if u, err := time.ParseDuration(unit); err == nil && u > 0 {
			per = u
		} else {
			return fmt.Errorf("%q has an unknown unit %q; use /s, /m, /h, /ms or a duration such as /10s", s, unit)
		}
	}
	*r = Rate(n * float64(time.Second) / float64(per))
	return nil
}

// Fraction is a share between 0 and 1, written as a percentage ("1%",
// "0.5%") or as a plain number between 0 and 1 ("0.01").
type Fraction float64

// Float returns the fraction as a number between 0 and 1.
func (f Fraction) Float() float64 { return float64(f) }

// String writes the fraction as a percentage, as "1.5%".
func (f Fraction) String() string {
	return strconv.FormatFloat(float64(f)*100, 'f', -1, 64) + "%"
}

// MarshalText writes the fraction as a percentage.
func (f Fraction) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads "N%" (0 to 100) or a plain number from 0 to 1.
func (f *Fraction) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	num, pct := strings.CutSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) {
		return fmt.Errorf("%q is not a fraction; write a percentage such as 1%% or a number from 0 to 1", s)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		if pct {
			return fmt.Errorf("%q is out of range; a percentage is from 0%% to 100%%", s)
		}
		return fmt.Errorf("%q is out of range; a fraction is from 0 to 1 (or write a percentage such as 1%%)", s)
	}
	*f = Fraction(v)
	return nil
}

// YAMLForm names the spelling of a Duration, for a loader's messages.
func (Duration) YAMLForm() string { return "a duration such as 250ms" }

// YAMLForm names the spelling of a Rate, for a loader's messages.
func (Rate) YAMLForm() string { return "a rate such as 500/s" }

// YAMLForm names the spelling of a Fraction, for a loader's messages.
func (Fraction) YAMLForm() string { return "a percentage such as 1%" }

// DefaultBurst is the burst of a token bucket written as a bare rate
// (rate_limit: 50/s): a tenth of a second's worth of tokens, at least 1,
// so the bucket admits short bunches without letting a second's worth
// through at once.
func DefaultBurst(r Rate) int {
	return max(1, int(math.Ceil(r.PerSecond()/10)))
}

// UnmarshalTextOrObject decodes JSON that is either a string, read by
// text's UnmarshalText (a shorthand such as "50/s"), or an object, read
// into plain: the same value as a type without the methods, so that
// encoding/json fills its fields instead of calling back into UnmarshalJSON.
func UnmarshalTextOrObject(b []byte, text encoding.TextUnmarshaler, plain any) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return text.UnmarshalText([]byte(s))
	}
	return json.Unmarshal(b, plain)
}
