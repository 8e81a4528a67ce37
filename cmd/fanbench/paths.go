package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/fanbench/fanbench/internal/safefile"
)

// stdoutPath names stdout where an output file is expected: --out - prints
// the result file instead of the table.
const stdoutPath = "-"

// errBadPath marks a file a command was given that it cannot use (an output
// that is an input, or that cannot be written): exit code 2, found before
// any work is done.
var errBadPath = errors.New("bad path")

// badPath is an error that matches errBadPath without saying so.
type badPath struct{ msg string }

func (e badPath) Error() string        { return e.msg }
func (e badPath) Is(target error) bool { return target == errBadPath }

func badPathf(format string, args ...any) error { return badPath{fmt.Sprintf(format, args...)} }

// errWrite marks an output that could not be written after the work was
// done: exit code 3, whatever the cause (a folder removed during the run
// is not bad usage).
var errWrite = errors.New("write failed")

// writeFailure is an error that matches errWrite, and its cause.
type writeFailure struct{ err error }

func (e writeFailure) Error() string        { return e.err.Error() }
func (e writeFailure) Unwrap() error        { return e.err }
func (e writeFailure) Is(target error) bool { return target == errWrite }

// fileUse is a file a command reads or writes, with what named it: a flag
// ("--out") or a role ("the scenario file").
type fileUse struct {
	name, path string
	output     bool
}

func input(name, path string) fileUse  { return fileUse{name: name, path: path} }
func output(name, path string) fileUse { return fileUse{name: name, path: path, output: true} }

// checkFiles refuses, before any work is done, what would destroy a file or
// fail only at the end: an output that is one of the inputs or another
// output (compared as resolved paths, through symbolic links, and as files,
// so a hard link counts), and an output that cannot be written (its folder
// missing or read-only, or its target not a regular file; see
// safefile.Check). Uses with an empty path are skipped. Every problem is
// reported, each matching errBadPath.
func checkFiles(uses []fileUse) error {
	type known struct {
		use fileUse
		id  fileID
	}
	var seen []known
	var errs []error
	for _, u := range uses {
		if u.path == "" {
			continue
		}
		id := identify(u)
		clash := false
		for _, k := range seen {
			if !id.same(k.id) {
				continue
			}
			switch {
			case u.output && k.use.output:
				errs = append(errs, badPathf("%s and %s both write %s; give each output its own file", k.use.name, u.name, u.path))
			case u.output:
				errs = append(errs, collision(u, k.use))
			case k.use.output:
				errs = append(errs, collision(k.use, u))
			default:
				continue // one file read twice is fine
			}
			clash = true
			break
		}
		if u.output && !clash && u.path != stdoutPath {
			if err := safefile.Check(u.path); err != nil {
				hint := ""
				if strings.HasPrefix(u.path, "/dev/") || strings.HasPrefix(u.path, "/proc/") {
					hint = " (- prints it on stdout)"
				}
				errs = append(errs, badPathf("%s: %v%s", u.name, err, hint))
			}
		}
		seen = append(seen, known{u, id})
	}
	return errors.Join(errs...)
}

// collision is the error about an output that is an input.
func collision(out, in fileUse) error {
	what := in.name
	if in.path != out.path {
		what += " " + in.path
	}
	return badPathf("%s %s is %s, which this command reads: writing it would destroy it; write the output elsewhere",
		out.name, out.path, what)
}

// fileID is what tells two paths apart: the stream for "-", the resolved
// path (the folder through its symbolic links, the file through its own),
// and the file itself when it exists.
type fileID struct {
	stream string // "stdout" or "stdin" for "-"; "" for a file
	path   string
	fi     fs.FileInfo
}

func identify(u fileUse) fileID {
	if u.path == stdoutPath {
		if u.output {
			return fileID{stream: "stdout"}
		}
		return fileID{stream: "stdin"}
	}
	abs, err := filepath.Abs(u.path)
	if err != nil {
		abs = filepath.Clean(u.path)
	}
	target, fi, err := safefile.Target(abs)
	if err != nil {
		return fileID{path: abs}
	}
	dir, base := filepath.Split(target)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return fileID{path: filepath.Join(dir, base), fi: fi}
}

func (a fileID) same(b fileID) bool {
	switch {
	case a.stream != "" || b.stream != "":
		return a.stream == b.stream
	case a.path == b.path:
		return true
	}
	return a.fi != nil && b.fi != nil && os.SameFile(a.fi, b.fi)
}

// writeTo writes data to path atomically, or to stdout for "-".
func writeTo(stdout io.Writer, path string, data []byte) error {
	if path == stdoutPath {
		_, err := stdout.Write(data)
		return err
	}
	return safefile.WriteFile(path, data)
}
