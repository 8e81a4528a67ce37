package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The accuracy check (issue 23): at 1,000 operations/s over a 10 ms
// upstream, fanbench's overhead may be no worse than vegeta's own against
// the same server in the same run, at p50 and at p99.
const (
	accuracyRate    = 1000
	accuracyLatency = 10 * time.Millisecond
)

// overhead is one tool's latency above the upstream's fixed delay, in ms.
type overhead struct{ p50, p99 float64 }

// accuracy starts one standalone mock process of two upstreams of a fixed
// 10 ms and runs, in interleaved rounds (the order rotating): fanbench with
// one call per operation and with a fan-out of two, each at 1,000
// operations/s, and vegeta at 1,000 requests/s, all to upstream a (and b).
// The mock's delay is fixed, so every answer's ideal is 10 ms (the larger
// of two for the fan-out), and each tool's overhead is its latency
// percentile minus 10 ms. fanbench's latency is counted from each
// operation's intended start (corrected for coordinated omission); its
// service time, from the send, is what vegeta measures and is printed
// beside it. The medians of the rounds are compared.
func accuracy(ctx context.Context, o options, out io.Writer) error {
	mock, err := startMock(ctx, o, twoMocks(accuracyLatency, ""), 2, 0)
	if err != nil {
		return err
	}
	defer mock.stop()
	fmt.Fprintf(out, "accuracy: one mock process (pid %d), upstreams a and b at %v fixed; %d operations (or requests)/s for %v per tool, %d rounds\n",
		mock.cmd.Process.Pid, accuracyLatency, accuracyRate, o.duration, o.rounds)
	type tool struct {
		name string
		run  func() (overhead, string, error)
	}
	tools := []tool{
		{"fanbench-1", func() (overhead, string, error) { return accuracyFanbench(ctx, o, mock, 1) }},
		{"fanbench-2", func() (overhead, string, error) { return accuracyFanbench(ctx, o, mock, 2) }},
		{"vegeta", func() (overhead, string, error) { return accuracyVegeta(ctx, o, mock) }},
	}
	p50s, p99s := map[string][]float64{}, map[string][]float64{}
	for round := range o.rounds {
		fmt.Fprintf(out, "round %d of %d\n", round+1, o.rounds)
		for i := range tools {
			t := tools[(i+round)%len(tools)]
			oh, note, err := t.run()
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			fmt.Fprintf(out, "%-10s overhead p50 %6.3f ms, p99 %6.3f ms  (%s)\n", t.name, oh.p50, oh.p99, note)
			p50s[t.name] = append(p50s[t.name], oh.p50)
			p99s[t.name] = append(p99s[t.name], oh.p99)
			pause()
		}
	}
	med := map[string]overhead{}
	for _, t := range tools {
		med[t.name] = overhead{median(p50s[t.name]), median(p99s[t.name])}
		fmt.Fprintf(out, "median of %d rounds: %-10s overhead p50 %.3f ms, p99 %.3f ms\n", o.rounds, t.name, med[t.name].p50, med[t.name].p99)
	}
	v := med["vegeta"]
	for _, name := range []string{"fanbench-1", "fanbench-2"} {
		f := med[name]
		fmt.Fprintf(out, "%s overhead no worse than vegeta's: p50 %.3f vs %.3f ms %s, p99 %.3f vs %.3f ms %s (rounds no worse: p50 %d, p99 %d of %d)\n",
			name, f.p50, v.p50, verdict(f.p50 <= v.p50), f.p99, v.p99, verdict(f.p99 <= v.p99),
			noWorse(p50s[name], p50s["vegeta"]), noWorse(p99s[name], p99s["vegeta"]), o.rounds)
	}
	fmt.Fprintln(out, "(the target is fanbench-1's, one call per operation like vegeta's requests; fanbench-2 waits for the slower of two)")
	return nil
}

// accuracyFanbench runs fanbench's fanout of calls GETs (1: to a; 2: to a
// and b) at accuracyRate operations/s.
func accuracyFanbench(ctx context.Context, o options, mock *mockProcess, calls int) (overhead, string, error) {
	upstreams := twoURLs(mock.urls[0], mock.urls[1], o.client)
	load := fmt.Sprintf("{model: open, rate: %d/s, duration: %s}", accuracyRate, o.duration)
	scenario := callsScenario("accuracy", upstreams, "GET", calls, "", load)
	r, err := runFanbench(ctx, o, "accuracy", scenario)
	if err != nil {
		return overhead{}, "", err
	}
	sr := &r.result.Strategies[0]
	ideal := ms(accuracyLatency)
	oh := overhead{sr.Latency.P50 - ideal, sr.Latency.P99 - ideal}
	note := fmt.Sprintf("%d operations, %.0f/s, errors %.2f%%, late starts %d, service time − 10 ms p50 %.3f, p99 %.3f ms",
		sr.Operations, sr.Throughput, sr.ErrorRate*100, sr.LateStarts, sr.ServiceTime.P50-ideal, sr.ServiceTime.P99-ideal)
	if sr.Operations == 0 || sr.ErrorRate > 0 {
		return overhead{}, "", fmt.Errorf("not a clean run: %s", note)
	}
	return oh, note, nil
}

// accuracyVegeta runs `vegeta attack -rate=1000/s` GETs to upstream a and
// reads its latency percentiles.
func accuracyVegeta(ctx context.Context, o options, mock *mockProcess) (overhead, string, error) {
	bin, err := vegetaBinary(ctx)
	if err != nil {
		return overhead{}, "", err
	}
	targets := filepath.Join(o.workDir, "accuracy-targets.txt")
	results := filepath.Join(o.workDir, "accuracy-vegeta.bin")
	if err := os.WriteFile(targets, fmt.Appendf(nil, "GET %s/\n", mock.urls[0]), 0o600); err != nil {
		return overhead{}, "", err
	}
	attack := exec.CommandContext(ctx, bin, "attack", fmt.Sprintf("-rate=%d/s", accuracyRate),
		"-duration="+o.duration.String(), "-targets="+targets, "-output="+results)
	if b, err := attack.CombinedOutput(); err != nil {
		return overhead{}, "", fmt.Errorf("vegeta attack: %w\n%s", err, b)
	}
	b, err := exec.CommandContext(ctx, bin, "report", "-type=json", results).Output()
	if err != nil {
		return overhead{}, "", fmt.Errorf("vegeta report: %w", err)
	}
	var rep struct {
		Requests  uint64  `json:"requests"`
		Rate      float64 `json:"rate"`
		Success   float64 `json:"success"`
		Latencies struct {
			P50 time.Duration `json:"50th"`
			P99 time.Duration `json:"99th"`
		} `json:"latencies"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return overhead{}, "", fmt.Errorf("vegeta report: %w", err)
	}
	note := fmt.Sprintf("%d requests, %.0f/s, success %.2f%%, latency from each request's send", rep.Requests, rep.Rate, rep.Success*100)
	if rep.Requests == 0 || rep.Success < 1 {
		return overhead{}, "", fmt.Errorf("not a clean run: %s", note)
	}
	return overhead{ms(rep.Latencies.P50 - accuracyLatency), ms(rep.Latencies.P99 - accuracyLatency)}, note, nil
}

// noWorse counts the rounds in which a's figure was at most b's, round by
// round (the same round's runs met the same machine).
func noWorse(a, b []float64) int {
	n := 0
	for i := range min(len(a), len(b)) {
		if a[i] <= b[i] {
			n++
		}
	}
	return n
}
