package metrics

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fanbench/fanbench/internal/safefile"
)

// ErrNotResult marks a file that is not a fanbench result of this schema.
var ErrNotResult = errors.New("not a fanbench result file")

// MaxResultBytes bounds a result file, checked before it is read: a run of
// an hour holds a few megabytes (mostly its windows).
const MaxResultBytes = 256 << 20

// ReadResult reads a result file written by WriteResult, of at most
// MaxResultBytes (a larger one is a *safefile.TooLargeError), and checks
// it (see DecodeResult).
func ReadResult(path string) (*Result, error) {
	data, err := safefile.ReadFile(path, MaxResultBytes)
	if err != nil {
		return nil, err
	}
	return DecodeResult(path, data)
}

// DecodeResult parses a result file's content and checks that it agrees
// with itself (see Result.Check: an *InconsistentError names the fields
// that do not); name is used in errors.
func DecodeResult(name string, data []byte) (*Result, error) {
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrNotResult, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s: %w: schema is %q, want %q", name, ErrNotResult, r.Schema, Schema)
	}
	for _, s := range r.Strategies {
		for key, enc := range s.Histograms {
			if _, err := DecodeHistogram(enc); err != nil {
				return nil, fmt.Errorf("%s: strategy %s, histogram %s: %w: %v", name, s.Name, key, ErrNotResult, err)
			}
		}
		if err := checkWindows(s.Windows); err != nil {
			return nil, fmt.Errorf("%s: strategy %s: %w: %v", name, s.Name, ErrNotResult, err)
		}
	}
	if err := r.Check(name); err != nil {
		return nil, err
	}
	return &r, nil
}

// WriteResult writes r as indented JSON to path atomically: to a temporary
// file in the same folder, synced, then renamed over path, so a reader never
// sees half a file and an old result is never lost to a failed write.
func WriteResult(path string, r *Result) (err error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding result: %w", err)
	}
	return WriteFileAtomic(path, append(data, '\n'))
}

// WriteFileAtomic writes data to path through a temporary file and a
// rename (see safefile.WriteFile: symbolic links are followed, an existing
// file keeps its mode, a target that is not a regular file is refused).
func WriteFileAtomic(path string, data []byte) error {
	return safefile.WriteFile(path, data)
}
