package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Targets of the capacity check: issue 5 ("Speed") against vegeta and a
// bare net/http loop, issue 23 against wrk.
const (
	targetOverVegeta     = 1.5
	targetOverBare       = 0.9
	targetOverWrkOne     = 0.85 // one call per operation
	targetOverWrkFanout2 = 0.75 // two calls per operation, upstream requests/s
)

// capacityBody is the JSON every tool POSTs.
const capacityBody = `{"order":"A-1","quantity":1}`

// mockUpstreams is the standalone mock's file: two upstreams that answer at
// once, so the clients, not the mock's sleeps, set the pace.
var mockUpstreams = twoMocks(0, "")

// capacityTool is one contender of the capacity check.
type capacityTool struct {
	name string
	run  func(ctx context.Context, o options, mock *mockProcess) (measured, error)
}

// capacityTools are the contenders, in the order of the first round: fanbench
// with one call per operation and with a fan-out of two, wrk (one URL: it
// takes no more), vegeta and the bare net/http loop (both round robin over
// the two upstreams). Every one keeps o.workers requests in flight.
func capacityTools() []capacityTool {
	return []capacityTool{
		{"fanbench-1", func(ctx context.Context, o options, m *mockProcess) (measured, error) {
			return capacityFanbench(ctx, o, m, 1)
		}},
		{"fanbench-2", func(ctx context.Context, o options, m *mockProcess) (measured, error) {
			return capacityFanbench(ctx, o, m, 2)
		}},
		{"wrk", func(ctx context.Context, o options, m *mockProcess) (measured, error) {
			return capacityWrk(ctx, o, m, m.urls[0]+"/", capacityBody)
		}},
		{"vegeta", capacityVegeta},
		{"bare", capacityBare},
	}
}

// capacity starts one standalone mock process and drives it with each
// tool in turn, each with the same number of requests in flight, POSTing
// the same body, and prints the upstream requests per second each
// sustained. The rounds are interleaved, the order rotating from one
// round to the next, and the medians of the rounds are compared.
//
// fanbench runs the closed model: with one call per operation o.workers
// users, with a fan-out of two o.workers/2 users, each operation holding
// two requests in flight, so every tool keeps the same number of requests
// in flight and each is measured at saturation. (An open model at a rate
// above capacity would measure the same ceiling but report the wait for
// the in-flight cap as latency, as it should; it is not what is compared
// here.)
func capacity(ctx context.Context, o options, out io.Writer) error {
	if o.mockServer == "" {
		o.mockServer = "std" // a plain net/http server, as the targets were set against
	}
	mock, err := startMock(ctx, o, mockUpstreams, 2, 0)
	if err != nil {
		return err
	}
	defer mock.stop()
	fmt.Fprintf(out, "capacity: one mock process (pid %d, %s HTTP server), upstreams a %s and b %s, zero latency; POST, %d requests in flight per tool, %v each, %d rounds\n",
		mock.cmd.Process.Pid, o.mockServer, mock.urls[0], mock.urls[1], o.workers, o.duration, o.rounds)
	tools := capacityTools()
	rates := map[string][]float64{}
	skipped := map[string]error{}
	for round := range o.rounds {
		fmt.Fprintf(out, "round %d of %d\n", round+1, o.rounds)
		for i := range tools {
			t := tools[(i+round)%len(tools)]
			if skipped[t.name] != nil {
				continue
			}
			m, err := t.run(ctx, o, mock)
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case errors.Is(err, errNoWrk) || t.name == "vegeta" && err != nil:
				// Optional yardsticks: say so, and go on without them.
				skipped[t.name] = err
				fmt.Fprintf(out, "%s: skipped: %v\n", t.name, err)
				continue
			case err != nil:
				return fmt.Errorf("%s: %w", t.name, err)
			}
			m.tool = t.name
			fmt.Fprintln(out, m)
			rates[t.name] = append(rates[t.name], m.rate)
			pause()
		}
	}
	med := map[string]float64{}
	fmt.Fprintf(out, "medians of %d rounds (upstream requests/s):", o.rounds)
	for _, t := range tools {
		if len(rates[t.name]) > 0 {
			med[t.name] = median(rates[t.name])
			fmt.Fprintf(out, " %s %.0f", t.name, med[t.name])
		}
	}
	fmt.Fprintln(out)
	for _, r := range []struct {
		num, den string
		target   float64
	}{
		{"fanbench-1", "wrk", targetOverWrkOne},
		{"fanbench-2", "wrk", targetOverWrkFanout2},
		{"fanbench-1", "vegeta", targetOverVegeta},
		{"fanbench-2", "vegeta", targetOverVegeta},
		{"fanbench-1", "bare", targetOverBare},
		{"fanbench-2", "bare", targetOverBare},
	} {
		if med[r.num] == 0 || med[r.den] == 0 {
			fmt.Fprintf(out, "%-10s / %-6s: not measured\n", r.num, r.den)
			continue
		}
		ratio := med[r.num] / med[r.den]
		fmt.Fprintf(out, "%-10s / %-6s = %.2f (target >= %.2f) %s\n", r.num, r.den, ratio, r.target, verdict(ratio >= r.target))
	}
	return nil
}

// pause lets the loopback connections of one tool close before the next.
func pause() { time.Sleep(time.Second) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// measured is one tool's sustained rate. The mock's own count of the
// requests it received is printed beside the tool's, as a check that
// both see the same traffic.
type measured struct {
	tool     string
	requests uint64  // as the tool counted them (successful)
	served   uint64  // as the mock counted them
	seconds  float64 // as the tool measured its run
	rate     float64 // requests / seconds
	note     string
}

func (m measured) String() string {
	return fmt.Sprintf("%-10s %8.0f upstream requests/s  (%d requests in %.2f s; the mock served %d)%s",
		m.tool, m.rate, m.requests, m.seconds, m.served, m.note)
}

// capacityFanbench runs fanbench's fanout of calls POSTs (1 or 2, to a
// then b) in the closed model, workers/calls users.
func capacityFanbench(ctx context.Context, o options, mock *mockProcess, calls int) (measured, error) {
	users := max(1, o.workers/calls)
	scenario := callsScenario("capacity", twoURLs(mock.urls[0], mock.urls[1], o.client), "POST", calls, capacityBody,
		fmt.Sprintf("{model: closed, users: %d, duration: %s}", users, o.duration))
	before, err := mock.served()
	if err != nil {
		return measured{}, err
	}
	r, err := runFanbench(ctx, o, "capacity", scenario)
	if err != nil {
		return measured{}, err
	}
	after, err := mock.served()
	if err != nil {
		return measured{}, err
	}
	sr := r.result.Strategies[0]
	var ok uint64
	for _, u := range sr.Upstreams {
		ok += u.Statuses["200"]
	}
	m := measured{tool: "fanbench", requests: ok, served: after - before, seconds: sr.DurationS,
		note: fmt.Sprintf("; fanout of %d, %d users, %.0f operations/s, error rate %.2f%%", calls, users, sr.Throughput, sr.ErrorRate*100)}
	m.rate = float64(m.requests) / m.seconds
	return m, nil
}

// capacityVegeta runs `vegeta attack -rate=0 -max-workers=N` POSTing to
// both upstreams in turn (round robin), writing its results to a file so that
// reporting does not share the CPU with the attack.
func capacityVegeta(ctx context.Context, o options, mock *mockProcess) (measured, error) {
	bin, err := vegetaBinary(ctx)
	if err != nil {
		return measured{}, err
	}
	targets := filepath.Join(o.workDir, "targets.txt")
	results := filepath.Join(o.workDir, "vegeta.bin")
	body := filepath.Join(o.workDir, "body.json")
	if err := os.WriteFile(body, []byte(capacityBody), 0o600); err != nil {
		return measured{}, err
	}
	if err := os.WriteFile(targets, []byte(fmt.Sprintf("POST %s/\nContent-Type: application/json\n\nPOST %s/\nContent-Type: application/json\n", mock.urls[0], mock.urls[1])), 0o600); err != nil {
		return measured{}, err
	}
	before, err := mock.served()
	if err != nil {
		return measured{}, err
	}
	attack := exec.CommandContext(ctx, bin, "attack", "-rate=0", fmt.Sprintf("-max-workers=%d", o.workers),
		"-duration="+o.duration.String(), "-targets="+targets, "-body="+body, "-output="+results)
	if b, err := attack.CombinedOutput(); err != nil {
		return measured{}, fmt.Errorf("vegeta attack: %w\n%s", err, b)
	}
	after, err := mock.served()
	if err != nil {
		return measured{}, err
	}
	b, err := exec.CommandContext(ctx, bin, "report", "-type=json", results).Output()
	if err != nil {
		return measured{}, fmt.Errorf("vegeta report: %w", err)
	}
	var rep struct {
		Requests uint64            `json:"requests"`
		Duration time.Duration     `json:"duration"`
		Success  float64           `json:"success"`
		Codes    map[string]uint64 `json:"status_codes"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return measured{}, fmt.Errorf("vegeta report: %w", err)
	}
	m := measured{tool: "vegeta", requests: rep.Codes["200"], served: after - before, seconds: rep.Duration.Seconds(),
		note: fmt.Sprintf("; -rate=0 -max-workers=%d, success %.2f%%", o.workers, rep.Success*100)}
	m.rate = float64(m.requests) / m.seconds
	return m, nil
}

// vegetaBinary builds (or finds in the build cache) the vegeta pinned as a
// tool in go.mod, so it runs without the go command as its parent.
func vegetaBinary(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "tool", "-n", "vegeta").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("go tool -n vegeta: %w\n%s", err, ee.Stderr)
		}
		return "", fmt.Errorf("go tool -n vegeta: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// mockProcess is a standalone `fanbench mock` child.
type mockProcess struct {
	cmd  *exec.Cmd
	urls []string // a, b
	done chan struct{}
}

// startMock starts `fanbench mock` serving upstreams (count of them), at the given nice
// level when it is above 0 (through nice(1), so that every thread of the
// process has it: on Linux a priority set on a running process's id
// reaches its main thread only).
func startMock(ctx context.Context, o options, upstreams string, count, niceness int) (*mockProcess, error) {
	file := filepath.Join(o.workDir, "mock.yaml")
	if err := os.WriteFile(file, []byte(upstreams), 0o600); err != nil {
		return nil, err
	}
	args := []string{o.fanbench, "mock", "--config", file, "--listen", "127.0.0.1"}
	if o.mockServer != "" && o.mockServer != "fast" {
		args = append(args, "--server", o.mockServer) // a build before the flag has net/http's only
	}
	if niceness > 0 {
		if nice, err := exec.LookPath("nice"); err == nil {
			args = append([]string{nice, "-n", strconv.Itoa(niceness)}, args...)
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	m := &mockProcess{cmd: cmd, done: make(chan struct{})}
	lines := bufio.NewScanner(stdout)
	// One line "NAME URL" per upstream on stdout.
	for len(m.urls) < count && lines.Scan() {
		if f := strings.Fields(lines.Text()); len(f) == 2 {
			m.urls = append(m.urls, f[1])
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		close(m.done)
	}()
	if len(m.urls) < count {
		m.stop()
		return nil, fmt.Errorf("fanbench mock printed no URLs: %s", stderr.Bytes())
	}
	if ctx.Err() != nil {
		m.stop()
		return nil, ctx.Err()
	}
	return m, nil
}

// stop ends the mock as Ctrl-C would.
func (m *mockProcess) stop() {
	_ = m.cmd.Process.Signal(os.Interrupt)
	select {
	case <-m.done:
	case <-time.After(5 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
	}
}

// served is how many requests both upstreams have received, from their
// admin endpoint.
func (m *mockProcess) served() (uint64, error) {
	var total uint64
	for _, u := range m.urls {
		resp, err := http.Get(u + "/__fanbench/stats")
		if err != nil {
			return 0, err
		}
		var st struct {
			Received uint64 `json:"received"`
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil {
			return 0, fmt.Errorf("%s/__fanbench/stats: %w", u, err)
		}
		total += st.Received
	}
	return total, nil
}
