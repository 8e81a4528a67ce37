package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/cluster"
)

// The distributed run's command line: mistakes are exit code 2 with a
// message naming the flag; a server that does not answer is 3.
func TestAgentsUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args      []string
		wantCode  int
		wantInErr string
	}{
		{[]string{"run", "--example", "seed", "--agents", "2"}, 2, "either --nats URL"},
		{[]string{"run", "--example", "seed", "--local"}, 2, "--agents N (1 or more)"},
		{[]string{"run", "--example", "seed", "--agents", "2", "--local", "--nats", "nats://127.0.0.1:4222"}, 2, "not both"},
		{[]string{"run", "--example", "seed", "--agents", "2", "--local", "--creds", "x.creds"}, 2, "--creds applies to --nats"},
		{[]string{"run", "--example", "seed", "--agents", "2", "--local", "--repeats", "3"}, 2, "load.repeats"},
		{[]string{"run", "--example", "seed", "--agents", "2", "--local", "--agents-wait", "0s"}, 2, "--agents-wait"},
		{[]string{"run", "--example", "seed", "--agents", "2", "--local", "--hlog", "x"}, 2, "--hlog applies to a run in one process"},
		{[]string{"agent"}, 2, "agent needs --nats URL"},
		{[]string{"agent", "--nats", "nats://127.0.0.1:4222", "extra"}, 2, "agent takes no arguments"},
		{[]string{"run", "--example", "seed", "--agents", "1", "--nats", "nats://127.0.0.1:1"}, 3, "connecting to the NATS server at nats://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := Main(t.Context(), tt.args, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantInErr) {
				t.Errorf("fanbench %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tt.args, " "), code, &stderr, tt.wantCode, tt.wantInErr)
			}
		})
	}
}

// A plan's flags are applied by the agent as the coordinator applied them.
func TestLoadPlanAppliesFlags(t *testing.T) {
	t.Parallel()
	var src bytes.Buffer
	if code := Main(t.Context(), []string{"examples", "seed"}, &src, &bytes.Buffer{}); code != 0 {
		t.Fatal("examples seed failed")
	}
	sc, err := loadPlan(&cluster.Plan{File: "example:seed", Source: src.Bytes(), Args: []string{"--rate=7/s", "--duration=3s", "--strategies=fanout", "--seed=9"}})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Load.Rate.PerSecond() != 7 || sc.Load.Duration.D().Seconds() != 3 || len(sc.Strategies) != 1 || sc.Seed != 9 {
		t.Errorf("the plan's flags were not applied: rate %v, duration %v, %d strategies, seed %d", sc.Load.Rate, sc.Load.Duration, len(sc.Strategies), sc.Seed)
	}
	if _, err := loadPlan(&cluster.Plan{File: "example:seed", Source: src.Bytes(), Args: []string{"--rate=fast"}}); err == nil {
		t.Error("a bad flag in the plan was accepted")
	}
}
