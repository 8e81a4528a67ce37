package mockupstream

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

// Config is the behaviour of one mock upstream: how long it takes to answer,
// how often and how it fails, how much load it takes, and how that changes
// during incidents. The zero value answers 200 at once with a small JSON
// body; every zero field is "off".
//
// The yaml and json tags are the spelling used in scenario files and on the
// admin endpoints.
type Config struct {
	// Latency is the delay before the answer.
	Latency draws.Latency `yaml:"latency" json:"latency"`
	// Correlated draws the latency by operation rather than by request:
	// every call of one operation to this upstream (each copy of a
	// repeated call, each retry and hedge) waits the same drawn delay, so
	// slowness is shared across an operation's leaves, as when a shared
	// cause (a GC pause, a hot key) slows them all. Errors and faults are
	// still drawn by request.
	Correlated bool `yaml:"correlated" json:"correlated,omitempty"`
	// Errors maps an HTTP status (400–599) to the probability that a request
	// is answered with it, e.g. {503: 1%, 500: 0.5%}.
	Errors map[int]units.Fraction `yaml:"errors" json:"errors,omitempty"`
	// Faults are failures below HTTP. Errors and faults are exclusive
	// outcomes of one draw, so together they add up to at most 100%.
	Faults Faults `yaml:"faults" json:"faults,omitzero"`
	// RateLimit answers 429 to the requests beyond a token bucket.
	RateLimit RateLimit `yaml:"rate_limit" json:"rate_limit,omitzero"`
	// RetryAfter is how the Retry-After header of 429 and 503 answers is
	// written, and the delay it asks for on injected errors.
	RetryAfter RetryAfter `yaml:"retry_after" json:"retry_after,omitzero"`
	// Capacity bounds the requests served at once; the rest queue.
	Capacity Capacity `yaml:"capacity" json:"capacity,omitzero"`
	// Body sets the size of the answer and how fast it is sent.
	Body Body `yaml:"body" json:"body,omitzero"`
	// Incidents are time windows in which some of the fields above change.
	Incidents []Incident `yaml:"incidents" json:"incidents,omitempty"`
	// Async answers successful requests 202 and completes them later, by
	// callback or poll; nil answers them at once.
	Async *Async `yaml:"async" json:"async,omitempty"`
}

// Faults are the probabilities of failures below HTTP, for each request.
type Faults struct {
	// Hang sends no answer at all until the client gives up.
	Hang units.Fraction `yaml:"hang" json:"hang,omitempty"`
	// Reset closes the TCP connection with a RST (the client sees
	// "connection reset by peer").
	Reset units.Fraction `yaml:"reset" json:"reset,omitempty"`
	// Empty closes the connection without sending a byte.
	Empty units.Fraction `yaml:"empty" json:"empty,omitempty"`
	// Malformed sends bytes that are not an HTTP response, then closes.
	Malformed units.Fraction `yaml:"malformed" json:"malformed,omitempty"`
}

// RateLimit is a token bucket: it holds up to Burst tokens, refills at Rate,
// and each request takes one; a request that finds none is answered 429
// with a Retry-After of the time until the next token, in whole seconds
// (at least 1). The zero value is no limit.
type RateLimit struct {
	Rate  units.Rate `yaml:"rate" json:"rate,omitempty"`
	Burst int        `yaml:"burst" json:"burst,omitempty"`
}

// UnmarshalText reads the shorthand "50/s": that rate, with
// units.DefaultBurst.
func (r *RateLimit) UnmarshalText(b []byte) error {
	var rate units.Rate
	if err := rate.UnmarshalText(b); err != nil {
		return err
	}
	*r = RateLimit{Rate: rate, Burst: units.DefaultBurst(rate)}
	return nil
}

// UnmarshalJSON reads the shorthand string or the object form.
func (r *RateLimit) UnmarshalJSON(b []byte) error {
	type plain RateLimit // the same fields, without the methods
	return units.UnmarshalTextOrObject(b, r, (*plain)(r))
}

// Retry-After formats.
const (
	RetrySeconds  = "seconds"   // Retry-After: 2
	RetryHTTPDate = "http-date" // Retry-After: Wed, 21 Oct 2025 07:28:00 GMT
)

// RetryFormats lists the Retry-After formats a Config accepts.
var RetryFormats = []string{RetrySeconds, RetryHTTPDate}

// DefaultRetryAfter is the delay an injected 429 or 503 asks for when
// RetryAfter.Value is zero.
const DefaultRetryAfter = units.Duration(time.Second)

// RetryAfter is how the Retry-After header is written. RFC 9110 allows both
// forms, so clients must read both; the HTTP-date is the time of the answer
// plus the delay, rounded up to a whole second.
type RetryAfter struct {
	// Format is "seconds" (the default) or "http-date".
	Format string `yaml:"format" json:"format,omitempty"`
	// Value is the delay asked for by an injected 429 or 503, or by a 503 for
	// a full queue; 0 means 1s. A 429 of the rate limit asks for the time
	// until its next token instead.
	Value units.Duration `yaml:"value" json:"value,omitempty"`
}

// Capacity is a server's finite concurrency: at most Concurrency requests
// are in service (their latency, fault and answer) at once; the others wait
// in arrival order in a queue of at most Queue requests; beyond it they are
// answered 503 at once. The zero value is unlimited.
type Capacity struct {
	Concurrency int `yaml:"concurrency" json:"concurrency,omitempty"`
	Queue       int `yaml:"queue" json:"queue,omitempty"`
}

// Body is the answer body. Size 0 is the default small JSON object
// ({"upstream":…,"seq":…,"attempt":…}); a larger Size pads that object with
// a "pad" string to exactly Size bytes (a Size too small for the object cuts
// it short). BytesPerSecond > 0 sends the body at that pace, in flushed
// chunks, after the headers.
type Body struct {
	Size           units.ByteSize `yaml:"size" json:"size,omitzero"`
	BytesPerSecond units.ByteSize `yaml:"bytes_per_second" json:"bytes_per_second,omitzero"`
}

// MaxBodySize bounds Body.Size: a mock that builds gigabyte answers measures
// memory bandwidth, not a strategy.
const MaxBodySize = units.GiB

// addFunc reports one problem of a field (draws.Problems.Add is one).
type addFunc = func(field, format string, args ...any)

// Validate reports every problem of c at once, each as a *draws.FieldError, joined
// with errors.Join; it returns nil when c is valid.
func (c *Config) Validate() error {
	var ps draws.Problems
	add := ps.Add
	c.Latency.Check("latency", add)
	errTotal, errOK := validateErrors(c.Errors, "errors", add)
	faultTotal, faultOK := validateFaults(&c.Faults, "faults", add)
	if errOK && faultOK && errTotal <= 1+1e-9 && errTotal+faultTotal > 1+1e-9 {
		add("faults", "errors and faults add up to %.4g%%, over 100%%; they are exclusive outcomes of one draw", (errTotal+faultTotal)*100)
	}
	validateRateLimit(&c.RateLimit, "rate_limit", add)
	validateRetryAfter(&c.RetryAfter, "retry_after", add)
	validateCapacity(&c.Capacity, "capacity", add)
	validateBody(&c.Body, "body", add)
	validateIncidents(c, add)
	validateAsync(c.Async, add)
	return ps.Err()
}

// validateErrors checks a map of error statuses and returns the sum of its
// probabilities, and whether every probability was valid.
func validateErrors(m map[int]units.Fraction, prefix string, add addFunc) (total float64, ok bool) {
	ok = true
	for _, status := range sortedStatuses(m) {
		field := fmt.Sprintf("%s.%d", prefix, status)
		if status < 400 || status > 599 {
			add(field, "status %d is not an error status; allowed: 400 to 599", status)
		}
		if !validProbability(m[status], field, add) {
			ok = false
			continue
		}
		total += m[status].Float()
	}
	if ok && total > 1+1e-9 {
		add(prefix, "the error probabilities add up to %.4g%%, over 100%%", total*100)
	}
	return total, ok
}

func validProbability(f units.Fraction, field string, add addFunc) bool {
	if p := f.Float(); math.IsNaN(p) || p < 0 || p > 1 {
		add(field, "probability %v is out of range; allowed: 0%% to 100%%", p)
		return false
	}
	return true
}

// validateFaults checks each probability and returns their sum.
func validateFaults(f *Faults, prefix string, add addFunc) (total float64, ok bool) {
	ok = true
	for _, p := range []struct {
		name string
		v    units.Fraction
	}{{"hang", f.Hang}, {"reset", f.Reset}, {"empty", f.Empty}, {"malformed", f.Malformed}} {
		if !validProbability(p.v, prefix+"."+p.name, add) {
			ok = false
			continue
		}
		total += p.v.Float()
	}
	if ok && total > 1+1e-9 {
		add(prefix, "the fault probabilities add up to %.4g%%, over 100%%", total*100)
		ok = false
	}
	return total, ok
}

func validateRateLimit(r *RateLimit, prefix string, add addFunc) {
	rate := r.Rate.PerSecond()
	if math.IsNaN(rate) || math.IsInf(rate, 0) || rate < 0 {
		add(prefix+".rate", "%v is not a rate; allowed: above 0/s, such as 500/s", rate)
	} else if rate == 0 && r.Burst != 0 {
		add(prefix+".rate", "is missing or 0/s; allowed: above 0/s, such as 500/s (leave rate_limit out for no limit)")
	}
	switch {
	case r.Burst < 0:
		add(prefix+".burst", "is %d; allowed: 1 or more, the requests a full bucket admits at once, such as burst: 50", r.Burst)
	case rate > 0 && r.Burst == 0:
		add(prefix+".burst", "is missing; allowed: 1 or more, the requests a full bucket admits at once, such as burst: 50")
	}
}

func validateRetryAfter(r *RetryAfter, prefix string, add addFunc) {
	if r.Format != "" && !slices.Contains(RetryFormats, r.Format) {
		add(prefix+".format", "unknown format %q; allowed: seconds, http-date", r.Format)
	}
	if r.Value < 0 {
		add(prefix+".value", "%v is negative; allowed: 0s or more, such as 1s", r.Value)
	}
}

func validateCapacity(c *Capacity, prefix string, add addFunc) {
	if c.Concurrency < 0 {
		add(prefix+".concurrency", "is %d; allowed: 1 or more, or 0 for unlimited", c.Concurrency)
	}
	switch {
	case c.Queue < 0:
		add(prefix+".queue", "is %d; allowed: 0 or more", c.Queue)
	case c.Queue > 0 && c.Concurrency == 0:
		add(prefix+".concurrency", "is missing; a queue needs a concurrency of 1 or more, such as concurrency: 10")
	}
}

func validateBody(b *Body, prefix string, add addFunc) {
	if b.Size < 0 || b.Size > MaxBodySize {
		add(prefix+".size", "%d bytes is out of range; allowed: 0 (the default small JSON) to %v", b.Size.Bytes(), MaxBodySize)
	}
	if b.BytesPerSecond < 0 {
		add(prefix+".bytes_per_second", "%d is negative; allowed: 0 (no pacing) or more, such as 16KiB", b.BytesPerSecond.Bytes())
	}
}

func sortedStatuses(m map[int]units.Fraction) []int {
	statuses := make([]int, 0, len(m))
	for s := range m {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)
	return statuses
}
