package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shell string
		want  string // a fragment every script of that shell holds
	}{
		{"bash", "__start_fanbench"},
		{"zsh", "#compdef fanbench"},
		{"fish", "complete -c fanbench"},
		{"powershell", "Register-ArgumentCompleter"},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := Main(t.Context(), []string{"completion", tc.shell}, &stdout, &stderr)
			if code != exitOK || !strings.Contains(stdout.String(), tc.want) {
				t.Errorf("fanbench completion %s = exit %d, stdout %d bytes without %q; stderr %s",
					tc.shell, code, stdout.Len(), tc.want, stderr.String())
			}
		})
	}
}

// TestCompletionCandidates asks cobra for completions as a shell does
// (fanbench __complete ARGS... "") and checks fanbench's own candidates.
func TestCompletionCandidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"examples", ""}, []string{"seed", "checkout"}},
		{[]string{"run", "--example", ""}, []string{"seed"}},
		{[]string{"run", "--format", ""}, []string{"table", "json"}},
		{[]string{"run", ""}, []string{"yaml"}},
		{[]string{"report", "--format", ""}, []string{"table", "json", "markdown", "csv"}},
		{[]string{"report", ""}, []string{"json"}},
		{[]string{"run", "--strategies", ""}, []string{"sequential", "fanout", "pooled", "queued", "hedged"}},
		{[]string{"report", "r.json", "--markdown", ""}, []string{"md"}},
		{[]string{""}, []string{"run", "validate", "completion"}},
	} {
		args := append([]string{"__complete"}, tc.args...)
		var stdout, stderr bytes.Buffer
		code := Main(t.Context(), args, &stdout, &stderr)
		lines := strings.Split(stdout.String(), "\n")
		for _, w := range tc.want {
			found := false
			for _, l := range lines {
				name, _, _ := strings.Cut(l, "\t") // "run\tRun a scenario…"
				found = found || name == w
			}
			if code != exitOK || !found {
				t.Errorf("fanbench %s = exit %d, candidates %q; want %q among them", strings.Join(args, " "), code, lines, w)
			}
		}
	}
}

// TestEveryCommandHasExample checks that each command's --help shows an
// example, the completion command included.
func TestEveryCommandHasExample(t *testing.T) {
	t.Parallel()
	root := newRoot(&bytes.Buffer{}, &bytes.Buffer{})
	names := []string{""}
	for _, cmd := range root.Commands() {
		if !cmd.Hidden && cmd.Name() != "help" {
			names = append(names, cmd.Name())
		}
	}
	if len(names) < 8 {
		t.Fatalf("only the commands %q", names)
	}
	for _, name := range names {
		args := []string{"--help"}
		if name != "" {
			args = []string{name, "--help"}
		}
		var stdout, stderr bytes.Buffer
		code := Main(t.Context(), args, &stdout, &stderr)
		help := stdout.String()
		_, ex, ok := strings.Cut(help, "Examples:\n")
		if code != exitOK || !ok || !strings.Contains(ex, "fanbench "+name) {
			t.Errorf("fanbench %s --help = exit %d; want an Examples: section using fanbench %s, got:\n%s", name, code, name, help)
		}
	}
}
