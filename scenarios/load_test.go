package scenarios_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

func dur(d time.Duration) units.Duration { return units.Duration(d) }

func ptr[T any](v T) *T { return &v }

func fixed(d time.Duration) *mockupstream.Config {
	return &mockupstream.Config{Latency: draws.Latency{Dist: draws.DistFixed, Value: dur(d)}}
}

func TestLoadRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want *scenarios.Scenario
	}{
		{"testdata/full.yaml", &scenarios.Scenario{
			Name:        "full",
			Description: "everything at once",
			Seed:        7,
			Upstreams: scenarios.Upstreams{
				{Name: "profile", Mock: &mockupstream.Config{
					Latency: draws.Latency{Dist: draws.DistFixed, Value: dur(200 * time.Millisecond)},
					Errors:  map[int]units.Fraction{503: 0.01, 500: 0.005},
				}},
				{Name: "audit", Mock: &mockupstream.Config{Latency: draws.Latency{
					Dist: draws.DistUniform, Min: dur(10 * time.Millisecond), Max: dur(30 * time.Millisecond),
				}}},
				{Name: "billing", URL: "https://billing.example.com/api"},
				{Name: "search", Mock: fixed(5 * time.Millisecond)},
			},
			Operation: scenarios.Operation{Calls: []scenarios.Call{
				{Upstream: "profile", Method: "PUT", Path: "/users/{{.Seq}}", Critical: true},
				{Upstream: "audit", Method: "POST", Path: "/log"},
				{Upstream: "billing", Method: "GET", Path: "/"},
				{Upstream: "search", Method: "GET", Path: "/q?page={{.Seq}}&n={{.Seq}}"},
			}},
			Strategies: []scenarios.Strategy{scenarios.NewStrategy("sequential"), scenarios.NewStrategy("fanout")},
			Policies: &scenarios.Policies{
				Default: strategies.PolicySpec{
					Timeout:  ptr(dur(2 * time.Second)),
					Deadline: ptr(dur(5 * time.Second)),
					Retry: &strategies.RetrySpec{
						Attempts: ptr(3), Backoff: ptr(dur(50 * time.Millisecond)), MaxBackoff: ptr(dur(time.Second)),
						Jitter: ptr("full"), On: []string{"connection", "timeout", "5xx", "429"}, MaxRetryAfter: ptr(dur(5 * time.Second)),
					},
					Breaker: &strategies.BreakerSpec{
						FailureRatio: ptr(units.Fraction(0.5)), Window: ptr(20),
						OpenFor: ptr(dur(5 * time.Second)), HalfOpenProbes: ptr(1),
					},
					RateLimit: &strategies.RateLimitSpec{Rate: ptr(units.Rate(100)), Burst: ptr(10), MaxWait: ptr(dur(time.Second))},
				},
				Upstreams: map[string]strategies.PolicySpec{
					"audit": {
						Retry:   &strategies.RetrySpec{Attempts: ptr(5), On: []string{"5xx"}},
						Breaker: &strategies.BreakerSpec{Consecutive: ptr(3)},
					},
					"search": {Timeout: ptr(dur(500 * time.Millisecond))},
				},
			},
			Load: scenarios.LoadSpec{
				Model: scenarios.ModelOpen, Rate: 0.5, Duration: dur(90 * time.Second), MaxInFlight: 64,
				Arrivals: scenarios.ArrivalsUniform, OnCap: scenarios.OnCapWait,
			},
			Thresholds: scenarios.Thresholds{
				"all":    {{Metric: "p99", Op: "<", Bound: 350}, {Metric: "error_rate", Op: "<=", Bound: 0.01}},
				"fanout": {{Metric: "throughput", Op: ">=", Bound: 0.4}, {Metric: "amplification", Op: "<", Bound: 1.5}},
			},
			File: "testdata/full.yaml",
		}},
		{"testdata/defaults.yaml", &scenarios.Scenario{
			Name:       "defaults",
			Upstreams:  scenarios.Upstreams{{Name: "only", Mock: fixed(0)}},
			Operation:  scenarios.Operation{Calls: []scenarios.Call{{Upstream: "only", Method: "GET", Path: "/"}}},
			Strategies: []scenarios.Strategy{scenarios.NewStrategy("fanout")},
			Load: scenarios.LoadSpec{
				Model: scenarios.ModelOpen, Rate: 1, Duration: dur(time.Second), MaxInFlight: scenarios.DefaultMaxInFlight,
				Arrivals: scenarios.ArrivalsUniform, OnCap: scenarios.OnCapWait,
			},
			File: "testdata/defaults.yaml",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := scenarios.Load(tt.file)
			if err != nil {
				t.Fatalf("Load(%q): %v", tt.file, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.MarshalIndent(got, "", "  ")
				w, _ := json.MarshalIndent(tt.want, "", "  ")
				t.Errorf("Load(%q):\n got: %s\nwant: %s", tt.file, g, w)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.yaml")
	// A file of 50 MiB is refused by its size, before it is read (sparse:
	// it takes no room); a device that never ends, after 4 MiB.
	huge := filepath.Join(dir, "huge.yaml")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(f.Truncate(50<<20), f.Close()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want string
		cause      error
	}{
		{missing, missing + ": cannot read the scenario: no such file or directory", fs.ErrNotExist},
		{"testdata", "testdata: cannot read the scenario: is a directory", nil},
		{huge, huge + ": the file is 50 MiB; a scenario file may be at most 4 MiB (a large table belongs in a CSV file: data: {csv: FILE})", nil},
		{"/dev/zero", "/dev/zero: the file is larger than 4 MiB; a scenario file may be at most 4 MiB (a large table belongs in a CSV file: data: {csv: FILE})", nil},
	}
	for _, tt := range tests {
		s, err := scenarios.Load(tt.path)
		if err == nil {
			t.Fatalf("Load(%q) = %+v, nil; want an error", tt.path, s)
		}
		if err.Error() != tt.want {
			t.Errorf("Load(%q) error:\n got: %s\nwant: %s", tt.path, err, tt.want)
		}
		if !errors.Is(err, scenarios.ErrInvalid) {
			t.Errorf("Load(%q) error does not match ErrInvalid", tt.path)
		}
		if tt.cause != nil && !errors.Is(err, tt.cause) {
			t.Errorf("Load(%q) error does not match %v", tt.path, tt.cause)
		}
	}
}

func TestExamples(t *testing.T) {
	t.Parallel()
	names := scenarios.ExampleNames()
	if len(names) == 0 || names[0] == "" {
		t.Fatalf("ExampleNames() = %q; want the embedded examples", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := scenarios.Example(name)
			if err != nil {
				t.Fatalf("Example(%q): %v", name, err)
			}
			if s.Name != name || s.File != "example:"+name {
				t.Errorf("Example(%q) has Name %q and File %q; want %q and %q", name, s.Name, s.File, name, "example:"+name)
			}
			src, err := scenarios.ExampleSource(name)
			if err != nil || !strings.HasPrefix(string(src), "#") {
				t.Errorf("ExampleSource(%q) = %.20q, %v; want YAML opening with a comment", name, src, err)
			}
		})
	}
}

// The seed example is the demo's ground truth: its numbers must not drift.
func TestSeedExample(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Example("seed")
	if err != nil {
		t.Fatal(err)
	}
	want := &scenarios.Scenario{
		Name:        "seed",
		Description: s.Description,
		Seed:        42,
		Upstreams: scenarios.Upstreams{
			{Name: "profile", Mock: fixed(200 * time.Millisecond)},
			{Name: "audit", Mock: fixed(300 * time.Millisecond)},
		},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "profile", Method: "PUT", Path: "/users/{{.Seq}}", Critical: true},
			{Upstream: "audit", Method: "POST", Path: "/log"},
		}},
		Strategies: []scenarios.Strategy{scenarios.NewStrategy("sequential"), scenarios.NewStrategy("fanout")},
		Load: scenarios.LoadSpec{
			Model: scenarios.ModelOpen, Rate: 20, Duration: dur(10 * time.Second), MaxInFlight: scenarios.DefaultMaxInFlight,
			Arrivals: scenarios.ArrivalsUniform, OnCap: scenarios.OnCapWait,
		},
		File: "example:seed",
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Example(seed) = %+v; want %+v", s, want)
	}
}

func TestUnknownExample(t *testing.T) {
	t.Parallel()
	const want = `example:sed: no such example; did you mean "seed"? known: `
	for _, f := range []func(string) error{
		func(n string) error { _, err := scenarios.Example(n); return err },
		func(n string) error { _, err := scenarios.ExampleSource(n); return err },
	} {
		err := f("sed")
		if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, scenarios.ErrInvalid) {
			t.Errorf("Example(sed) error = %v; want one starting %q and matching ErrInvalid", err, want)
		}
	}
}

func TestErrorsAs(t *testing.T) {
	t.Parallel()
	_, err := scenarios.Parse("t.yaml", []byte("name: t\nload: {rate: fast}\n"))
	var list scenarios.Errors
	if !errors.As(err, &list) || len(list) < 2 {
		t.Fatalf("Parse error %v; want scenarios.Errors with several entries", err)
	}
	var first *scenarios.Error
	if !errors.As(err, &first) || first.Line != 1 {
		t.Errorf("errors.As(*Error) = %+v; want the first error, at line 1", first)
	}
	e := list[len(list)-1]
	if e.File != "t.yaml" || e.Line != 2 || e.Column != 14 || e.Path != "load.rate" {
		t.Errorf("last error = %+v; want t.yaml:2:14 at load.rate", e)
	}
}

func TestErrorFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    scenarios.Error
		want string
	}{
		{scenarios.Error{File: "f.yaml", Line: 3, Column: 5, Path: "load.rate", Msg: "bad"}, "f.yaml:3:5: load.rate: bad"},
		{scenarios.Error{File: "f.yaml", Line: 3, Msg: "bad"}, "f.yaml:3: bad"},
		{scenarios.Error{File: "f.yaml", Msg: "bad"}, "f.yaml: bad"},
		{scenarios.Error{Line: 3, Column: 5, Path: "name", Msg: "bad"}, "3:5: name: bad"},
		{scenarios.Error{Path: "name", Msg: "bad"}, "name: bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q; want %q", tt.e, got, tt.want)
		}
	}
	list := scenarios.Errors{&tests[0].e, &tests[2].e, &tests[1].e}
	if got, want := list.Error(), "f.yaml: bad\nf.yaml:3: bad\nf.yaml:3:5: load.rate: bad"; got != want {
		t.Errorf("Errors.Error() =\n%s\nwant (sorted by line then column)\n%s", got, want)
	}
}

// A scenario built in code gets the same checks and defaults, without lines.
func TestValidate(t *testing.T) {
	t.Parallel()
	s := &scenarios.Scenario{
		Name:       "code",
		Upstreams:  scenarios.Upstreams{{Name: "a", URL: "http://localhost:1"}},
		Operation:  scenarios.Operation{Calls: []scenarios.Call{{Upstream: "b", Method: "post"}}},
		Strategies: []scenarios.Strategy{scenarios.NewStrategy("fanout")},
	}
	err := s.Validate()
	want := `operation.calls[0].upstream: unknown upstream "b"; did you mean "a"? defined: a` + "\n" +
		"load: missing; say how operations arrive, such as load: {rate: 20/s, duration: 30s}"
	if err == nil || err.Error() != want || !errors.Is(err, scenarios.ErrInvalid) {
		t.Errorf("Validate() = %v\nwant %s", err, want)
	}
	if c := s.Operation.Calls[0]; c.Method != "POST" || c.Path != "/" {
		t.Errorf("Validate() left the call as %+v; want method POST and path /", c)
	}
}
