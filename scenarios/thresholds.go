package scenarios

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanbench/fanbench/internal/suggest"
	"github.com/fanbench/fanbench/units"
)

// ThresholdsAll is the key of Thresholds whose assertions apply to every
// strategy.
const ThresholdsAll = "all"

// Thresholds are pass/fail assertions on a run's figures, k6-style, by the
// strategy they apply to: a strategy entry's label or name, or "all"
// (ThresholdsAll). A failed threshold makes fanbench run exit 1. In YAML:
//
//	thresholds:
//	  all: ["p99 < 350ms", "error_rate < 1%"]
//	  fanout: ["throughput > 500/s"]
type Thresholds map[string][]Threshold

// Threshold is one assertion, "METRIC OP BOUND", such as "p99 < 350ms".
// It shares the SLO's grammar, with more metrics and the operators <, <=,
// > and >=.
type Threshold struct {
	// Metric is one of ThresholdMetrics, such as "p99" or "error_rate".
	Metric string
	// Op is "<", "<=", ">" or ">=".
	Op string
	// Bound is in the metric's unit (ThresholdUnit): milliseconds for a
	// latency, a share from 0 to 1, operations per second, or a ratio.
	Bound float64
}

// Units of threshold metrics, as ThresholdUnit returns them; they are also
// the units of the values in a result's threshold verdicts.
const (
	UnitMS    = "ms"
	UnitShare = "share"
	UnitRate  = "/s"
	UnitRatio = "ratio"
)

// thresholdMetrics maps each metric a threshold may name to its unit.
var thresholdMetrics = func() map[string]string {
	m := map[string]string{"error_rate": UnitShare, "throughput": UnitRate, "amplification": UnitRatio}
	for _, p := range []string{"p50", "p90", "p95", "p99", "p99.9", "max", "mean"} {
		m[p] = UnitMS
		m["harness_overhead_"+p] = UnitMS
	}
	return m
}()

// ThresholdMetrics lists the metrics a threshold may name, sorted.
func ThresholdMetrics() []string { return slices.Sorted(maps.Keys(thresholdMetrics)) }

// ThresholdUnit is the unit of a threshold metric, "" for an unknown one.
func ThresholdUnit(metric string) string { return thresholdMetrics[metric] }

var thresholdOps = []string{"<", "<=", ">", ">="}

// thresholdHelp is the grammar, for error messages.
const thresholdHelp = `write it as METRIC OP BOUND, such as "p99 < 350ms", "error_rate < 1%", "throughput > 500/s" or "amplification <= 1.5"`

// ParseThreshold reads a threshold from its text. Errors are *SLOError,
// placed at the column of the token at fault.
func ParseThreshold(text string) (Threshold, error) {
	toks := sloTokens(text)
	fail := func(i int, format string, args ...any) (Threshold, error) {
		col := len(text) + 1
		if i < len(toks) {
			col = toks[i].col
		}
		return Threshold{}, &SLOError{Column: col, Msg: fmt.Sprintf(format, args...)}
	}
	if len(toks) == 0 {
		return fail(0, "empty; %s", thresholdHelp)
	}
	metric := strings.ToLower(toks[0].text)
	unit, ok := thresholdMetrics[metric]
	if !ok {
		return fail(0, "unknown metric %q%s", toks[0].text, suggest.Choices(metric, "known", ThresholdMetrics()))
	}
	if len(toks) < 2 || !slices.Contains(thresholdOps, toks[1].text) {
		return fail(1, "want one of < <= > >= after %s; %s", metric, thresholdHelp)
	}
	if len(toks) < 3 {
		return fail(2, "want a bound after %s, such as %s", toks[1].text, boundExample(unit))
	}
	bound, err := parseBound(toks[2].text, unit)
	if err != nil {
		return fail(2, "%v", err)
	}
	if len(toks) > 3 {
		return fail(3, "unexpected %q; one threshold per entry: list the others apart, such as [\"p99 < 350ms\", \"error_rate < 1%%\"]", toks[3].text)
	}
	return Threshold{Metric: metric, Op: toks[1].text, Bound: bound}, nil
}

// boundExample is a bound written in unit, for messages.
func boundExample(unit string) string {
	switch unit {
	case UnitMS:
		return "350ms"
	case UnitShare:
		return "1%"
	case UnitRate:
		return "500/s"
	}
	return "1.5"
}

// parseBound reads a bound written in the metric's unit into that unit.
func parseBound(text, unit string) (float64, error) {
	switch unit {
	case UnitMS:
		var d units.Duration
		if err := d.UnmarshalText([]byte(text)); err != nil {
			return 0, fmt.Errorf("%q is not a duration; a latency bound has a unit, such as 350ms", text)
		}
		return float64(d) / float64(time.Millisecond), nil
	case UnitShare:
		var f units.Fraction
		if err := f.UnmarshalText([]byte(text)); err != nil {
			return 0, fmt.Errorf("%q is not a share; write a percentage such as 1%% or a number from 0 to 1", text)
		}
		return f.Float(), nil
	case UnitRate:
		var r units.Rate
		if !strings.Contains(text, "/") || r.UnmarshalText([]byte(text)) != nil {
			return 0, fmt.Errorf("%q is not a rate; write operations per unit of time, such as 500/s", text)
		}
		return r.PerSecond(), nil
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("%q is not a ratio; write a number such as 1.5", text)
	}
	return v, nil
}

// String writes the threshold as ParseThreshold reads it.
func (t Threshold) String() string {
	var bound string
	switch thresholdMetrics[t.Metric] {
	case UnitMS:
		bound = time.Duration(math.Round(t.Bound * float64(time.Millisecond))).String()
	case UnitShare:
		bound = units.Fraction(t.Bound).String()
	case UnitRate:
		bound = units.Rate(t.Bound).String()
	default:
		bound = strconv.FormatFloat(t.Bound, 'f', -1, 64)
	}
	return t.Metric + " " + t.Op + " " + bound
}

// MarshalText writes the threshold as text.
func (t Threshold) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a threshold with ParseThreshold.
func (t *Threshold) UnmarshalText(b []byte) error {
	v, err := ParseThreshold(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Passes reports whether a measured value, in the metric's unit, meets the
// threshold.
func (t Threshold) Passes(v float64) bool {
	switch t.Op {
	case "<":
		return v < t.Bound
	case "<=":
		return v <= t.Bound
	case ">":
		return v > t.Bound
	case ">=":
		return v >= t.Bound
	}
	return false
}

// For lists the thresholds that apply to a strategy entry, each with the
// key it was written under: those of ThresholdsAll, then those under the
// entry's name, then under its label. Keys are visited in that fixed
// order, so the list is deterministic.
func (ts Thresholds) For(s Strategy) (keys []string, list []Threshold) {
	for i, key := range []string{ThresholdsAll, s.Name, s.Label} {
		if key == "" || i == 2 && key == s.Name {
			continue
		}
		for _, t := range ts[key] {
			keys = append(keys, key)
			list = append(list, t)
		}
	}
	return keys, list
}

// thresholds checks that each key names "all" or an entry of the
// strategies (by label or strategy name), that a harness-overhead metric
// has only mock upstreams to be measured against, and that no sweep runs:
// a sweep judges each of its steps by its SLO instead.
func (c *checker) thresholds(s *Scenario) {
	if len(s.Thresholds) == 0 {
		return
	}
	if s.Load.Sweep != nil {
		c.addf("thresholds", "a sweep judges each step by load.sweep.slo; thresholds apply to a run at one load: remove them, or the sweep")
		return
	}
	known := []string{ThresholdsAll}
	for _, st := range s.Strategies {
		known = append(known, st.Name)
		if st.Label != "" {
			known = append(known, st.Label)
		}
	}
	hasReal := slices.ContainsFunc(s.Upstreams, func(u Upstream) bool { return u.URL != "" })
	for _, key := range slices.Sorted(maps.Keys(s.Thresholds)) {
		path := "thresholds." + key
		if !slices.Contains(known, key) {
			c.addf(path, "no strategy %q in this scenario%s", key, suggest.Choices(key, "allowed", slices.Compact(slices.Sorted(slices.Values(known)))))
			continue
		}
		for i, t := range s.Thresholds[key] {
			if hasReal && strings.HasPrefix(t.Metric, "harness_overhead_") {
				c.addf(fmt.Sprintf("%s[%d]", path, i), "%s is measured against the mock upstreams' paired draws, and this scenario has a real upstream (url): remove the threshold", t.Metric)
			}
		}
	}
}
