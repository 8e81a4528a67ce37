package runner

import (
	"reflect"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

func policyScenario(t *testing.T, policies string) *scenarios.Scenario {
	t.Helper()
	src := "name: p\nupstreams: {profile: {mock: {latency: 1ms}}, audit: {mock: {latency: 1ms}}}\n" +
		"operation: {calls: [{upstream: profile}, {upstream: audit}]}\nstrategies: [fanout]\n" +
		"load: {rate: 10/s, duration: 1s}\n" + policies
	sc, err := scenarios.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestPoliciesByIndex(t *testing.T) {
	t.Parallel()
	sc := policyScenario(t, "policies:\n  default: {timeout: 1s, retry: {attempts: 2, on: [5xx]}}\n"+
		"  upstreams: {audit: {breaker: {consecutive: 3}, rate_limit: {rate: 5/s, burst: 2, max_wait: 10ms}}}\n")
	got := sc.PoliciesByIndex()
	retry := strategies.Retry{Attempts: 2, Jitter: "full", On: []string{"5xx"}, MaxRetryAfter: time.Minute}
	want := []strategies.Policy{
		{Timeout: time.Second, Retry: retry},
		{Timeout: time.Second, Retry: retry,
			Breaker:   strategies.Breaker{Consecutive: 3, OpenFor: 5 * time.Second, HalfOpenProbes: 1},
			RateLimit: strategies.RateLimit{Rate: 5, Burst: 2, MaxWait: 10 * time.Millisecond}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PoliciesByIndex =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := strategies.NewPolicyCaller(strategies.NewHTTPCaller(strategies.HTTPOptions{}), got); err != nil {
		t.Errorf("NewPolicyCaller refuses what the scenario accepted: %v", err)
	}
	c, err := callerFor(policyScenario(t, ""), strategies.NewHTTPCaller(strategies.HTTPOptions{}))
	if _, plain := c.(*strategies.HTTPCaller); err != nil || !plain {
		t.Errorf("callerFor(no policies) = %T, %v; want the HTTP caller itself", c, err)
	}
}

// A breaker or a rate limit makes timing depend on the load: no ideal.
func TestNoIdealWithBreakerOrRateLimit(t *testing.T) {
	t.Parallel()
	s, _ := strategies.New("fanout", nil, nil, strategies.Env{})
	tests := []struct {
		policies string
		want     bool
	}{
		{"", true},
		{"policies: {default: {timeout: 1s, retry: {attempts: 3}}}", true},
		{"policies: {upstreams: {audit: {breaker: {consecutive: 3}}}}", false},
		{"policies: {default: {rate_limit: {rate: 5/s, burst: 1}}}", false},
	}
	for _, tt := range tests {
		id, err := idealOf(policyScenario(t, tt.policies), s)
		if err != nil || (id != nil) != tt.want {
			t.Errorf("idealOf(%q) = %v, %v; want an ideal: %v", tt.policies, id, err, tt.want)
		}
	}
}

func TestUnknownIdeal(t *testing.T) {
	t.Parallel()
	retry5xx := strategies.Policy{Retry: strategies.Retry{Attempts: 3, On: []string{"5xx"}}}
	tests := []struct {
		name string
		p    strategies.Policy
		d    mockupstream.Draw
		want bool
	}{
		{"no policy, 503", strategies.Policy{}, mockupstream.Draw{Status: 503}, false},
		{"retried 503", retry5xx, mockupstream.Draw{Status: 503}, true},
		{"429 not retried", retry5xx, mockupstream.Draw{Status: 429}, false},
		{"one attempt only", strategies.Policy{Retry: strategies.Retry{Attempts: 1, On: strategies.RetryOnAll}}, mockupstream.Draw{Status: 500}, false},
		{"200", retry5xx, mockupstream.Draw{Status: 200, Latency: time.Second}, false},
		{"past the timeout", strategies.Policy{Timeout: time.Second}, mockupstream.Draw{Status: 200, Latency: time.Second}, true},
		{"past the deadline", strategies.Policy{Deadline: time.Second}, mockupstream.Draw{Status: 200, Latency: 2 * time.Second}, true},
	}
	for _, tt := range tests {
		if got := unknownIdeal(tt.p, tt.d); got != tt.want {
			t.Errorf("unknownIdeal(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Retries end to end: audit answers 503 half the time, every attempt drawn
// anew; with three attempts the calls that still end 503 are exactly those
// whose three paired draws are all 503, and every attempt is counted.
func TestRetriesFollowThePairedDraws(t *testing.T) {
	t.Parallel()
	const ops = 200
	auditCfg := mockupstream.Config{Latency: draws.Latency{Value: units.Duration(time.Millisecond)},
		Errors: map[int]units.Fraction{503: 0.5}}
	sc := &scenarios.Scenario{
		Name: "retries",
		Seed: 11,
		Upstreams: scenarios.Upstreams{
			{Name: "profile", Mock: &mockupstream.Config{}},
			{Name: "audit", Mock: &auditCfg},
		},
		Operation: scenarios.Operation{Calls: []scenarios.Call{
			{Upstream: "profile", Method: "PUT", Path: "/users/{{.Seq}}", Critical: true},
			{Upstream: "audit", Method: "POST", Path: "/log"},
		}},
		Strategies: []scenarios.Strategy{{Name: "sequential"}, {Name: "fanout"}},
		Policies: &scenarios.Policies{Upstreams: map[string]strategies.PolicySpec{"audit": {Retry: &strategies.RetrySpec{
			Attempts: new(3), Backoff: new(units.Duration(time.Millisecond)), Jitter: new("none"),
			// The mock's 503s ask for 1 s; cap it so the test stays fast.
			MaxRetryAfter: new(units.Duration(time.Millisecond)),
		}}}},
		Load: scenarios.LoadSpec{Model: "open", Rate: ops, Duration: units.Duration(time.Second), MaxInFlight: 100},
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := mockupstream.Compile(auditCfg)
	if err != nil {
		t.Fatal(err)
	}
	d := mockupstream.NewDrawer(sc.Seed, "audit", b)
	var want503, wantAttempts, firstOK uint64
	for seq := range uint64(ops) {
		attempts, final := 0, 0
		for a := range uint32(3) {
			attempts++
			if final = d.Draw(seq, a).Status; final == 200 {
				break
			}
		}
		wantAttempts += uint64(attempts)
		if final == 503 {
			want503++
		}
		if d.Draw(seq, 0).Status == 200 {
			firstOK++
		}
	}
	if want503 == 0 || want503 == ops || wantAttempts <= ops {
		t.Fatalf("the draws predict %d final 503s and %d attempts; the test needs some of each", want503, wantAttempts)
	}
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Strategies {
		if s.Operations != ops {
			t.Fatalf("%s: %d operations, want %d", s.Name, s.Operations, ops)
		}
		audit := s.Upstreams[1]
		if audit.Calls != ops || audit.Attempts != wantAttempts || audit.Retries != wantAttempts-ops {
			t.Errorf("%s: audit calls/attempts/retries = %d/%d/%d, want %d/%d/%d",
				s.Name, audit.Calls, audit.Attempts, audit.Retries, ops, wantAttempts, wantAttempts-ops)
		}
		if audit.Statuses["503"] != want503 || audit.Statuses["200"] != ops-want503 {
			t.Errorf("%s: audit statuses %v, want 503×%d and 200×%d as the draws of attempts 0..2 say",
				s.Name, audit.Statuses, want503, ops-want503)
		}
		if p := s.Upstreams[0]; p.Attempts != ops || p.Retries != 0 {
			t.Errorf("%s: profile attempts %d, retries %d; want %d and 0 (no policy)", s.Name, p.Attempts, p.Retries, ops)
		}
		// Operations whose first audit answer is retried have no ideal.
		if s.HarnessOverhead == nil || uint64(s.HarnessOverhead.Count) != firstOK {
			t.Errorf("%s: harness overhead %+v, want %d samples (operations whose first audit draw is 200)", s.Name, s.HarnessOverhead, firstOK)
		}
	}
}
