package scenarios_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// An override replaces only the fields it sets, block by block and field by
// field; the rest comes from the default, then the defaults apply.
func TestPolicyForMergesFieldByField(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasPolicies() {
		t.Fatal("HasPolicies() = false for a file with policies")
	}
	def := strategies.Policy{
		Timeout:  2 * time.Second,
		Deadline: 5 * time.Second,
		Retry: strategies.Retry{Attempts: 3, Backoff: 50 * time.Millisecond, MaxBackoff: time.Second, Jitter: "full",
			On: []string{"connection", "timeout", "5xx", "429"}, MaxRetryAfter: 5 * time.Second},
		Breaker:   strategies.Breaker{FailureRatio: 0.5, Window: 20, OpenFor: 5 * time.Second, HalfOpenProbes: 1},
		RateLimit: strategies.RateLimit{Rate: 100, Burst: 10, MaxWait: time.Second},
	}
	audit := def
	audit.Retry.Attempts, audit.Retry.On = 5, []string{"5xx"}
	audit.Breaker.Consecutive, audit.Breaker.FailureRatio = 3, 0 // the trigger is replaced whole
	search := def
	search.Timeout = 500 * time.Millisecond
	tests := []struct {
		upstream string
		want     strategies.Policy
	}{
		{"profile", def},
		{"audit", audit},
		{"search", search},
		{"billing", def},
		{"nobody", def}, // not an upstream: the default
	}
	for _, tt := range tests {
		if got := s.PolicyFor(tt.upstream); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("PolicyFor(%q) =\n%+v\nwant\n%+v", tt.upstream, got, tt.want)
		}
	}
}

func TestPolicyDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		upstream   string
		want       strategies.Policy
	}{
		{"no policies", "", "a", strategies.Policy{}},
		{"retry defaults", "policies: {default: {retry: {attempts: 2}}}", "a",
			strategies.Policy{Retry: strategies.Retry{Attempts: 2, Jitter: "full", On: strategies.RetryOnAll, MaxRetryAfter: strategies.DefaultMaxRetryAfter}}},
		{"breaker defaults", "policies: {default: {breaker: {consecutive: 4}}}", "a",
			strategies.Policy{Breaker: strategies.Breaker{Consecutive: 4, OpenFor: strategies.DefaultOpenFor, HalfOpenProbes: 1}}},
		{"an override turns the breaker off", "policies: {default: {breaker: {consecutive: 4}}, upstreams: {a: {breaker: {consecutive: 0}}}}", "a",
			strategies.Policy{}},
		{"an override adds a block", "policies: {upstreams: {a: {rate_limit: {rate: 10/s, burst: 1}}}}", "a",
			strategies.Policy{RateLimit: strategies.RateLimit{Rate: 10, Burst: 1}}},
		{"another upstream keeps the default", "policies: {default: {timeout: 1s}, upstreams: {a: {timeout: 2s}}}", "b",
			strategies.Policy{Timeout: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := lines(l1, l2, l3, "  b: {mock: {}}", l4, l5, l6, l7, tt.yaml)
			s, err := scenarios.Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := s.PolicyFor(tt.upstream); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PolicyFor(%q) =\n%+v\nwant\n%+v", tt.upstream, got, tt.want)
			}
			if got, want := s.HasPolicies(), tt.yaml != ""; got != want {
				t.Errorf("HasPolicies() = %v, want %v", got, want)
			}
		})
	}
}

// In a result file the policies read as written: durations as text, the
// ratio as a percentage, fields not set left out.
func TestPoliciesJSON(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s.Policies)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"default":{"timeout":"2s","deadline":"5s",` +
		`"retry":{"attempts":3,"backoff":"50ms","max_backoff":"1s","jitter":"full","on":["connection","timeout","5xx","429"],"max_retry_after":"5s"},` +
		`"breaker":{"failure_ratio":"50%","window":20,"open_for":"5s","half_open_probes":1},` +
		`"rate_limit":{"rate":"100/s","burst":10,"max_wait":"1s"}},` +
		`"upstreams":{"audit":{"retry":{"attempts":5,"on":["5xx"]},"breaker":{"consecutive":3}},"search":{"timeout":"500ms"}}}`
	if string(b) != want {
		t.Errorf("policies as JSON:\n got: %s\nwant: %s", b, want)
	}
	all, _ := json.Marshal(s)
	if !strings.Contains(string(all), `"policies":{"default"`) {
		t.Errorf("the scenario's JSON has no policies: %s", all)
	}
	noPolicies, _ := scenarios.Load("testdata/defaults.yaml")
	if all, _ := json.Marshal(noPolicies); strings.Contains(string(all), "policies") {
		t.Errorf("a scenario without policies shows them in JSON: %s", all)
	}
}

// A scenario built in code gets the same checks, in a stable order.
func TestValidatePolicies(t *testing.T) {
	t.Parallel()
	zero, neg := 0, -1
	s := &scenarios.Scenario{
		Name:       "code",
		Upstreams:  scenarios.Upstreams{{Name: "audit", URL: "http://localhost:1"}},
		Operation:  scenarios.Operation{Calls: []scenarios.Call{{Upstream: "audit"}}},
		Strategies: []scenarios.Strategy{{Name: "fanout"}},
		Load:       scenarios.LoadSpec{Rate: 1, Duration: dur(time.Second)},
		Policies: &scenarios.Policies{
			Default: strategies.PolicySpec{Retry: &strategies.RetrySpec{Attempts: &zero}},
			Upstreams: map[string]strategies.PolicySpec{
				"zeta":  {Breaker: &strategies.BreakerSpec{Consecutive: &neg}},
				"audt":  {},
				"audit": {Retry: &strategies.RetrySpec{Backoff: ptr(dur(-time.Second))}},
			},
		},
	}
	want := strings.Join([]string{
		"policies.default.retry.attempts: must be 1 or more (the first try included; 1 = no retry), such as attempts: 3",
		"policies.upstreams.audit.retry.backoff: must be 0 or more, such as backoff: 50ms",
		`policies.upstreams.audt: unknown upstream "audt"; did you mean "audit"? defined: audit`,
		`policies.upstreams.zeta: unknown upstream "zeta"; defined: audit`,
		"policies.upstreams.zeta.breaker.consecutive: must be 0 or more (0 = not by count), such as consecutive: 5",
	}, "\n")
	if err := s.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() = %v\nwant %s", err, want)
	}
}

// fanbench mock reads a whole scenario, policies included.
func TestParseUpstreamsWithPolicies(t *testing.T) {
	t.Parallel()
	src := lines(l1, l2, l3, "policies: {default: {retry: {attempts: 2}}}")
	f, err := scenarios.ParseUpstreams("t.yaml", []byte(src))
	if err != nil || len(f.Upstreams) != 1 {
		t.Errorf("ParseUpstreams = %+v, %v; want the one upstream", f, err)
	}
}
