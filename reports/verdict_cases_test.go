package reports

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/fanbench/fanbench/internal/golden"
)

// TestVerdictCaseFiles writes each of verdictCases as a result file,
// testdata/verdict/NAME.json, for the renderers outside this package (the
// HTML report's tests read them) to pin their verdicts on the same runs;
// go test ./reports -update rewrites them.
func TestVerdictCaseFiles(t *testing.T) {
	t.Parallel()
	for _, c := range verdictCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.MarshalIndent(c.res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "verdict", c.name+".json")
			if want := golden.Want(t, path, got, *update, "go test ./reports -update"); !bytes.Equal(got, want) {
				t.Errorf("%s is not verdictCases' %s: rerun go test ./reports -update", path, c.name)
			}
		})
	}
}
