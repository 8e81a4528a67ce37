package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

// writeTestResult writes a small result of two strategies to dir/name, as
// fanbench run --out would, and returns its path.
func writeTestResult(t *testing.T, dir, name, scenario string) string {
	t.Helper()
	layout := metrics.Layout{Upstreams: []string{"profile", "audit"}, Failures: []string{"none", "timeout"}, CallsPerOperation: 2}
	res := &metrics.Result{
		Schema:      metrics.Schema,
		Scenario:    json.RawMessage(`{"name":` + strconvQuote(scenario) + `}`),
		Environment: metrics.CurrentEnvironment("test"),
		StartedAt:   time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		DurationS:   2,
		Warnings:    []string{"fanout: the generator fell behind"},
	}
	for _, s := range []struct {
		name string
		base time.Duration
	}{{"sequential", 500 * time.Millisecond}, {"fanout", 300 * time.Millisecond}} {
		r := metrics.NewRecorder(layout)
		for i := range 20 {
			r.RecordOperation(metrics.OutcomeOK, s.base, s.base, 0, 0)
			r.RecordCall(metrics.CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: 200 * time.Millisecond})
			status := 200
			if i == 3 {
				status = 503
			}
			r.RecordCall(metrics.CallSample{Upstream: 1, Status: status, Attempts: 1, Latency: 300 * time.Millisecond})
		}
		sr, err := r.Summarize(s.name, time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		res.Strategies = append(res.Strategies, sr)
	}
	path := filepath.Join(dir, name)
	if err := metrics.WriteResult(path, res); err != nil {
		t.Fatal(err)
	}
	return path
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestReportCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed := writeTestResult(t, dir, "seed.json", "seed")
	other := writeTestResult(t, dir, "other.json", "<b>other</b>")
	notJSON := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(notJSON, []byte("name: seed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.json")
	out := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
		wantFiles  map[string]string // path → a fragment of its content
	}{
		{"table", []string{seed}, 0, []string{`scenario "seed"`, "fanout wins: 1.67× faster than sequential", "speed-up", "p99.9", "WARNING: read the figures"}, nil, nil},
		{"wide table", []string{seed, "--wide"}, 0, []string{`scenario "seed"`, "speed-up", "p99.9", "200×19 503×1", "WARNING: read the figures"}, nil, nil},
		{"json", []string{seed, "--format", "json"}, 0, []string{`"schema": "fanbench/result/v1"`, `"name": "fanout"`}, nil, nil},
		{"markdown", []string{seed, "--format", "markdown"}, 0, []string{"### fanbench: seed", "| fanout | 20 |", "> - fanout: the generator fell behind"}, nil, nil},
		{"csv", []string{seed, "--format", "csv"}, 0, []string{"kind,strategy,upstream,", "strategy,fanout,,20,", "upstream,fanout,audit,"}, nil, nil},
		{"files", []string{seed, "--markdown", out("r.md"), "--csv", out("r.csv")}, 0,
			[]string{`scenario "seed"`}, []string{"Markdown report written to " + out("r.md"), "CSV written to " + out("r.csv")},
			map[string]string{out("r.md"): "### fanbench: seed", out("r.csv"): "upstream,sequential,profile,"}},
		{"files quietly", []string{seed, "-q", "--markdown", out("q.md")}, 0, nil, nil, map[string]string{out("q.md"): "| sequential |"}},
		{"html", []string{seed, "--html", out("r.html")}, 0, nil, []string{"HTML report written to " + out("r.html")},
			map[string]string{out("r.html"): "<html"}},
		{"two files", []string{seed, other, "--no-color"}, 0, []string{"── " + seed + " ──", "── " + other + " ──", `scenario "<b>other</b>"`}, nil, nil},
		{"two files markdown", []string{seed, other, "--format", "markdown"}, 0, []string{"### fanbench: seed", `### fanbench: \<b\>other\</b\>`}, nil, nil},
		{"no file", []string{}, 2, nil, []string{"at least one result file"}, nil},
		{"missing file", []string{seed, missing}, 2, nil, []string{"result file " + missing + ": no such file"}, nil},
		{"not a result", []string{notJSON}, 2, nil, []string{notJSON, "not a fanbench result file"}, nil},
		{"a folder", []string{dir}, 2, nil, []string{"result file " + dir + ": is a directory"}, nil},
		{"bad format", []string{seed, "--format", "xml"}, 2, nil, []string{`--format "xml"`, "table, json, markdown, csv"}, nil},
		{"file flags with two files", []string{seed, other, "--html", out("x.html")}, 2, nil, []string{"give one result file", "fanbench merge"}, nil},
		{"csv of two files", []string{seed, other, "--format", "csv"}, 2, nil, []string{"--format csv takes one result file"}, nil},
		{"one path twice", []string{seed, "--markdown", out("same"), "--csv", out("same")}, 2, nil, []string{"--markdown and --csv both write"}, nil},
		// Found before anything is printed: a bad path is exit code 2.
		{"unwritable file", []string{seed, "--markdown", "/nonexistent/dir/r.md"}, 2, nil, []string{"--markdown: cannot write /nonexistent/dir/r.md: the folder /nonexistent/dir does not exist"}, nil},
		{"output over its input", []string{seed, "--html", seed}, 2, nil, []string{"--html " + seed + " is the result file, which this command reads"}, nil},
		{"help", []string{"--help"}, 0, []string{"Examples:", "fanbench report result.json", "--html", "--markdown", "--csv", "--format", "--no-color", "fanbench merge"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"report"}, tt.args...)
			var stdout, stderr bytes.Buffer
			code := Main(t.Context(), args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("fanbench %s exited %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, tt.wantCode, &stdout, &stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("fanbench %s: stdout lacks %q:\n%s", strings.Join(args, " "), want, &stdout)
				}
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("fanbench %s: stderr lacks %q:\n%s", strings.Join(args, " "), want, &stderr)
				}
			}
			if strings.Contains(stdout.String(), "\x1b[") {
				t.Errorf("fanbench %s: colour on a stdout that is not a terminal", strings.Join(args, " "))
			}
			for path, want := range tt.wantFiles {
				got, err := os.ReadFile(path)
				if err != nil || !strings.Contains(strings.ToLower(string(got)), strings.ToLower(want)) {
					t.Errorf("fanbench %s: %s lacks %q (err %v):\n%.500s", strings.Join(args, " "), path, want, err, got)
				}
			}
		})
	}
}

// writeOutputs writes every file even when one fails, and the JSON file
// it writes reads back as the result.
func TestWriteOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res, err := metrics.ReadResult(writeTestResult(t, dir, "in.json", "seed"))
	if err != nil {
		t.Fatal(err)
	}
	o := outputs{format: "csv", out: filepath.Join(dir, "out.json"), markdown: filepath.Join(dir, "no", "such", "dir.md"),
		csv: filepath.Join(dir, "out.csv")}
	var stdout, stderr bytes.Buffer
	err = writeOutputs(&stdout, &stderr, res, o, false)
	if err == nil || !strings.Contains(err.Error(), "dir.md") {
		t.Errorf("writeOutputs with an unwritable --markdown = %v, want an error naming it", err)
	}
	back, err := metrics.ReadResult(o.out)
	if err != nil || len(back.Strategies) != 2 {
		t.Errorf("the result written by writeOutputs does not read back: %v", err)
	}
	if _, err := os.Stat(o.csv); err != nil {
		t.Errorf("a failed --markdown stopped the --csv file: %v", err)
	}
	if !strings.HasPrefix(stdout.String(), "kind,strategy,upstream,") {
		t.Errorf("a failed file stopped the CSV on stdout: %q", stdout.String())
	}
	if got := stderr.String(); !strings.Contains(got, "result written to "+o.out) || !strings.Contains(got, "CSV written to "+o.csv) {
		t.Errorf("stderr does not say which files were written: %q", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %q", leftovers)
	}
}
