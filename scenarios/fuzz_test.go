package scenarios_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/scenarios"
)

// FuzzParse checks that no input makes Parse panic, and that every failure
// is an ErrInvalid naming the file.
func FuzzParse(f *testing.F) {
	for _, name := range scenarios.ExampleNames() {
		src, err := scenarios.ExampleSource(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	malformed, _ := filepath.Glob("testdata/malformed/*.yaml")
	files = append(files, malformed...)
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, s := range []string{
		"", "---\n---\n", "~", "[", "a: &a [*a]", "x: &x {<<: *x}", "name: \"\\u0000\"",
		"upstreams: {a: {mock: {errors: {0x1F7: 1%, 503: 2%}}}}",
		"load: {rate: 1e400/s, max_in_flight: 0b101}", "? [a]\n: b\n", "*a",
		"load: {model: closed, users: 3, think: {dist: uniform, min: 1ms, max: 2ms}, stages: [{duration: 1s, target: 5}]}",
		"load: {stages: [{duration: 1s, target: 5/s}, {target: x}], arrivals: poisson, on_cap: drop, warmup: 2s, operations: -1}",
		"receiver: {listen: \"[::]:9000\", url: http://h/cb, signature: {header: Acme-Signature, secret: s, tolerance: 1m}}\nupstreams: {a: {mock: {async: {mode: callback, header: X, secret: t}}}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenarios.Parse("f.yaml", data)
		if err == nil {
			if s == nil {
				t.Fatalf("Parse(%q) = nil, nil", data)
			}
			return
		}
		if s != nil {
			t.Fatalf("Parse(%q) returned a scenario with error %v", data, err)
		}
		if !errors.Is(err, scenarios.ErrInvalid) {
			t.Fatalf("Parse(%q) error %v does not match ErrInvalid", data, err)
		}
		for line := range strings.SplitSeq(err.Error(), "\n") {
			if !strings.HasPrefix(line, "f.yaml") {
				t.Fatalf("Parse(%q) error line %q does not name the file", data, line)
			}
		}
	})
}
