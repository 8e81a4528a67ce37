package scenarios_test

import (
	"errors"
	"flag"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/internal/golden"
	"github.com/fanbench/fanbench/scenarios"
)

// machineFree replaces the figures of this machine (its memory, the files
// a process may open, and what fits in them) in a message with …, so that
// the golden files hold on any machine.
func machineFree(msg string) string {
	for _, re := range machineFigures {
		msg = re.ReplaceAllString(msg, "${1}…${2}")
	}
	return msg
}

var machineFigures = []*regexp.Regexp{
	regexp.MustCompile(`(more than the )[0-9.]+ [KMGTPE]iB( of memory here)`),
	regexp.MustCompile(`(; at most )[0-9]+( fit| users here)`),
	regexp.MustCompile(`(more than the )[0-9]+( files this process may open)`),
}

var update = flag.Bool("update", false, "rewrite the golden files: testdata/malformed/*.golden and schema.json")

// TestMalformedGolden loads each file of testdata/malformed, one realistic
// mistake each, and compares the error text with the file's .golden
// neighbour (go test ./scenarios -run Malformed -update rewrites them).
func TestMalformedGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/malformed/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("testdata/malformed holds %d scenarios, want at least 30", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			t.Parallel()
			s, err := scenarios.Load(file)
			if err == nil {
				t.Fatalf("Load(%s) = %+v, nil; want an error", file, s)
			}
			if !errors.Is(err, scenarios.ErrInvalid) {
				t.Errorf("Load(%s) error %v does not match ErrInvalid", file, err)
			}
			got := machineFree(err.Error()) + "\n"
			goldenFile := strings.TrimSuffix(file, ".yaml") + ".golden"
			want := golden.Want(t, goldenFile, []byte(got), *update, "go test ./scenarios -run Malformed -update")
			if got != string(want) {
				t.Errorf("Load(%s) error:\n%s\nwant (%s):\n%s", file, got, goldenFile, want)
			}
		})
	}
}
