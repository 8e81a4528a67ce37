// Package golden reads the golden files tests compare their output with,
// and rewrites them when the test runs with its -update flag. It is for
// tests only.
package golden

import (
	"os"
	"testing"
)

// Want returns the content of the golden file at path, after writing got
// into it when update is set. A missing file fails t, with how (the
// command that creates it) in the message.
func Want(t testing.TB, path string, got []byte, update bool, how string) []byte {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (%s creates it)", err, how)
	}
	return want
}
