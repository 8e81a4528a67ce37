package draws

import "strings"

// Protocol headers. The harness's HTTP caller sets them on every request so
// a mock upstream draws the same behaviour for the same operation in every
// strategy.
const (
	// HeaderSeq carries the operation's sequence number, in decimal.
	HeaderSeq = "Fanbench-Seq"
	// HeaderAttempt carries the attempt of the call, in decimal: 0 for the
	// first try, 1 for the first retry, and so on.
	HeaderAttempt = "Fanbench-Attempt"
	// HeaderCall carries the call's ordinal among the operation's calls to
	// the upstream, in decimal, when it is above 0 (the copies of a
	// repeated call): it keys the draw with seq and attempt.
	HeaderCall = "Fanbench-Call"
	// HeaderUpstream names the upstream that answered, on every response.
	HeaderUpstream = "Fanbench-Upstream"
)

// ValidHeaderName reports whether name is an HTTP token (RFC 9110), the
// form a header's name must take.
func ValidHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r > 127 || !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}
