package strategies

import (
	"fmt"

	"github.com/fanbench/fanbench/internal/suggest"
)

// WhenFull is what a full queue (a pool's, a broker's) does to a new call.
type WhenFull string

const (
	// WhenFullBlock makes the call wait for room: backpressure, the wait
	// part of the latency. It is the default.
	WhenFullBlock WhenFull = "block"
	// WhenFullReject fails the call at once as FailureRejected, unsent.
	WhenFullReject WhenFull = "reject"
)

// WhenFulls lists the behaviours, the default first.
var WhenFulls = []string{string(WhenFullBlock), string(WhenFullReject)}

// Rejects reports whether a full queue refuses the call.
func (w WhenFull) Rejects() bool { return w == WhenFullReject }

// check returns the problem of an unknown behaviour, or "".
func (w WhenFull) check() string {
	switch w {
	case "", WhenFullBlock, WhenFullReject:
		return ""
	}
	return fmt.Sprintf("unknown behaviour %q%s", string(w), suggest.Choices(string(w), "allowed", WhenFulls))
}
