package draws

import (
	"fmt"
	"math"
	"strings"

	"github.com/fanbench/fanbench/units"
)

// Latency distribution names.
const (
	DistFixed       = "fixed"
	DistUniform     = "uniform"
	DistNormal      = "normal"
	DistLognormal   = "lognormal"
	DistExponential = "exponential"
	DistPareto      = "pareto"
	DistPercentiles = "percentiles"
	DistMixture     = "mixture"
)

// Dists lists the latency distributions.
var Dists = []string{DistFixed, DistUniform, DistNormal, DistLognormal, DistExponential, DistPareto, DistPercentiles, DistMixture}

// maxMixtureDepth bounds how deep mixtures nest: a mixture of mixtures of
// mixtures of mixtures at most.
const maxMixtureDepth = 4

// Latency describes the distribution of the delay before an answer. Every
// draw turns one uniform number u in [0, 1) into a delay by inverse transform
// sampling, so a request's delay stays a pure function of its paired draw.
//
// In YAML it is a bare duration for a fixed delay (latency: 200ms) or a
// mapping naming the distribution and its parameters:
//
//	{dist: fixed, value: 200ms}
//	{dist: uniform, min: 10ms, max: 30ms}
//	{dist: normal, mean: 50ms, stddev: 20ms}        # truncated at 0
//	{dist: lognormal, median: 40ms, sigma: 0.6}
//	{dist: lognormal, p50: 40ms, p99: 300ms}        # the lognormal through both
//	{dist: exponential, mean: 30ms}
//	{dist: pareto, scale: 10ms, shape: 2.5}
//	{p50: 40ms, p90: 120ms, p99: 300ms, p99.9: 1s}  # dist: percentiles
//	{components: [{weight: 95%, latency: 20ms},     # dist: mixture
//	              {weight: 5%, latency: {dist: uniform, min: 1s, max: 2s}}]}
//
// Without dist, a Latency with percentile points is a percentile table, one
// with components a mixture, and any other a fixed delay.
//
// Normal, lognormal, exponential and Pareto delays are unbounded; an optional
// max caps each draw (a draw above it is max).
//
// A percentile table hits its points exactly. Between two points, the
// logarithm of the delay is linear in the normal quantile Φ⁻¹(q), so the
// segment between two points is the lognormal through them (a table read off
// a lognormal is reproduced exactly). Below the lowest point the delay falls
// linearly in q to min at q = 0 (min defaults to half the lowest point).
// Above the highest point it rises linearly in q to max at q = 1 when max is
// set; without max, the last segment's slope in log-delay against
// log(1/(1−q)) goes on (a Pareto tail fitted to the two highest points), and
// draws are capped at 10 × the highest point.
//
// A mixture picks a component with u, in proportion to the weights (which
// add up to 100%), and draws the component's delay from u rescaled within the
// component's share of [0, 1). Mixtures nest at most 4 deep.
type Latency struct {
	// Dist is the distribution, one of Dists. Empty means percentiles when a
	// percentile point is set, mixture when components are, and fixed
	// otherwise.
	Dist string `yaml:"dist" json:"dist,omitempty"`
	// Value is the delay of the fixed distribution.
	Value units.Duration `yaml:"value" json:"value,omitempty"`
	// Min and Max bound the uniform distribution, inclusive of Min. Min is
	// also the lowest delay of a percentile table, and Max the highest of a
	// percentile table and the cap of the unbounded distributions.
	Min units.Duration `yaml:"min" json:"min,omitempty"`
	Max units.Duration `yaml:"max" json:"max,omitempty"`
	// Mean is the mean of the normal (before truncation at 0) and of the
	// exponential distribution; Stddev the normal's standard deviation.
	Mean   units.Duration `yaml:"mean" json:"mean,omitempty"`
	Stddev units.Duration `yaml:"stddev" json:"stddev,omitempty"`
	// Median and Sigma (the standard deviation of the log of the delay)
	// define a lognormal distribution; P50 and P99 can instead.
	Median units.Duration `yaml:"median" json:"median,omitempty"`
	Sigma  float64        `yaml:"sigma" json:"sigma,omitempty"`
	// Scale (the smallest delay) and Shape (the tail index; the lower, the
	// heavier the tail) define a Pareto distribution.
	Scale units.Duration `yaml:"scale" json:"scale,omitempty"`
	Shape float64        `yaml:"shape" json:"shape,omitempty"`
	// The points of a percentile table, two or more of them, rising with the
	// quantile. Zero means not set.
	P50   units.Duration `yaml:"p50" json:"p50,omitempty"`
	P75   units.Duration `yaml:"p75" json:"p75,omitempty"`
	P90   units.Duration `yaml:"p90" json:"p90,omitempty"`
	P95   units.Duration `yaml:"p95" json:"p95,omitempty"`
	P99   units.Duration `yaml:"p99" json:"p99,omitempty"`
	P999  units.Duration `yaml:"p99.9" json:"p99.9,omitempty"`
	P9999 units.Duration `yaml:"p99.99" json:"p99.99,omitempty"`
	// Components are the parts of a mixture.
	Components []Component `yaml:"components" json:"components,omitempty"`
}

// Component is one part of a mixture latency: with probability Weight, the
// delay is drawn from Latency.
type Component struct {
	Weight  units.Fraction `yaml:"weight" json:"weight"`
	Latency Latency        `yaml:"latency" json:"latency"`
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
	type plain Latency // the same fields, without the methods
	return units.UnmarshalTextOrObject(b, l, (*plain)(l))
}

// EffectiveDist returns the distribution l describes: Dist, or when Dist is
// empty, percentiles if a percentile point is set, mixture if components
// are, and fixed otherwise.
func (l *Latency) EffectiveDist() string {
	switch {
	case l.Dist != "":
		return l.Dist
	case l.hasPoints():
		return DistPercentiles
	case len(l.Components) > 0:
		return DistMixture
	}
	return DistFixed
}

// pointNames and pointQuantiles are the percentile points, in order.
var (
	pointNames     = [...]string{"p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99"}
	pointQuantiles = [...]float64{0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999}
)

// points returns the percentile points, in the order of pointNames.
func (l *Latency) points() [len(pointNames)]units.Duration {
	return [...]units.Duration{l.P50, l.P75, l.P90, l.P95, l.P99, l.P999, l.P9999}
}

func (l *Latency) hasPoints() bool {
	return l.points() != [len(pointNames)]units.Duration{}
}

// takes says which fields each distribution takes, for error messages.
func takes(dist string) string {
	switch dist {
	case DistFixed:
		return "value"
	case DistUniform:
		return "min and max"
	case DistNormal:
		return "mean, stddev and optionally max"
	case DistLognormal:
		return "median and sigma, or p50 and p99, and optionally max"
	case DistExponential:
		return "mean and optionally max"
	case DistPareto:
		return "scale, shape and optionally max"
	case DistPercentiles:
		return "two or more of " + strings.Join(pointNames[:], ", ") + ", and optionally min and max"
	case DistMixture:
		return "components"
	}
	return ""
}

// latencyField is one field of a Latency, for the checks every field gets.
type latencyField struct {
	name  string
	set   bool
	neg   bool     // a negative duration
	dists []string // the distributions that take it
}

// unbounded are the distributions that take an optional max.
var unbounded = []string{DistNormal, DistLognormal, DistExponential, DistPareto}

func (l *Latency) fields() []latencyField {
	d := func(name string, v units.Duration, dists ...string) latencyField {
		return latencyField{name: name, set: v != 0, neg: v < 0, dists: dists}
	}
	fs := []latencyField{
		d("value", l.Value, DistFixed),
		d("min", l.Min, DistUniform, DistPercentiles),
		d("max", l.Max, append([]string{DistUniform}, append(unbounded, DistPercentiles)...)...),
		d("mean", l.Mean, DistNormal, DistExponential),
		d("stddev", l.Stddev, DistNormal),
		d("median", l.Median, DistLognormal),
		{name: "sigma", set: l.Sigma != 0, dists: []string{DistLognormal}},
		d("scale", l.Scale, DistPareto),
		{name: "shape", set: l.Shape != 0, dists: []string{DistPareto}},
	}
	for i, p := range l.points() {
		if pointNames[i] == "p50" || pointNames[i] == "p99" {
			fs = append(fs, d(pointNames[i], p, DistLognormal, DistPercentiles))
		} else {
			fs = append(fs, d(pointNames[i], p, DistPercentiles))
		}
	}
	return append(fs, latencyField{name: "components", set: len(l.Components) > 0, dists: []string{DistMixture}})
}

// The ranges of the shape parameters: beyond them a draw is no longer a
// delay (a Pareto shape of 1e-300 never answers, a lognormal sigma of 1e308
// answers in 0 ms).
// A Pareto shape below MinShape is allowed with max, which caps the
// draws, down to MinShapeCapped.
const (
	MinSigma, MaxSigma = 0.01, 5
	MinShape, MaxShape = 1, 100
	MinShapeCapped     = 0.01
)

// addFunc reports one problem of a field (Problems.Add is one).
type addFunc = func(field, format string, args ...any)

// Check reports every problem of l through add, with field paths under
// prefix ("latency", or "latency.components[2].latency" inside a mixture),
// so that a config holding a Latency validates it with its own fields.
func (l *Latency) Check(prefix string, add func(field, format string, args ...any)) {
	validateLatencyAt(l, prefix, add, 0)
}

// validateLatencyAt validates l inside depth mixtures.
func validateLatencyAt(l *Latency, prefix string, add addFunc, depth int) {
	dist := l.EffectiveDist()
	known := false
	for _, d := range Dists {
		known = known || d == dist
	}
	if !known {
		add(prefix+".dist", "unknown distribution %q; allowed: %s", l.Dist, strings.Join(Dists, ", "))
	}
	for _, f := range l.fields() {
		if f.neg {
			add(prefix+"."+f.name, "is negative; a delay is 0 or more")
		}
		if known && f.set && !contains(f.dists, dist) {
			add(prefix+"."+f.name, "%s belongs to dist: %s; dist: %s takes %s",
				f.name, strings.Join(f.dists, ", "), dist, takes(dist))
		}
	}
	at := func(field string) string { return prefix + "." + field }
	required := func(field, example string) {
		add(at(field), "%s is required for dist: %s, such as %s: %s", field, dist, field, example)
	}
	positive := func(field string, v float64, example string) {
		if v == 0 {
			required(field, example)
		} else if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			add(at(field), "%s is %v; it must be a number above 0, such as %s: %s", field, v, field, example)
		}
	}
	// within reports a parameter outside the range where its draws are
	// delays at all: beyond it they overflow to "never" or collapse to 0.
	within := func(field string, v, lo, hi float64, why string) {
		if v > 0 && !math.IsInf(v, 0) && (v < lo || v > hi) {
			add(at(field), "%s is %v; allowed: %v to %v (%s)", field, v, lo, hi, why)
		}
	}
	switch dist {
	case DistUniform:
		if l.Max == 0 {
			required("max", "30ms")
		} else if l.Max < l.Min {
			add(at("max"), "max (%v) is below min (%v)", l.Max, l.Min)
		}
	case DistNormal:
		if l.Mean == 0 {
			required("mean", "50ms")
		}
		if l.Stddev == 0 {
			required("stddev", "20ms")
		}
	case DistLognormal:
		byMedian := l.Median != 0 || l.Sigma != 0
		byPoints := l.P50 != 0 || l.P99 != 0
		switch {
		case byMedian && byPoints:
			add(prefix, "dist: lognormal takes either median and sigma, or p50 and p99, not both")
		case byPoints:
			if l.P50 == 0 {
				required("p50", "40ms")
			}
			if l.P99 == 0 {
				required("p99", "300ms")
			}
			if l.P50 > 0 && l.P99 > 0 && l.P99 <= l.P50 {
				add(at("p99"), "p99 (%v) is not above p50 (%v)", l.P99, l.P50)
			}
		default:
			if l.Median == 0 {
				add(at("median"), "median is required for dist: lognormal, such as median: 40ms with sigma: 0.5 (or give p50 and p99)")
			}
			positive("sigma", l.Sigma, "0.5")
			within("sigma", l.Sigma, MinSigma, MaxSigma, "at 5, p99 is already 110,000 times the median")
		}
	case DistExponential:
		if l.Mean == 0 {
			required("mean", "30ms")
		}
	case DistPareto:
		if l.Scale == 0 {
			required("scale", "10ms")
		}
		positive("shape", l.Shape, "2.5")
		if l.Max > 0 {
			within("shape", l.Shape, MinShapeCapped, MaxShape, "with max set")
		} else {
			within("shape", l.Shape, MinShape, MaxShape, "below 1, p99.99 is over 10,000 times the scale and the mean is infinite; set max to go lower")
		}
	case DistPercentiles:
		validatePercentiles(l, prefix, add)
	case DistMixture:
		validateMixture(l, prefix, add, depth)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// validatePercentiles checks that the points of a table rise with the
// quantile, between min and max.
func validatePercentiles(l *Latency, prefix string, add addFunc) {
	var n int
	var lowest, highest units.Duration
	prev := ""
	for i, p := range l.points() {
		if p <= 0 {
			continue
		}
		n++
		if prev != "" && p <= highest {
			add(prefix+"."+pointNames[i], "%s (%v) is not above %s (%v); the points must rise with the quantile",
				pointNames[i], p, prev, highest)
		}
		if lowest == 0 {
			lowest = p
		}
		highest = max(highest, p)
		prev = pointNames[i]
	}
	if n < 2 {
		add(prefix, "dist: percentiles needs two or more of %s, such as {p50: 40ms, p99: 300ms}", strings.Join(pointNames[:], ", "))
		return
	}
	if l.Min > lowest {
		add(prefix+".min", "min (%v) is above the lowest point (%v)", l.Min, lowest)
	}
	if l.Max != 0 && l.Max < highest {
		add(prefix+".max", "max (%v) is below the highest point (%v)", l.Max, highest)
	}
}

// validateMixture checks the components of a mixture, and their weights.
func validateMixture(l *Latency, prefix string, add addFunc, depth int) {
	if len(l.Components) == 0 {
		add(prefix+".components", "dist: mixture needs components, such as [{weight: 95%%, latency: 20ms}, {weight: 5%%, latency: 1s}]")
		return
	}
	if depth+1 > maxMixtureDepth {
		add(prefix+".components", "mixtures nest at most %d deep", maxMixtureDepth)
		return
	}
	var total float64
	for i := range l.Components {
		c := &l.Components[i]
		at := fmt.Sprintf("%s.components[%d]", prefix, i)
		if w := c.Weight.Float(); math.IsNaN(w) || w < 0 || w > 1 {
			add(at+".weight", "weight %v is out of range; allowed: 0%% to 100%%", c.Weight)
		} else {
			total += w
		}
		validateLatencyAt(&c.Latency, at+".latency", add, depth+1)
	}
	if math.Abs(total-1) > 1e-9 {
		add(prefix+".components", "the weights add up to %.6g%%; they must add up to 100%%", total*100)
	}
}

// YAMLForm names the spellings of a Latency, for a loader's messages.
func (Latency) YAMLForm() string {
	return "a duration such as 200ms or a mapping such as {dist: uniform, min: 10ms, max: 30ms} or {p50: 40ms, p99: 300ms}"
}
