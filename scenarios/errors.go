package scenarios

import "github.com/fanbench/fanbench/internal/strictyaml"

// ErrInvalid is matched, with errors.Is, by every error that Load, Parse,
// Example and ExampleSource return, so that a command can tell a bad
// scenario (exit code 2) from a failed run.
var ErrInvalid = strictyaml.ErrInvalid

// Error is one problem in a scenario file, located so that the user can go
// straight to it: the file, the line and column of the offending value (0
// when unknown) and the path of the field in the file's spelling, such as
// "upstreams.profile.mock.latency.max" or "operation.calls[1].upstream".
type Error = strictyaml.Error

// Errors is every problem found in one scenario: loading reports them all at
// once rather than one per attempt. It is never empty when returned.
type Errors = strictyaml.Errors
