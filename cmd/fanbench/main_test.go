package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/fanbench/fanbench/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const badScenario = `name: broken
seed: 1
upstreams:
  profile:
    mock: {latency: 200ms}
operation:
  calls:
    - {upstream: profil, method: PUT, path: /users}
strategies: [sequential, fanuot]
load: {rate: 20/s, duration: 10s}
`

func TestCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(badScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "seed.yaml")
	var src bytes.Buffer
	if code := Main(t.Context(), []string{"examples", "seed"}, &src, &bytes.Buffer{}); code != 0 {
		t.Fatalf("examples seed exited %d", code)
	}
	if err := os.WriteFile(good, src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"no command", []string{}, 0, []string{"Usage:", "run"}, nil},
		{"unknown command", []string{"bench"}, 2, nil, []string{`unknown command "bench"`}},
		{"unknown flag", []string{"run", "--example", "seed", "--speed", "9"}, 2, nil, []string{"unknown flag: --speed", "fanbench run --help"}},
		{"run without scenario", []string{"run"}, 2, nil, []string{"needs a scenario file or --example"}},
		{"run file and example", []string{"run", good, "--example", "seed"}, 2, nil, []string{"not both"}},
		{"unknown example", []string{"run", "--example", "sead"}, 2, nil, []string{"sead", "seed"}},
		{"missing file", []string{"run", filepath.Join(dir, "nope.yaml")}, 2, nil, []string{"nope.yaml"}},
		{"bad scenario", []string{"run", bad}, 2, nil, []string{
			bad + ":8:", "operation.calls[0].upstream", `"profil"`, `"profile"`,
			bad + ":9:", "fanuot", `"fanout"`,
		}},
		{"bad rate flag", []string{"run", "--example", "seed", "--rate", "fast"}, 2, nil, []string{"--rate", "fast"}},
		{"zero duration flag", []string{"run", "--example", "seed", "--duration", "0s"}, 2, nil, []string{"--duration"}},
		{"unknown strategy flag", []string{"run", "--example", "seed", "--strategies", "hedgd,fanout"}, 2, nil, []string{`unknown strategy "hedgd"`}},
		{"bad repeats", []string{"run", "--example", "seed", "--repeats", "0"}, 2, nil, []string{"--repeats 0: want 1 to 100"}},
		{"bad format", []string{"run", "--example", "seed", "--format", "xml"}, 2, nil, []string{"--format", "table, json, markdown, csv"}},
		{"two outputs one file", []string{"run", "--example", "seed", "--html", "x.out", "--markdown", "x.out"}, 2, nil, []string{"--html and --markdown both write x.out"}},
		{"unwritable profile", []string{"run", "--example", "seed", "--cpuprofile", "/nonexistent/dir/cpu.prof"}, 2, nil, []string{"--cpuprofile", "/nonexistent/dir/cpu.prof"}},
		{"unwritable trace", []string{"run", "--example", "seed", "--trace", "/nonexistent/dir/run.trace"}, 2, nil, []string{"--trace", "/nonexistent/dir/run.trace"}},
		{"validate good", []string{"validate", good}, 0, []string{good + ": ok"}, nil},
		{"validate bad and good", []string{"validate", good, bad}, 2, []string{good + ": ok"}, []string{bad + ":8:"}},
		{"validate nothing", []string{"validate"}, 2, nil, []string{"at least one"}},
		{"examples", []string{"examples"}, 0, []string{"seed", "sequential costs the sum"}, nil},
		{"version", []string{"version"}, 0, []string{"fanbench ", "go1."}, nil},
		{"run help", []string{"run", "--help"}, 0, []string{"Examples:", "--example", "--out"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := Main(t.Context(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("fanbench %s exited %d, want %d\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), code, tt.wantCode, &stdout, &stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("fanbench %s: stdout lacks %q:\n%s", strings.Join(tt.args, " "), want, &stdout)
				}
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("fanbench %s: stderr lacks %q:\n%s", strings.Join(tt.args, " "), want, &stderr)
				}
			}
		})
	}
}

// The whole path from the command line: run the seed example briefly, print
// the table, write the result file.
func TestRunWritesTableAndResult(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "result.json")
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), []string{"run", "--example", "seed", "--duration", "500ms", "--rate", "10/s", "--out", out, "--wide"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run exited %d\nstderr: %s", code, &stderr)
	}
	for _, want := range []string{"sequential", "fanout", "p50", "(ms)", "speed-up", "profile", "audit", "200×5"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, &stdout)
		}
	}
	for _, want := range []string{"running sequential (1/2)", "result written to " + out} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, &stderr)
		}
	}
	res, err := metrics.ReadResult(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Strategies) != 2 || res.Strategies[0].Operations != 5 {
		t.Errorf("result file holds %d strategies, first with %d operations; want 2 and 5", len(res.Strategies), res.Strategies[0].Operations)
	}
}

func TestRunJSONQuiet(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), []string{"run", "--example", "seed", "--duration", "200ms", "--strategies", "fanout", "--format", "json", "-q"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run exited %d\nstderr: %s", code, &stderr)
	}
	if stderr.Len() != 0 {
		t.Errorf("--quiet run wrote to stderr: %s", &stderr)
	}
	res, err := metrics.DecodeResult("stdout", stdout.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Strategies) != 1 || res.Strategies[0].Name != "fanout" {
		t.Errorf("--strategies fanout ran %+v", res.Strategies)
	}
}

const policyScenario = `name: policies
seed: 5
upstreams:
  profile: {mock: {latency: 2ms}}
  audit: {mock: {latency: 2ms, errors: {503: 40%}}}
operation:
  calls:
    - {upstream: profile, critical: true}
    - {upstream: audit}
strategies: [sequential, fanout]
policies:
  default: {timeout: 1s}
  upstreams:
    audit:
      retry: {attempts: 3, backoff: 1ms, jitter: none, on: [5xx], max_retry_after: 1ms}
      breaker: {consecutive: 50}
load: {rate: 40/s, duration: 500ms}
`

// A scenario file with policies runs from the command line; the table shows
// the retries, 429s and breaker refusals, the result file the policies.
func TestRunWithPolicies(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file, out := filepath.Join(dir, "policies.yaml"), filepath.Join(dir, "result.json")
	if err := os.WriteFile(file, []byte(policyScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := Main(t.Context(), []string{"run", file, "-q", "--no-color", "--out", out, "-v"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run exited %d\nstderr: %s", code, &stderr)
	}
	for _, want := range []string{"retries", "429s", "received", "breaker", "refusals", "503×"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, &stdout)
		}
	}
	res, err := metrics.ReadResult(out)
	if err != nil {
		t.Fatal(err)
	}
	var scenario bytes.Buffer
	if err := json.Compact(&scenario, res.Scenario); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"policies":{`, `"max_retry_after":"1ms"`, `"timeout":"1s"`} {
		if !strings.Contains(scenario.String(), want) {
			t.Errorf("result scenario lacks %s: %s", want, &scenario)
		}
	}
	for _, s := range res.Strategies {
		if a := s.Upstreams[1]; a.Retries == 0 || a.Attempts != a.Calls+a.Retries {
			t.Errorf("%s: audit attempts %d, calls %d, retries %d; want retries, attempts = calls + retries", s.Name, a.Attempts, a.Calls, a.Retries)
		}
	}
	// validate names the line of a bad policy.
	bad := filepath.Join(dir, "bad.yaml")
	src := strings.Replace(policyScenario, "jitter: none", "jitter: nope", 1)
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := Main(t.Context(), []string{"validate", bad}, &bytes.Buffer{}, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), bad+":15:") || !strings.Contains(stderr.String(), "policies.upstreams.audit.retry.jitter") {
		t.Errorf("validate of a bad jitter exited %d: %s", code, &stderr)
	}
}

// The scenario's report block names the files a run writes; a flag the user
// set replaces its entry, the others stay.
func TestRunWritesReportBlock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	scenario := fmt.Sprintf(`name: report-block
upstreams:
  a: {mock: {latency: 1ms}}
operation:
  calls: [{upstream: a}]
strategies: [fanout]
load: {rate: 50/s, duration: 200ms}
report:
  json: %s
  markdown: %s
  csv: %s
  html: %s
`, filepath.Join(dir, "from-file.json"), filepath.Join(dir, "summary.md"), filepath.Join(dir, "rows.csv"), filepath.Join(dir, "report.html"))
	if err := os.WriteFile(file, []byte(scenario), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	flagOut := filepath.Join(dir, "from-flag.json")
	code := Main(t.Context(), []string{"run", file, "--out", flagOut, "--format", "markdown", "-q"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run exited %d\nstderr: %s", code, &stderr)
	}
	for name, want := range map[string]bool{"from-flag.json": true, "from-file.json": false, "summary.md": true, "rows.csv": true, "report.html": true} {
		_, err := os.Stat(filepath.Join(dir, name))
		if (err == nil) != want {
			t.Errorf("%s written: %v, want %v", name, err == nil, want)
		}
	}
	if !strings.Contains(stdout.String(), "| fanout |") {
		t.Errorf("--format markdown printed:\n%s", &stdout)
	}
}
