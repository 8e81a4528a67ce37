package draws

import (
	"errors"
	"fmt"
)

// FieldError is one problem of a config value. Field is the path of the
// field in its file spelling ("latency.max", "errors.503", "retry.attempts"),
// so that a loader can point at the line that holds it.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Problems gathers the FieldErrors of one validation, so that every problem
// is reported at once.
type Problems []error

// Add records a problem of field.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Err joins the problems with errors.Join; nil when there are none.
func (p Problems) Err() error { return errors.Join(p...) }

// FieldErrors lists the errors joined in err, in order; each is a
// *FieldError or, for anything else, the error itself.
func FieldErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
