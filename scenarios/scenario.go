package scenarios

import (
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

// Scenario is one experiment: the upstreams, the operation that calls them,
// the strategies to compare, the policies their calls go through and the
// load to drive them with.
//
// The yaml tags are the file format (snake_case); the json tags are how the
// scenario appears, as run, inside a result file.
type Scenario struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description,omitempty"`
	// Seed feeds the paired draws of the mock upstreams: the same seed gives
	// every strategy, and every run, the same upstream behaviour.
	Seed       uint64     `yaml:"seed" json:"seed"`
	Upstreams  Upstreams  `yaml:"upstreams" json:"upstreams"`
	Operation  Operation  `yaml:"operation" json:"operation"`
	Strategies []Strategy `yaml:"strategies" json:"strategies"`
	// Policies are the call policies (timeout, retry, breaker, rate limit)
	// per upstream; nil when the file sets none.
	Policies *Policies `yaml:"policies" json:"policies,omitempty"`
	Load     LoadSpec  `yaml:"load" json:"load"`

	// File is where the scenario was read from ("example:seed" for an
	// embedded example); empty for one built in code.
	File string `yaml:"-" json:"-"`
}

// Upstreams are the scenario's upstreams in file order. In YAML they are a
// mapping from name to definition.
type Upstreams []Upstream

// Upstream is one API the operation calls: a mock started by fanbench, or a
// real service at a URL. Exactly one of Mock and URL is set.
type Upstream struct {
	Name string               `yaml:"-" json:"name"`
	Mock *mockupstream.Config `yaml:"mock" json:"mock,omitempty"`
	URL  string               `yaml:"url" json:"url,omitempty"`
}

// Find returns the upstream of that name.
func (us Upstreams) Find(name string) (Upstream, bool) {
	for _, u := range us {
		if u.Name == name {
			return u, true
		}
	}
	return Upstream{}, false
}

// Operation is one logical unit of work: the calls it makes.
type Operation struct {
	Calls []Call `yaml:"calls" json:"calls"`
}

// Call is one request to one upstream inside an operation.
type Call struct {
	// Upstream names an entry of Scenario.Upstreams.
	Upstream string `yaml:"upstream" json:"upstream"`
	// Method is the HTTP method; GET when empty.
	Method string `yaml:"method" json:"method"`
	// Path is the request path; "{{.Seq}}" in it is replaced by the
	// operation's sequence number. "/" when empty.
	Path string `yaml:"path" json:"path"`
	// Critical marks a call whose failure fails the whole operation; the
	// failure of a non-critical call makes the operation partial.
	Critical bool `yaml:"critical" json:"critical"`
}

// Strategy names a strategy to run, with its options. In YAML it is either a
// bare name (fanout) or a mapping ({name: fanout}).
type Strategy struct {
	Name string `yaml:"name" json:"name"`
}

// UnmarshalText reads the bare-name form.
func (s *Strategy) UnmarshalText(b []byte) error {
	s.Name = string(b)
	return nil
}

// Load models.
const (
	ModelOpen = "open"
)

// LoadSpec is how operations arrive. (It is not called Load, the name of
// the function that reads a scenario file.)
type LoadSpec struct {
	// Model is "open": operations arrive at Rate whatever the responses.
	Model string `yaml:"model" json:"model"`
	// Rate is the arrival rate of operations, e.g. 20/s.
	Rate units.Rate `yaml:"rate" json:"rate"`
	// Duration is how long operations keep arriving.
	Duration units.Duration `yaml:"duration" json:"duration"`
	// MaxInFlight caps the operations in flight at once; an operation over
	// the cap waits for a slot, and its latency still counts from its
	// intended start. 0 means the default, DefaultMaxInFlight.
	MaxInFlight int `yaml:"max_in_flight" json:"max_in_flight"`
}

// DefaultMaxInFlight is the in-flight cap when a scenario sets none.
const DefaultMaxInFlight = 1000
