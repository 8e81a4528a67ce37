package cluster

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/fanbench/fanbench/internal/natsembed"
	"github.com/fanbench/fanbench/internal/procs"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// startProc starts fanbench with args; the test's end kills it if it runs.
func startProc(t *testing.T, args ...string) *procs.Process {
	t.Helper()
	return procs.Start(t, exec.Command(fanbench, args...))
}

func writeScenario(t *testing.T, src string) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	file = filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

const longScenario = `name: long
seed: 5
upstreams:
  a: {mock: {latency: 20ms}}
operation:
  calls:
    - {upstream: a, method: GET, path: /a}
strategies: [fanout]
load: {rate: 100/s, duration: 6s}
`

// The NATS server dies mid-run: the coordinator, an external one reached
// with --nats, exits 3 with a clear message and writes what had arrived,
// marked interrupted.
func TestServerLostExits3WithPartialResult(t *testing.T) {
	t.Parallel()
	srv, err := natsembed.Start(natsembed.Options{Name: "test-server", Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	dir, file := writeScenario(t, longScenario)
	for _, name := range []string{"a1", "a2"} {
		startProc(t, "agent", "--nats", srv.URL(), "--name", name, "--once")
	}
	out := filepath.Join(dir, "partial.json")
	coord := startProc(t, "run", file, "--agents", "2", "--nats", srv.URL(), "--out", out)
	coord.WaitFor(t, "agents start at", 30*time.Second)
	time.Sleep(2 * time.Second)
	srv.Stop()
	code := coord.Exit(t, 30*time.Second)
	if code != 3 || !strings.Contains(coord.Text(), "connection to the NATS server was lost") || !strings.Contains(coord.Text(), "partial result") {
		t.Fatalf("exit %d, want 3 and a message of the lost server:\n%s", code, coord.Text())
	}
	res, err := metrics.ReadResult(out)
	if err != nil {
		t.Fatalf("the partial result: %v", err)
	}
	if !res.Interrupted || len(res.Strategies) != 1 || res.Strategies[0].Operations == 0 || res.Strategies[0].Interrupted == 0 {
		t.Errorf("partial result: interrupted %v, %d strategies, want interrupted with some operations measured and the rest interrupted", res.Interrupted, len(res.Strategies))
	}
}

// Ctrl-C on the coordinator stops every agent and still writes the
// merged result; the exit code is 130, as for a run in one process.
func TestInterruptStopsAgentsAndWritesResult(t *testing.T) {
	t.Parallel()
	dir, file := writeScenario(t, longScenario)
	out := filepath.Join(dir, "stopped.json")
	coord := startProc(t, "run", file, "--agents", "2", "--local", "--out", out)
	coord.WaitFor(t, "agents start at", 30*time.Second)
	time.Sleep(1500 * time.Millisecond)
	stoppedAt := time.Now()
	coord.Signal(t, syscall.SIGINT)
	code := coord.Exit(t, 30*time.Second)
	if code != 130 {
		t.Fatalf("exit %d, want 130:\n%s", code, coord.Text())
	}
	if took := time.Since(stoppedAt); took > 15*time.Second {
		t.Errorf("the coordinator took %v to end after Ctrl-C", took)
	}
	res, err := metrics.ReadResult(out)
	if err != nil {
		t.Fatalf("the result: %v", err)
	}
	sr := res.Strategies[0]
	if !res.Interrupted || sr.Operations == 0 || sr.Operations >= 600 || len(res.Agents) != 2 {
		t.Fatalf("result: interrupted %v, %d operations, %d agents; want interrupted, fewer than 600 operations, 2 agents", res.Interrupted, sr.Operations, len(res.Agents))
	}
	for _, a := range res.Agents {
		if a.Status != "stopped" || a.Operations == 0 {
			t.Errorf("agent %+v: want stopped, with operations", a)
		}
	}
}

// An agent of another version refuses the plan; the coordinator says so
// when too few agents came, within its deadline.
func TestAgentOfAnotherVersionRefuses(t *testing.T) {
	t.Parallel()
	srv, err := natsembed.Start(natsembed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	connect := func() *nats.Conn {
		nc, err := nats.Connect("", nats.InProcessServer(srv))
		if err != nil {
			t.Fatal(err)
		}
		return nc
	}
	agentConn, coordConn := connect(), connect()
	defer agentConn.Close()
	defer coordConn.Close()
	ctx, cancel := context.WithCancel(t.Context())
	agentDone := make(chan error, 1)
	go func() {
		agentDone <- RunAgent(ctx, agentConn, AgentOptions{Name: "old", Version: "v0.1.0", Once: true})
	}()
	sc, err := scenarios.Parse("v.yaml", []byte(longScenario))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Coordinate(t.Context(), coordConn, Options{Scenario: sc, Agents: 1, WaitAgents: 3 * time.Second,
		Plan: Plan{Version: "v0.2.0", File: "v.yaml", Source: []byte(longScenario)}})
	cancel()
	if aerr := <-agentDone; aerr != nil {
		t.Errorf("agent: %v", aerr)
	}
	if !errors.Is(err, ErrAgents) || !strings.Contains(err.Error(), "old: this agent is fanbench v0.1.0, the coordinator v0.2.0") {
		t.Fatalf("Coordinate = %v; want ErrAgents naming the refusing agent and both versions", err)
	}
}
