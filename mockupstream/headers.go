package mockupstream

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/fanbench/fanbench/draws"
)

// headerError is a malformed protocol header. The server answers it with
// 400 and this message, which names the header and the allowed values.
type headerError struct {
	Header string // draws.HeaderSeq or draws.HeaderAttempt
	Value  string // as received, cut to 64 bytes
	Msg    string
}

func (e *headerError) Error() string {
	return fmt.Sprintf("header %s: %q %s", e.Header, e.Value, e.Msg)
}

// parseHeaders reads the seq, attempt and call ordinal of a request.
// hasSeq is false when the request carries no Fanbench-Seq (a plain curl or
// vegeta request); a missing Fanbench-Attempt means attempt 0, a missing
// Fanbench-Call ordinal 0. A header that is present must be
// one decimal number in range: guessing at a malformed one would silently
// unpair the draws.
func parseHeaders(h http.Header) (seq uint64, attempt, ordinal uint32, hasSeq bool, err error) {
	// Both names are canonical, so indexing the map skips canonicalization.
	if v, ok := h[draws.HeaderSeq]; ok {
		s, err := one(draws.HeaderSeq, v)
		if err != nil {
			return 0, 0, 0, false, err
		}
		seq, err = strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, 0, false, &headerError{Header: draws.HeaderSeq, Value: cut(s), Msg: "is not a decimal number from 0 to 18446744073709551615"}
		}
		hasSeq = true
	}
	if v, ok := h[draws.HeaderAttempt]; ok {
		s, err := one(draws.HeaderAttempt, v)
		if err != nil {
			return 0, 0, 0, false, err
		}
		a, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return 0, 0, 0, false, &headerError{Header: draws.HeaderAttempt, Value: cut(s), Msg: "is not a decimal number from 0 to 4294967295"}
		}
		attempt = uint32(a)
	}
	if v, ok := h[draws.HeaderCall]; ok {
		s, err := one(draws.HeaderCall, v)
		if err != nil {
			return 0, 0, 0, false, err
		}
		o, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return 0, 0, 0, false, &headerError{Header: draws.HeaderCall, Value: cut(s), Msg: "is not a decimal number from 0 to 4294967295"}
		}
		ordinal = uint32(o)
	}
	return seq, attempt, ordinal, hasSeq, nil
}

func one(name string, v []string) (string, error) {
	if len(v) != 1 {
		return "", &headerError{Header: name, Value: cut(fmt.Sprint(v)), Msg: fmt.Sprintf("is given %d times; send it once", len(v))}
	}
	return v[0], nil
}

func cut(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}
