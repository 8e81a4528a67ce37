package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/fanbench/fanbench/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the CLI reference in docs/cli/ from the cobra commands")

// cliDocsDir holds the generated CLI reference, relative to this package.
const cliDocsDir = "../../docs/cli"

// cliDocsHeader opens every generated page, so that nobody edits one by hand.
const cliDocsHeader = "<!-- Generated from the cobra commands by `make docs`; do not edit. -->\n\n"

// genCLIDocs writes one Markdown page per command of the fanbench command
// line into dir. The pages carry no date, so the same commands always give
// the same bytes.
func genCLIDocs(dir string) error {
	root := newRoot(io.Discard, io.Discard)
	for _, c := range allCommands(root) {
		c.DisableAutoGenTag = true
	}
	header := func(string) string { return cliDocsHeader }
	link := func(name string) string { return name }
	return doc.GenMarkdownTreeCustom(root, dir, header, link)
}

// allCommands is c and every command below it.
func allCommands(c *cobra.Command) []*cobra.Command {
	all := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		all = append(all, allCommands(sub)...)
	}
	return all
}

// TestCLIDocs fails when docs/cli/ is not what the commands generate: a
// page that differs, one that is missing, or one for a command that no
// longer exists. With -update (make docs) it rewrites the folder.
func TestCLIDocs(t *testing.T) {
	t.Parallel()
	gen := t.TempDir()
	if err := genCLIDocs(gen); err != nil {
		t.Fatalf("genCLIDocs: %v", err)
	}
	pages := mdFiles(t, gen)
	if !slices.Contains(pages, "fanbench.md") || !slices.Contains(pages, "fanbench_run.md") {
		t.Fatalf("genCLIDocs wrote %v, want fanbench.md and fanbench_run.md among them", pages)
	}
	const how = "make docs (go test ./cmd/fanbench -run TestCLIDocs -update)"
	if *update {
		if err := os.MkdirAll(cliDocsDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range mdFiles(t, cliDocsDir) {
		if slices.Contains(pages, name) {
			continue
		}
		if !*update {
			t.Errorf("docs/cli/%s documents a command that no longer exists; %s removes it", name, how)
			continue
		}
		if err := os.Remove(filepath.Join(cliDocsDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range pages {
		got, err := os.ReadFile(filepath.Join(gen, name))
		if err != nil {
			t.Fatal(err)
		}
		want := golden.Want(t, filepath.Join(cliDocsDir, name), got, *update, how)
		if !bytes.Equal(got, want) {
			t.Errorf("docs/cli/%s is out of date; %s rewrites it\n%s", name, how, firstDiff(want, got))
		}
	}
}

// mdFiles lists the .md files in dir, sorted; a missing dir has none.
func mdFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".md") {
			names = append(names, e.Name())
		}
	}
	return names
}

// firstDiff shows the first line where the page on disk and the generated
// one part.
func firstDiff(disk, generated []byte) string {
	d, g := strings.Split(string(disk), "\n"), strings.Split(string(generated), "\n")
	for i := range max(len(d), len(g)) {
		var dl, gl string
		if i < len(d) {
			dl = d[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if dl != gl {
			return fmt.Sprintf("line %d:\n  on disk:   %q\n  generated: %q", i+1, dl, gl)
		}
	}
	return fmt.Sprintf("%d lines on disk, %d generated", len(d), len(g))
}
