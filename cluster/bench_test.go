package cluster

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

// maxScenario drives as many operations as one process can: a closed
// model of 64 users against mocks that answer at once.
const maxScenario = `name: max
seed: 3
upstreams:
  a: {mock: {latency: 0ms}}
  b: {mock: {latency: 0ms}}
operation:
  calls:
    - {upstream: a, method: GET, path: /a}
    - {upstream: b, method: GET, path: /b}
strategies: [fanout]
load: {model: closed, users: 64, duration: 4s}
`

// BenchmarkLocalAgents is make bench-agents: interleaved rounds of (1) one
// process and one local agent at maximum throughput, the overhead target
// being a ratio of at least 0.95; (2) one process and 3 local agents
// against mocks of fixed latency, p50 and p99 within 1%. It reports the
// medians of the ratios.
func BenchmarkLocalAgents(b *testing.B) {
	dir := b.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		return p
	}
	maxFile, fixedFile := write("max.yaml", maxScenario), write("fixed.yaml", mockScenario)
	run := func(file string, args ...string) *metrics.Result {
		out := filepath.Join(dir, "r.json")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, fanbench, append([]string{"run", file, "--out", out, "--quiet", "--format", "json"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("fanbench run %v: %v\n%s", args, err, &stderr)
		}
		res, err := metrics.ReadResult(out)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	var tput, p50, p99 []float64
	for range b.N * 3 {
		single := run(maxFile).Strategies[0].Throughput
		agent := run(maxFile, "--agents", "1", "--local").Strategies[0].Throughput
		tput = append(tput, agent/single)
		b.Logf("max throughput: single %.0f/s, 1 local agent %.0f/s, ratio %.3f", single, agent, agent/single)
		s, d := run(fixedFile).Strategies, run(fixedFile, "--agents", "3", "--local").Strategies
		for i := range s {
			p50 = append(p50, d[i].Latency.P50/s[i].Latency.P50)
			p99 = append(p99, d[i].Latency.P99/s[i].Latency.P99)
			b.Logf("%s: p50 %.2f vs %.2f ms, p99 %.2f vs %.2f ms (3 agents vs single)", s[i].Name, d[i].Latency.P50, s[i].Latency.P50, d[i].Latency.P99, s[i].Latency.P99)
		}
	}
	median := func(xs []float64) float64 { slices.Sort(xs); return xs[len(xs)/2] }
	b.ReportMetric(median(tput), "tput-ratio")
	b.ReportMetric(median(p50), "p50-ratio")
	b.ReportMetric(median(p99), "p99-ratio")
}
