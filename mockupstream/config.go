package mockupstream

import (
	"errors"
	"fmt"
	"math"
	"slices"

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
	validateLatency(&c.Latency, "latency", add)
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
