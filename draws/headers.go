package draws

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
