package reports

import (
	"bytes"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fanbench/fanbench/internal/golden"
	"github.com/fanbench/fanbench/metrics"
)

// TestRenderersGolden renders each test result with each renderer and
// compares with testdata/golden/RESULT.EXT; go test ./reports -update
// rewrites them (read the diff before committing).
func TestRenderersGolden(t *testing.T) {
	t.Parallel()
	renderers := []struct {
		ext    string
		render func(io.Writer, *metrics.Result) error
	}{
		{"table.txt", func(w io.Writer, r *metrics.Result) error { return Table(w, r, TableOptions{}) }},
		{"wide.txt", func(w io.Writer, r *metrics.Result) error { return Table(w, r, TableOptions{Wide: true}) }},
		{"md", Markdown},
		{"csv", CSV},
	}
	results := testResults(t)
	for _, c := range verdictCases() { // the verdict's four cases, in every format
		results["verdict-"+c.name] = c.res
	}
	for _, name := range slices.Sorted(maps.Keys(results)) {
		for _, rd := range renderers {
			t.Run(name+"."+rd.ext, func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				if err := rd.render(&buf, results[name]); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", "golden", name+"."+rd.ext)
				want := golden.Want(t, path, buf.Bytes(), *update, "go test ./reports -update")
				if !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("rendering %s as %s differs from %s (rerun with -update if the change is intended)\n got:\n%s\nwant:\n%s",
						name, rd.ext, path, &buf, want)
				}
			})
		}
	}
}
