package mockupstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/units"
)

// Config is the behaviour of one mock upstream: how long it takes to answer
// and how often it fails. The zero value answers 200 at once.
//
// The yaml and json tags are the spelling used in scenario files and on the
// admin endpoints.
type Config struct {
	// Latency is the delay before the answer.
	Latency Latency `yaml:"latency" json:"latency"`
	// Errors maps an HTTP status (400–599) to the probability that a request
	// is answered with it, e.g. {503: 1%, 500: 0.5%}. The probabilities add up
	// to at most 100%.
	Errors map[int]units.Fraction `yaml:"errors" json:"errors,omitempty"`
}

// Latency distribution names.
const (
	DistFixed   = "fixed"
	DistUniform = "uniform"
)

// Dists lists the latency distributions a Config accepts.
var Dists = []string{DistFixed, DistUniform}

// Latency describes the distribution of the delay before an answer.
//
// In YAML it is either a mapping ({dist: uniform, min: 10ms, max: 30ms}) or,
// for a fixed delay, a bare duration (latency: 200ms).
type Latency struct {
	// Dist is the distribution: "fixed" (the default) or "uniform".
	Dist string `yaml:"dist" json:"dist,omitempty"`
	// Value is the delay of the fixed distribution.
	Value units.Duration `yaml:"value" json:"value,omitempty"`
	// Min and Max bound the uniform distribution, inclusive of Min.
	Min units.Duration `yaml:"min" json:"min,omitempty"`
	Max units.Duration `yaml:"max" json:"max,omitempty"`
}

// UnmarshalText reads the shorthand for a fixed delay: "200ms".
func (l *Latency) UnmarshalText(b []byte) error {
	var d units.Duration
	if err := d.UnmarshalText(b); err != nil {
		return err
	}
	*l = Latency{Dist: DistFixed, Value: d}
	return nil
}

// UnmarshalJSON reads the shorthand string or the object form. Without it,
// encoding/json would refuse the object form, because Latency is a
// TextUnmarshaler.
func (l *Latency) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return l.UnmarshalText([]byte(s))
	}
	type plain Latency // the same fields, without the methods
	return json.Unmarshal(b, (*plain)(l))
}

// FieldError is one problem in a Config. Field is the path of the field
// inside the Config in its file spelling ("latency.max", "errors.503"), so a
// loader can point at the line that holds it.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Validate reports every problem of c at once, each as a *FieldError, joined
// with errors.Join; it returns nil when c is valid.
func (c *Config) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	l := c.Latency
	for _, d := range []struct {
		field string
		v     units.Duration
	}{{"latency.value", l.Value}, {"latency.min", l.Min}, {"latency.max", l.Max}} {
		if d.v < 0 {
			add(d.field, "%v is negative; a delay is 0 or more", d.v)
		}
	}
	switch l.Dist {
	case "", DistFixed:
		if l.Min != 0 || l.Max != 0 {
			add("latency", "min and max belong to dist: uniform; a fixed latency takes value only")
		}
	case DistUniform:
		if l.Value != 0 {
			add("latency.value", "value belongs to dist: fixed; a uniform latency takes min and max")
		}
		if l.Max < l.Min {
			add("latency.max", "max (%v) is below min (%v)", l.Max, l.Min)
		}
	default:
		add("latency.dist", "unknown distribution %q; allowed: %s", l.Dist, strings.Join(Dists, ", "))
	}
	var total float64
	for _, status := range sortedStatuses(c.Errors) {
		if status < 400 || status > 599 {
			add(fmt.Sprintf("errors.%d", status), "status %d is not an error status; allowed: 400 to 599", status)
		}
		p := c.Errors[status].Float()
		if math.IsNaN(p) || p < 0 || p > 1 {
			add(fmt.Sprintf("errors.%d", status), "probability %v is out of range; allowed: 0%% to 100%%", p)
			continue
		}
		total += p
	}
	if total > 1+1e-9 {
		add("errors", "the error probabilities add up to %.4g%%, over 100%%", total*100)
	}
	return errors.Join(errs...)
}

func sortedStatuses(m map[int]units.Fraction) []int {
	statuses := make([]int, 0, len(m))
	for s := range m {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)
	return statuses
}
