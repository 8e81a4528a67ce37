package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/internal/specialfile"
)

func TestWriteFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup makes the folder's state and returns the path to write.
		setup func(t *testing.T, dir string) string
		// check looks at the folder after a write that succeeded.
		check   func(t *testing.T, dir string)
		wantErr string
	}{
		{
			name:  "new file",
			setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "r.json") },
			check: func(t *testing.T, dir string) {
				wantFile(t, filepath.Join(dir, "r.json"), "new", NewFileMode)
			},
		},
		{
			name: "keeps the mode of the file it replaces",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "r.json")
				mustWrite(t, p, "old", 0o600)
				return p
			},
			check: func(t *testing.T, dir string) { wantFile(t, filepath.Join(dir, "r.json"), "new", 0o600) },
		},
		{
			name: "writes through a symbolic link to its target",
			setup: func(t *testing.T, dir string) string {
				mustWrite(t, filepath.Join(dir, "real.json"), "old", 0o640)
				link := filepath.Join(dir, "link.json")
				if err := os.Symlink("real.json", link); err != nil {
					t.Fatal(err)
				}
				return link
			},
			check: func(t *testing.T, dir string) {
				wantFile(t, filepath.Join(dir, "real.json"), "new", 0o640)
				if fi, err := os.Lstat(filepath.Join(dir, "link.json")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("link.json is no longer a symbolic link: %v, %v", fi, err)
				}
			},
		},
		{
			name: "creates the target of a dangling link",
			setup: func(t *testing.T, dir string) string {
				link := filepath.Join(dir, "link.json")
				if err := os.Symlink(filepath.Join(dir, "later.json"), link); err != nil {
					t.Fatal(err)
				}
				return link
			},
			check: func(t *testing.T, dir string) { wantFile(t, filepath.Join(dir, "later.json"), "new", NewFileMode) },
		},
		{
			name:    "refuses a FIFO",
			setup:   func(t *testing.T, dir string) string { return specialfile.FIFO(t, dir, "fifo") },
			wantErr: "it is a FIFO, not a regular file",
		},
		{
			name:    "refuses a device",
			setup:   func(t *testing.T, dir string) string { return specialfile.NullDevice(t, dir, "null") },
			wantErr: "cannot write DIR/null: it is a device, not a regular file",
		},
		{
			name: "refuses a link to a device",
			setup: func(t *testing.T, dir string) string {
				link := filepath.Join(dir, "out")
				if err := os.Symlink(specialfile.NullDevice(t, dir, "null"), link); err != nil {
					t.Fatal(err)
				}
				return link
			},
			wantErr: "(a link to DIR/null): it is a device, not a regular file",
		},
		{
			name: "refuses a folder",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "sub")
				if err := os.Mkdir(p, 0o755); err != nil {
					t.Fatal(err)
				}
				return p
			},
			wantErr: "it is a folder, not a regular file",
		},
		{
			name:    "names the missing folder, not a temporary file",
			setup:   func(t *testing.T, dir string) string { return filepath.Join(dir, "missing", "r.json") },
			wantErr: "cannot create a file in " + "DIR" + "/missing: no such file or directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := tt.setup(t, dir)
			err := WriteFile(path, []byte("new"))
			want := strings.ReplaceAll(tt.wantErr, "DIR", dir)
			switch {
			case want == "" && err != nil:
				t.Fatalf("WriteFile(%s) = %v, want no error", path, err)
			case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
				t.Fatalf("WriteFile(%s) = %v, want an error containing %q", path, err, want)
			case want == "":
				tt.check(t, dir)
			}
			if err != nil && strings.Contains(err.Error(), ".tmp") {
				t.Errorf("the error names a temporary file: %v", err)
			}
			if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmps) > 0 {
				t.Errorf("temporary files left: %v", tmps)
			}
		})
	}
}

func TestWriteFileRemovesStaleTemporaryFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := time.Now().Add(-2 * StaleAfter)
	stale := filepath.Join(dir, ".result.json.12345.tmp") // a killed write's
	fresh := filepath.Join(dir, ".result.json.777.tmp")   // a write under way, just begun
	locked := filepath.Join(dir, ".report.html.42.tmp")   // a slow write under way
	foreign := filepath.Join(dir, ".cache.tmp")           // not ours
	for _, p := range []string{stale, fresh, locked, foreign} {
		mustWrite(t, p, "half", 0o600)
	}
	for _, p := range []string{stale, locked, foreign} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	held, err := os.Open(locked)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	lock(held)

	if err := WriteFile(filepath.Join(dir, "other.json"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{stale: false, fresh: true, locked: true, foreign: true} {
		_, err := os.Stat(p)
		if got := err == nil; got != want {
			t.Errorf("after a write, %s exists = %v, want %v", filepath.Base(p), got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "file"), "x", 0o644)
	for _, tt := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "r.json"), ""},
		{filepath.Join(dir, "file"), ""},
		{filepath.Join(dir, "missing", "r.json"), "the folder " + filepath.Join(dir, "missing") + " does not exist"},
		{filepath.Join(dir, "file", "r.json"), filepath.Join(dir, "file") + " is not a folder"},
		{dir, "it is a folder, not a regular file"},
	} {
		err := Check(tt.path)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Check(%s) = %v, want %q", tt.path, err, tt.want)
		}
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".*")); len(tmps) > 0 {
		t.Errorf("Check left files: %v", tmps)
	}
}

func TestCheckRefusesADevice(t *testing.T) {
	t.Parallel()
	dev := specialfile.NullDevice(t, t.TempDir(), "null")
	if err := Check(dev); err == nil || !strings.Contains(err.Error(), "cannot write "+dev+": it is a device, not a regular file") {
		t.Errorf("Check(%s) = %v, want it refused as a device", dev, err)
	}
}

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small"), filepath.Join(dir, "big")
	mustWrite(t, small, "12345", 0o644)
	mustWrite(t, big, strings.Repeat("x", 2048), 0o644)
	for _, tt := range []struct {
		path  string
		limit int64
		want  string
	}{
		{small, 5, ""},
		{big, 1024, big + " is 2 KiB; the limit is 1 KiB"},
		{"/dev/zero", 1024, "/dev/zero is larger than the limit of 1 KiB"},
		{dir, 1024, "is a directory"},
		{filepath.Join(dir, "missing"), 1024, "no such file"},
	} {
		data, err := ReadFile(tt.path, tt.limit)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ReadFile(%s, %d) = %v", tt.path, tt.limit, err)
		case tt.want == "" && string(data) != "12345":
			t.Errorf("ReadFile(%s, %d) = %q", tt.path, tt.limit, data)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ReadFile(%s, %d) = %v, want %q", tt.path, tt.limit, err, tt.want)
		}
	}
	var tl *TooLargeError
	if _, err := ReadFile(big, 10); !errors.As(err, &tl) || tl.Limit != 10 {
		t.Errorf("ReadFile over the limit: %v, want a *TooLargeError", err)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{100: "100 bytes", 4 << 20: "4 MiB", 50<<20 + 512<<10: "50.5 MiB", 1 << 30: "1 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func mustWrite(t *testing.T, path, data string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func wantFile(t *testing.T, path, data string, mode fs.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != data {
		t.Errorf("%s holds %q (%v), want %q", path, got, err, data)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
		t.Errorf("%s has mode %v (%v), want %v", path, fi.Mode().Perm(), err, mode)
	}
}
