package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// NewFileMode is the mode of a file WriteFile creates; a file it replaces
// keeps its own.
const NewFileMode fs.FileMode = 0o644

// StaleAfter is how old a temporary file left by a write must be, and not
// locked by a live writer, for a later write to the same folder to remove it.
const StaleAfter = time.Minute

// maxLinks bounds the symbolic links followed to a target, as the kernel does.
const maxLinks = 40

// ErrNotRegular is the cause of an error about a target that exists but is
// not a regular file: a device, a FIFO, a socket or a folder.
var ErrNotRegular = errors.New("not a regular file")

// Target returns the file that writing path would replace: path itself, or
// the file a symbolic link at path points to (followed to the end, even
// when the last link dangles), and that file's information (nil when it
// does not exist yet).
func Target(path string) (string, fs.FileInfo, error) {
	p := path
	for range maxLinks {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return p, nil, nil // the folder's problem, if any, is said later
		}
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return p, fi, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", nil, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(p), link)
		}
		p = link
	}
	return "", nil, &fs.PathError{Op: "write", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// Check reports whether WriteFile could write path: its target (through
// symbolic links) is a regular file or does not exist, and its folder exists
// and a file can be created in it. It creates and removes a file to find out.
func Check(path string) error {
	target, fi, err := Target(path)
	if err != nil {
		return cannot(path, err)
	}
	if fi != nil && !fi.Mode().IsRegular() {
		return notRegular(path, target, fi)
	}
	dir := filepath.Dir(target)
	di, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cannot(path, fmt.Errorf("the folder %s does not exist", dir))
	case err != nil:
		return cannot(path, fmt.Errorf("the folder %s: %w", dir, unwrapPath(err)))
	case !di.IsDir():
		return cannot(path, fmt.Errorf("%s is not a folder", dir))
	}
	probe, err := os.CreateTemp(dir, ".fanbench-check.*.tmp")
	if err != nil {
		return cannot(path, fmt.Errorf("cannot create a file in %s: %w", dir, unwrapPath(err)))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// cannot is the error about a path that cannot be written, for cause.
func cannot(path string, cause error) error {
	return fmt.Errorf("cannot write %s: %w", path, cause)
}

// WriteFile writes data to path atomically: to a temporary file in the
// same folder, synced, then renamed over the target, so that a reader never
// sees half a file and a failed write leaves the old file whole. A symbolic
// link at path is followed and its target replaced (the link stays); an
// existing file keeps its mode (and, when the process may, its owner); a new
// one gets NewFileMode. A target that is not a regular file is refused with
// ErrNotRegular. Temporary files that killed writes left in the folder are
// removed first (see StaleAfter). Errors name path, never the temporary file.
func WriteFile(path string, data []byte) (err error) {
	target, fi, err := Target(path)
	if err != nil {
		return cannot(path, err)
	}
	if fi != nil && !fi.Mode().IsRegular() {
		return notRegular(path, target, fi)
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	cleanStale(dir, time.Now())
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return cannot(path, fmt.Errorf("cannot create a file in %s: %w", filepath.Clean(dir), unwrapPath(err)))
	}
	lock(tmp) // tells cleanStale in another process that this one is alive
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return cannot(path, unwrapPath(err))
	}
	if err = tmp.Sync(); err != nil {
		return cannot(path, unwrapPath(err))
	}
	mode := NewFileMode
	if fi != nil {
		mode = fi.Mode().Perm()
		keepOwner(tmp, fi)
	}
	if err = tmp.Chmod(mode); err != nil {
		return cannot(path, unwrapPath(err))
	}
	if err = tmp.Close(); err != nil {
		return cannot(path, unwrapPath(err))
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return cannot(path, fmt.Errorf("replacing it: %w", unwrapRename(err)))
	}
	return nil
}

// notRegular is the error about a target that is not a regular file.
func notRegular(path, target string, fi fs.FileInfo) error {
	what := "a special file"
	switch m := fi.Mode(); {
	case m.IsDir():
		what = "a folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	at := path
	if target != path {
		at = fmt.Sprintf("%s (a link to %s)", path, target)
	}
	return fmt.Errorf("cannot write %s: it is %s, %w; fanbench writes only regular files", at, what, ErrNotRegular)
}

// tempName matches the temporary files WriteFile creates: ".NAME.DIGITS.tmp".
var tempName = regexp.MustCompile(`^\..+\.[0-9]+\.tmp$`)

// cleanStale removes the temporary files of writes that were killed before
// they renamed them: those last modified over StaleAfter ago that no live
// process holds locked. A folder that cannot be read is left alone; the
// write that follows says what is wrong with it.
func cleanStale(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".tmp") || !tempName.MatchString(name) {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < StaleAfter {
			continue
		}
		p := filepath.Join(dir, name)
		if unlocked(p) {
			_ = os.Remove(p)
		}
	}
}

// unwrapPath drops the path an error repeats (the message names the file
// already), keeping the cause.
func unwrapPath(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}

// unwrapRename drops the two paths of a rename error (one is the temporary
// file's), keeping the cause.
func unwrapRename(err error) error {
	if le, ok := errors.AsType[*os.LinkError](err); ok {
		return le.Err
	}
	return err
}
