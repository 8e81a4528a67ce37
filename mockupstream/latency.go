package mockupstream

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/fanbench/fanbench/units"
)

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

// addFunc reports one problem of a field.
type addFunc func(field, format string, args ...any)

// validateLatency reports every problem of l, with field paths under prefix
// ("latency", or "latency.components[2].latency" inside a mixture).
func validateLatency(l *Latency, prefix string, add addFunc) {
	for _, d := range []struct {
		field string
		v     units.Duration
	}{{"value", l.Value}, {"min", l.Min}, {"max", l.Max}} {
		if d.v < 0 {
			add(prefix+"."+d.field, "%v is negative; a delay is 0 or more", d.v)
		}
	}
	switch l.Dist {
	case "", DistFixed:
		if l.Min != 0 || l.Max != 0 {
			add(prefix, "min and max belong to dist: uniform; a fixed latency takes value only")
		}
	case DistUniform:
		if l.Value != 0 {
			add(prefix+".value", "value belongs to dist: fixed; a uniform latency takes min and max")
		}
		if l.Max < l.Min {
			add(prefix+".max", "max (%v) is below min (%v)", l.Max, l.Min)
		}
	default:
		add(prefix+".dist", "unknown distribution %q; allowed: %s", l.Dist, strings.Join(Dists, ", "))
	}
}

// latencySampler is a compiled Latency: it turns one uniform number in
// [0, 1) into a delay (inverse transform sampling), so a draw needs exactly
// one uniform and stays paired.
type latencySampler struct {
	fixed time.Duration // the fixed delay, or the uniform minimum
	span  time.Duration // Max-Min of a uniform delay; 0 when fixed
}

// compileLatency compiles a validated Latency.
func compileLatency(l Latency) latencySampler {
	if l.Dist == DistUniform {
		return latencySampler{fixed: l.Min.D(), span: l.Max.D() - l.Min.D()}
	}
	return latencySampler{fixed: l.Value.D()}
}

// sample returns the delay at quantile u of the distribution.
func (s *latencySampler) sample(u float64) time.Duration {
	if s.span <= 0 {
		return s.fixed
	}
	lat := s.fixed + time.Duration(u*float64(s.span))
	return min(lat, s.fixed+s.span) // float rounding on huge spans
}
