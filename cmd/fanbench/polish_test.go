package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// The small things a first-time user meets: --version, a did-you-mean for
// a misspelt flag or strategy, the schema for editors, an example that
// names its schema.
func TestCLIPolish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args       []string
		code       int
		stdout     []string
		stderr     []string
		stdoutFull []byte
	}{
		{args: []string{"--version"}, stdout: []string{"fanbench " + version()}},
		{args: []string{"run", "--example", "seed", "--rat", "5/s"}, code: exitInvalid, stderr: []string{"unknown flag: --rat; did you mean --rate?"}},
		{args: []string{"run", "--example", "seed", "--strategies", "fanuot"}, code: exitInvalid,
			stderr: []string{`--strategies: unknown strategy "fanuot"; did you mean "fanout"? allowed: sequential, fanout, pooled, queued, hedged`}},
		{args: []string{"report", "--formt", "json", "x.json"}, code: exitInvalid, stderr: []string{"did you mean --format?"}},
		{args: []string{"schema"}, stdoutFull: scenarios.Schema()},
		{args: []string{"schema", "result"}, stdoutFull: metrics.ResultSchema()},
		{args: []string{"schema", "nope"}, code: exitInvalid, stderr: []string{`schema takes scenario (the default) or result, not "nope"`}},
		{args: []string{"examples", "seed"}, stdout: []string{"# yaml-language-server: $schema=" + schemaURL + "\n# seed:"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := Main(t.Context(), tt.args, &stdout, &stderr); code != tt.code {
				t.Fatalf("fanbench %s = exit %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.code, &stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, &stdout)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, &stderr)
				}
			}
			if tt.stdoutFull != nil {
				if !bytes.Equal(stdout.Bytes(), tt.stdoutFull) || !json.Valid(stdout.Bytes()) {
					t.Errorf("stdout is not the schema (%d bytes, want %d)", stdout.Len(), len(tt.stdoutFull))
				}
			}
		})
	}
}
