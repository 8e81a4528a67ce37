package mockupstream

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

// Incident is a time window, measured from the server's start (or its last
// Reset), in which the fields the incident sets replace those of the base
// Config: a brownout (latency_scale: 10), an outage (errors: {503: 100%}),
// a rate-limit cut (rate_limit: {rate: 50/s, burst: 5}). A field left out
// keeps the base value; errors: {} clears the base errors. The window holds
// From and excludes To; incidents may not overlap.
type Incident struct {
	// Name labels the incident in reports; it changes nothing.
	Name string         `yaml:"name" json:"name,omitempty"`
	From units.Duration `yaml:"from" json:"from"`
	To   units.Duration `yaml:"to" json:"to"`
	// LatencyScale multiplies the latency drawn in the window (of the
	// incident's Latency if set, else of the base one); 0 means 1.
	LatencyScale float64                `yaml:"latency_scale" json:"latency_scale,omitempty"`
	Latency      *draws.Latency         `yaml:"latency" json:"latency,omitempty"`
	Errors       map[int]units.Fraction `yaml:"errors" json:"errors,omitzero"`
	Faults       *Faults                `yaml:"faults" json:"faults,omitempty"`
	RateLimit    *RateLimit             `yaml:"rate_limit" json:"rate_limit,omitempty"`
	RetryAfter   *RetryAfter            `yaml:"retry_after" json:"retry_after,omitempty"`
	Capacity     *Capacity              `yaml:"capacity" json:"capacity,omitempty"`
	Body         *Body                  `yaml:"body" json:"body,omitempty"`
}

// apply returns base with the fields the incident sets replaced; the result
// has no incidents of its own.
func (inc *Incident) apply(base Config) Config {
	c := base
	c.Incidents = nil
	if inc.Latency != nil {
		c.Latency = *inc.Latency
	}
	if inc.Errors != nil {
		c.Errors = inc.Errors
	}
	if inc.Faults != nil {
		c.Faults = *inc.Faults
	}
	if inc.RateLimit != nil {
		c.RateLimit = *inc.RateLimit
	}
	if inc.RetryAfter != nil {
		c.RetryAfter = *inc.RetryAfter
	}
	if inc.Capacity != nil {
		c.Capacity = *inc.Capacity
	}
	if inc.Body != nil {
		c.Body = *inc.Body
	}
	return c
}

// scale is the latency multiplier of the incident.
func (inc *Incident) scale() float64 {
	if inc.LatencyScale == 0 {
		return 1
	}
	return inc.LatencyScale
}

// validateIncidents reports the problems of every incident under
// "incidents[i]", and overlaps between them.
func validateIncidents(c *Config, add addFunc) {
	quiet := func(string, string, ...any) {}
	baseErr, _ := validateErrors(c.Errors, "", quiet)
	baseFault, _ := validateFaults(&c.Faults, "", quiet)
	for i := range c.Incidents {
		inc := &c.Incidents[i]
		p := fmt.Sprintf("incidents[%d]", i)
		if inc.From < 0 {
			add(p+".from", "%v is negative; allowed: 0s or more, counted from the server's start", inc.From)
		}
		if inc.To <= inc.From {
			add(p+".to", "%v is not after from (%v); allowed: a time after from, such as from: 20s, to: 30s", inc.To, inc.From)
		}
		if s := inc.LatencyScale; math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
			add(p+".latency_scale", "%v is out of range; allowed: a number above 0, such as 10 (0 or absent means 1)", s)
		}
		if inc.Latency != nil {
			inc.Latency.Check(p+".latency", add)
		}
		errTotal, errOK := baseErr, true
		if inc.Errors != nil {
			errTotal, errOK = validateErrors(inc.Errors, p+".errors", add)
		}
		faultTotal, faultOK := baseFault, true
		if inc.Faults != nil {
			faultTotal, faultOK = validateFaults(inc.Faults, p+".faults", add)
		}
		if (inc.Errors != nil || inc.Faults != nil) && errOK && faultOK && errTotal <= 1+1e-9 && errTotal+faultTotal > 1+1e-9 {
			field := p + ".faults"
			if inc.Faults == nil {
				field = p + ".errors"
			}
			add(field, "errors and faults in force add up to %.4g%%, over 100%%; they are exclusive outcomes of one draw", (errTotal+faultTotal)*100)
		}
		if inc.RateLimit != nil {
			validateRateLimit(inc.RateLimit, p+".rate_limit", add)
		}
		if inc.RetryAfter != nil {
			validateRetryAfter(inc.RetryAfter, p+".retry_after", add)
		}
		if inc.Capacity != nil {
			validateCapacity(inc.Capacity, p+".capacity", add)
		}
		if inc.Body != nil {
			validateBody(inc.Body, p+".body", add)
		}
	}
	validateOverlaps(c.Incidents, add)
}

// validateOverlaps blames the later of two overlapping windows. Overlaps
// are refused rather than given a precedence: a scenario whose incidents
// overlap is almost always a typo in a time.
func validateOverlaps(incs []Incident, add addFunc) {
	var order []int // incidents with a valid window, by start
	for i, inc := range incs {
		if inc.From >= 0 && inc.To > inc.From {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(incs[a].From, incs[b].From) })
	for k := 1; k < len(order); k++ {
		a, b := order[k-1], order[k]
		if incs[b].From < incs[a].To {
			add(fmt.Sprintf("incidents[%d].from", b), "%v is inside incidents[%d] (from %v to %v); incidents may not overlap: start it at %v or later",
				incs[b].From, a, incs[a].From, incs[a].To, incs[a].To)
		}
	}
}

// window is the time span of one incident, for choosing a phase.
type window struct{ from, to time.Duration }

// phaseAt returns the index of the incident in force after elapsed, or -1
// for the base behaviour. Scenarios hold a handful of incidents, so a scan
// beats a search.
func phaseAt(ws []window, elapsed time.Duration) int {
	for i, w := range ws {
		if elapsed >= w.from && elapsed < w.to {
			return i
		}
	}
	return -1
}
