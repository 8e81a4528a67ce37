package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// TooLargeError says that a file is larger than what fanbench reads of that
// kind of file.
type TooLargeError struct {
	Path  string
	Limit int64
	// Size is the file's size, when it is known (a regular file); 0 for a
	// device or a pipe, which was read up to the limit.
	Size int64
}

func (e *TooLargeError) Error() string {
	if e.Size > 0 && Size(e.Size) != Size(e.Limit) {
		return fmt.Sprintf("%s is %s; the limit is %s", e.Path, Size(e.Size), Size(e.Limit))
	}
	return fmt.Sprintf("%s is larger than the limit of %s", e.Path, Size(e.Limit))
}

// ErrFolder is the cause of an error about a path that is a folder where a
// file was expected.
var ErrFolder = errors.New("is a directory")

// ReadFile reads the file at path, refusing it with a *TooLargeError when it
// holds more than limit bytes: a regular file by its size, before reading;
// anything else (a device, a pipe) once limit bytes have been read.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf []byte
	if f.size > 0 {
		buf = make([]byte, 0, f.size+1)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// File is a file opened by Open: reading it fails with a *TooLargeError
// past its limit.
type File struct {
	f     *os.File
	r     io.Reader
	path  string
	limit int64
	size  int64 // of a regular file; 0 otherwise
	read  int64
}

// Open opens the file at path for reading at most limit bytes: a regular
// file larger than limit is refused at once; reading anything else fails
// once it has given more than limit bytes. A folder is refused (ErrFolder).
func Open(path string, limit int64) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	switch {
	case fi.IsDir():
		f.Close()
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrFolder}
	case fi.Mode().IsRegular() && fi.Size() > limit:
		f.Close()
		return nil, &TooLargeError{Path: path, Limit: limit, Size: fi.Size()}
	}
	out := &File{f: f, path: path, limit: limit}
	if fi.Mode().IsRegular() {
		out.size = fi.Size()
	}
	out.r = io.LimitReader(f, limit+1)
	return out, nil
}

// Read reads from the file; past the limit it fails with a *TooLargeError.
func (f *File) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	f.read += int64(n)
	if f.read > f.limit {
		over := f.read - f.limit
		return n - int(over), &TooLargeError{Path: f.path, Limit: f.limit, Size: f.size}
	}
	return n, err
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// Size formats a number of bytes for a message, in binary units with at
// most one decimal: "512 bytes", "4 MiB", "50.5 MiB".
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	v, i := float64(n), 0
	names := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	for v /= unit; v >= unit && i < len(names)-1; i++ {
		v /= unit
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0") + " " + names[i]
}
