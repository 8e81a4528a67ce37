package compare

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
)

// Tolerance is how large a change must be before it counts: a relative
// change in percent, or, for rates, an absolute one in percentage points
// (a relative change of a 0.1% error rate would call 0.2% "100% worse").
type Tolerance struct {
	Value float64
	// Points is true for percentage points (rates), false for percent.
	Points bool
}

func (t Tolerance) String() string {
	v := strconv.FormatFloat(t.Value, 'f', -1, 64)
	if t.Points {
		return v + "pp"
	}
	return v + "%"
}

// Tolerances are tolerances by metric key (see MetricKeys).
type Tolerances map[string]Tolerance

// DefaultTolerances are the tolerances of metrics a comparison is not told
// otherwise. They are wide enough for the run-to-run noise of a shared CI
// machine on a few-second run, and tight enough to catch a 10–20% change:
// tails (p99, p99.9) and what depends on the machine more than on the code
// (harness overhead, CPU) are given more room than medians.
func DefaultTolerances() Tolerances {
	return Tolerances{
		"p50":                  {Value: 5},
		"p90":                  {Value: 5},
		"p99":                  {Value: 10},
		"p99.9":                {Value: 15},
		"throughput":           {Value: 5},
		"error_rate":           {Value: 0.5, Points: true},
		"partial_rate":         {Value: 0.5, Points: true},
		"harness_overhead_p99": {Value: 50},
		"cpu_per_1000_ops":     {Value: 25},
	}
}

// String lists the tolerances in the order metrics are shown, as
// ParseTolerances reads them.
func (ts Tolerances) String() string {
	var parts []string
	for _, k := range MetricKeys() {
		if t, ok := ts[k]; ok {
			parts = append(parts, k+"="+t.String())
		}
	}
	return strings.Join(parts, ",")
}

// With returns ts with the tolerances of o put over it.
func (ts Tolerances) With(o Tolerances) Tolerances {
	out := maps.Clone(ts)
	if out == nil {
		out = Tolerances{}
	}
	maps.Copy(out, o)
	return out
}

// ErrBadTolerance marks a tolerance list that cannot be read.
var ErrBadTolerance = errors.New("bad tolerance")

// ParseTolerances reads a list such as "p99=10%,error_rate=0.5pp": metric
// keys (MetricKeys; p999 is read as p99.9) with a relative tolerance in
// percent, or for the rates (error_rate, partial_rate) one in percentage
// points. Errors wrap ErrBadTolerance and name the entry at fault.
func ParseTolerances(s string) (Tolerances, error) {
	ts := Tolerances{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, value, ok := strings.Cut(item, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return nil, fmt.Errorf("%w %q: want METRIC=VALUE, such as p99=10%% or error_rate=0.5pp", ErrBadTolerance, item)
		}
		m, known := metricByKey(key)
		if !known {
			return nil, fmt.Errorf("%w %q: unknown metric %q; allowed: %s", ErrBadTolerance, item, key, strings.Join(MetricKeys(), ", "))
		}
		if _, dup := ts[m.key]; dup {
			return nil, fmt.Errorf("%w %q: %s is given twice", ErrBadTolerance, item, m.key)
		}
		t, err := parseTolerance(m, value)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrBadTolerance, item, err)
		}
		ts[m.key] = t
	}
	return ts, nil
}

func parseTolerance(m metric, value string) (Tolerance, error) {
	var number string
	var points bool
	switch {
	case strings.HasSuffix(value, "pp"):
		number, points = strings.TrimSuffix(value, "pp"), true
	case strings.HasSuffix(value, "%"):
		number = strings.TrimSuffix(value, "%")
	default:
		return Tolerance{}, fmt.Errorf("%q has no unit; write %s", value, example(m))
	}
	if points != m.rate {
		if m.rate {
			return Tolerance{}, fmt.Errorf("%s is a rate: give percentage points, such as %s", m.key, example(m))
		}
		return Tolerance{}, fmt.Errorf("%s takes a relative tolerance in percent, such as %s (pp is for rates)", m.key, example(m))
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(number), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return Tolerance{}, fmt.Errorf("%q is not a number from 0 up, such as %s", number, example(m))
	}
	if points && v > 100 {
		return Tolerance{}, fmt.Errorf("%vpp is more than 100 percentage points", v)
	}
	return Tolerance{Value: v, Points: points}, nil
}

func example(m metric) string {
	if m.rate {
		return m.key + "=0.5pp"
	}
	return m.key + "=10%"
}

// MarshalText writes the tolerance as ParseTolerances reads it: "10%",
// "0.5pp".
func (t Tolerance) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads what MarshalText writes, so a comparison's JSON form
// reads back.
func (t *Tolerance) UnmarshalText(b []byte) error {
	s := string(b)
	points := strings.HasSuffix(s, "pp")
	number := strings.TrimSuffix(strings.TrimSuffix(s, "pp"), "%")
	v, err := strconv.ParseFloat(number, 64)
	if err != nil || number == s || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("%w %q: want a number with %% or pp, such as 10%% or 0.5pp", ErrBadTolerance, s)
	}
	*t = Tolerance{Value: v, Points: points}
	return nil
}
