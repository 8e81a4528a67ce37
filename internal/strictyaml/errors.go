package strictyaml

import (
	"cmp"
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalid is matched, with errors.Is, by every Error and Errors, so that
// a command can tell a bad file (exit code 2) from a failed run.
var ErrInvalid = errors.New("invalid file")

// Error is one problem in a file, located so that the user can go
// straight to it: the file, the line and column of the offending value (0
// when unknown) and the path of the field in the file's spelling, such as
// "upstreams.profile.mock.latency.max" or "operation.calls[1].upstream".
type Error struct {
	File         string
	Line, Column int
	Path         string
	Msg          string

	// Err is the cause, when there is one (a failed read).
	Err error
}

// Error formats the problem as FILE:LINE:COL: PATH: MSG, leaving out the
// parts that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			loc += ":" + strconv.Itoa(e.Column)
		}
		loc = strings.TrimPrefix(loc, ":")
	}
	if loc != "" {
		b.WriteString(loc)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the cause of the problem, such as fs.ErrNotExist, or nil.
func (e *Error) Unwrap() error { return e.Err }

// Errors is every problem found in one scenario: loading reports them all at
// once rather than one per attempt. It is never empty when returned.
type Errors []*Error

// Error prints one problem per line, in file order.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es.Sorted() {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Is reports whether target is ErrInvalid.
func (es Errors) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the problems, so errors.As finds an *Error.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

// sorted returns the problems ordered by line then column, keeping the
// order of discovery between problems at the same place.
func (es Errors) Sorted() Errors {
	s := slices.Clone(es)
	slices.SortStableFunc(s, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return s
}

// maxErrors bounds the list: past this many, more lines only bury the first.
const maxErrors = 100

// finish sorts the problems, drops repeats (a value reached through several
// aliases is reported once) and returns nil, untyped, when there are none.
func (es Errors) Finish() error {
	if len(es) == 0 {
		return nil
	}
	out := make(Errors, 0, len(es))
	seen := make(map[string]bool, len(es))
	for _, e := range es.Sorted() {
		key := e.Error()
		if seen[key] {
			continue
		}
		seen[key] = true
		if len(out) == maxErrors {
			out = append(out, &Error{File: e.File, Line: e.Line, Column: e.Column,
				Msg: "too many errors; fix the ones above first"})
			break
		}
		out = append(out, e)
	}
	return out
}

// unwrapPath drops the path a file error repeats, for a message that
// names the file already.
func UnwrapPath(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}
