package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// envScenario is a scenario whose profile upstream's latency comes from
// the environment, and nothing else does.
const envScenario = `name: env-latency
seed: 42
upstreams:
  profile: {mock: {latency: {dist: fixed, value: "${FB_TEST_LATENCY}"}}}
  audit: {mock: {latency: 4ms}}
operation:
  calls:
    - {upstream: profile, method: PUT, path: "/users/{{.Seq}}", critical: true}
    - {upstream: audit, method: POST, path: /log}
strategies: [sequential, fanout]
load: {model: open, rate: 40/s, duration: 500ms}
`

// Two runs whose scenarios differ only in a value from the environment
// (the profile's latency, 13ms against 17ms) are told apart by compare,
// which exits 2 naming the field, and neither value is written anywhere:
// not on stdout or stderr, not in the result files, the reports or the
// comparison. Not parallel: the values come from the process's
// environment, as they would in CI.
func TestCompareTellsEnvironmentValuesApart(t *testing.T) {
	t.Setenv("FANBENCH_FINGERPRINT_KEY", "ci-shared-secret")
	dir := t.TempDir()
	scenario := filepath.Join(dir, "env.yaml")
	if err := os.WriteFile(scenario, []byte(envScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer // everything fanbench printed
	run := func(args ...string) int {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := Main(t.Context(), args, &stdout, &stderr)
		out.WriteString(stdout.String() + "\n" + stderr.String() + "\n")
		t.Logf("fanbench %s: exit %d\n%s%s", strings.Join(args, " "), code, &stdout, &stderr)
		return code
	}
	secrets := []string{"13ms", "17ms"}
	for i, latency := range secrets {
		t.Setenv("FB_TEST_LATENCY", latency)
		side := filepath.Join(dir, []string{"baseline", "current"}[i])
		if code := run("run", scenario, "--out", side+".json", "--html", side+".html", "--markdown", side+".md", "--csv", side+".csv"); code != 0 {
			t.Fatalf("run with latency %s: exit %d", latency, code)
		}
		if code := run("report", side+".json", "--format", "markdown"); code != 0 {
			t.Fatalf("report: exit %d", code)
		}
	}
	base, cur := filepath.Join(dir, "baseline.json"), filepath.Join(dir, "current.json")
	for _, format := range []string{"table", "markdown", "json"} {
		if code := run("compare", base, cur, "--format", format, "--html", filepath.Join(dir, "compare-"+format+".html")); code != 2 {
			t.Errorf("compare --format %s: exit %d, want 2 (results of different scenarios)", format, code)
		}
	}
	if want := "its scenario differs from " + base + "'s at upstreams.profile.mock.latency.value: a value from the environment differs"; !strings.Contains(out.String(), want) {
		t.Errorf("compare does not name the field: want %q in\n%s", want, &out)
	}
	// The same value twice compares.
	if code := run("compare", base, base, "--format", "markdown", "--out", filepath.Join(dir, "same.md")); code != 0 {
		t.Errorf("compare of a result with itself: exit %d, want 0", code)
	}
	// Under another key the values cannot be compared: a note, not an
	// error (one run a side of half a second: nothing can be significant).
	t.Setenv("FANBENCH_FINGERPRINT_KEY", "laptop-secret")
	t.Setenv("FB_TEST_LATENCY", "13ms")
	other := filepath.Join(dir, "other-key.json")
	if code := run("run", scenario, "--out", other, "-q"); code != 0 {
		t.Fatalf("run under another key: exit %d", code)
	}
	mark := out.Len()
	if code := run("compare", base, other, "--format", "markdown", "--out", filepath.Join(dir, "other-key.md")); code != 0 {
		t.Errorf("compare under other keys: exit %d, want 0", code)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "other-key.md")); err != nil || !strings.Contains(string(data), "the values taken from the environment cannot be compared") {
		t.Errorf("compare under other keys: %v, no note that the values cannot be compared:\n%s\n%s", err, data, out.String()[mark:])
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	written := 0
	for _, f := range files {
		if f == scenario {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		written++
		for _, s := range append(secrets, "ci-shared-secret", "laptop-secret") {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds %q", filepath.Base(f), s)
			}
		}
	}
	if written < 9 {
		t.Errorf("checked %d files, want the results, reports and comparisons (%v)", written, files)
	}
	for _, s := range append(secrets, "ci-shared-secret", "laptop-secret") {
		if strings.Contains(out.String(), s) {
			t.Errorf("fanbench printed %q", s)
		}
	}
}
