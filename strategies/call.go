package strategies

import (
	"errors"
	"net/http"
	"time"

	"github.com/fanbench/fanbench/calltemplate"
)

// Call is one call of an operation, prepared once per run.
type Call struct {
	// Index is the call's position in the operation; with the seq it makes
	// the call's idempotency key.
	Index int
	// Upstream is the upstream's name; UpstreamIndex its position in the
	// run's list of upstreams, which is how results are recorded.
	Upstream      string
	UpstreamIndex int
	// Ordinal is the call's rank among the operation's calls to its
	// upstream, from 0: a repeated call's copies (a wide fan-out to one
	// upstream's shards) draw apart at a mock by it. It is sent only when
	// above 0, so the first call to each upstream draws as it always has.
	Ordinal uint32
	// OrdinalHeader is Ordinal as the Fanbench-Call header's value, made
	// once; nil for ordinal 0.
	OrdinalHeader []string
	Method        string
	// BaseURL is the upstream's scheme and host, such as http://127.0.0.1:41234.
	BaseURL string
	// Path, the values of Headers and Body are templates of the
	// operation's fields (see package calltemplate).
	Path    calltemplate.Template
	Headers []Header
	// Body is sent with the request; none when it is empty.
	Body calltemplate.Template
	// ContentType is the body's Content-Type, unless Headers set one.
	ContentType string
	// Critical: the operation fails when this call fails.
	Critical bool
	// Completion makes the call asynchronous: a 202 is followed by a wait
	// for its completion (see CompletionCaller); nil for a plain call.
	Completion *Completion
	// Compensation undoes this call (a refund after a payment): the
	// strategy sends it when the operation fails after this call
	// succeeded. nil when nothing undoes it. Its Index is past the
	// operation's calls, so its idempotency key is its own.
	Compensation *Call
}

// URL returns the call's URL for operation seq.
func (c *Call) URL(seq uint64) string {
	return string(c.Path.Append([]byte(c.BaseURL), seq))
}

// Header is a request header whose value is a template. A static value is
// kept ready as the []string net/http wants, shared by every request.
type Header struct {
	// Key is the header's name as sent: canonical, or as Transport needs it
	// (see idempotencyKeyWire).
	Key    string
	Value  calltemplate.Template
	static []string
}

// NewHeader prepares a header for calls.
func NewHeader(name string, value calltemplate.Template) Header {
	h := Header{Key: http.CanonicalHeaderKey(name), Value: value}
	if h.Key == http.CanonicalHeaderKey(idempotencyKeyWire) {
		h.Key = idempotencyKeyWire // keep the request non-replayable
	}
	if value.Static() {
		h.static = []string{value.Expand(0)}
	}
	return h
}

// values returns the header's value for operation seq.
func (h *Header) values(seq uint64) []string {
	if h.static != nil {
		return h.static
	}
	return []string{h.Value.Expand(seq)}
}

// CallResult is what became of one call.
type CallResult struct {
	// Status is the HTTP status of the final answer; 0 when there was none.
	Status int
	// Failure says why there was no answer, when Status is 0.
	Failure Failure
	// Err is the underlying error, when there was one.
	Err error
	// Attempts is how many tries the call took.
	Attempts int
	// Latency runs from sending the first attempt to having read the final
	// answer's body (backoff and limiter waits included).
	Latency time.Duration
	// Got429 counts the attempts answered 429; TooEarly those of them that
	// were retries sent before an earlier Retry-After had passed.
	Got429   int
	TooEarly int
	// LimiterWait is the time the call waited for client-side rate-limit
	// tokens.
	LimiterWait time.Duration
	// ConnWait is the time its attempts waited for a connection at the
	// upstream's max_conns (part of Latency).
	ConnWait time.Duration
	// Queued: the call went through a queue and waited QueueWait in it
	// before a worker took it (pooled).
	Queued    bool
	QueueWait time.Duration
	// Hedged: a hedge (second attempt) was sent; HedgeWon: the hedge's
	// answer was the one taken.
	Hedged, HedgeWon bool
	// Wasted: the call completed, or was cancelled, after its operation's
	// fate was already known (a critical sibling had failed).
	Wasted bool
	// Accepted is the latency of the 202 Accepted of an asynchronous
	// call (Completion set), beside Latency, which runs until its
	// completion; 0 when no 202 came.
	Accepted time.Duration
	// Polls counts the status requests of a poll-mode call, retries
	// included: they are requests to its upstream too.
	Polls int
	// Location is the Location header of a 202 answer, where a poll-mode
	// call asks for its completion; empty for other answers.
	Location string
	// AttemptLatency holds the latency of each HTTP request the call made,
	// from sending it to having read its answer, in the order they ended
	// (a hedge's after the first request's), the first
	// MaxAttemptLatencies of them: the upstream's own latency, without the
	// backoffs and waits that Latency includes. Held in the result so that
	// recording them allocates nothing.
	AttemptLatency [MaxAttemptLatencies]time.Duration
	// Phases is where the time of the request whose answer the call took
	// went (its last attempt, or the hedge that won), when traced
	// (HTTPOptions.Breakdown); nil otherwise. A pointer, so that a
	// result costs 8 bytes more when nothing is traced, not 48: results
	// are copied on every call.
	Phases *Phases
}

// MaxAttemptLatencies is how many attempts of one call have their latency
// kept; the attempts past it are still counted in Attempts.
const MaxAttemptLatencies = 8

// AttemptLatencies returns the latencies kept of the call's attempts.
func (r *CallResult) AttemptLatencies() []time.Duration {
	return r.AttemptLatency[:min(max(r.Attempts, 0), MaxAttemptLatencies)]
}

// Made reports whether the call was made at all, or at least tried: it has
// an answer or a failure. The zero CallResult stands for a call not made.
func (r *CallResult) Made() bool { return r.Status != 0 || r.Failure != NoFailure }

// OK reports whether the call succeeded: a 2xx answer.
func (r *CallResult) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Failure is the kind of a call that got no HTTP answer.
type Failure uint8

// Failure kinds. Their names, by index, are FailureNames.
const (
	NoFailure Failure = iota
	// FailureTimeout: the call's deadline passed.
	FailureTimeout
	// FailureCanceled: the run was stopped while the call was in flight.
	FailureCanceled
	// FailureRefused: the upstream refused the connection.
	FailureRefused
	// FailureReset: the connection was reset, or closed in the middle of
	// an answer.
	FailureReset
	// FailureTransport: any other error of the HTTP transport.
	FailureTransport
	// FailureBreakerOpen: the upstream's circuit breaker refused the call.
	FailureBreakerOpen
	// FailureLimited: the client-side rate limit would have made the call
	// wait past its bound.
	FailureLimited
	// FailureSkipped: the call was not made, because a critical call
	// before it had failed (sequential with stop_on_critical_failure).
	FailureSkipped
	// FailureRejected: a full queue refused the call (when_full: reject).
	FailureRejected
	// FailureGivenUp: the operation had what it waited for (fanout's
	// wait_for) and cancelled the call, still in flight. It does not fail
	// the operation.
	FailureGivenUp
	// FailureIncomplete: an asynchronous call was accepted (202) but its
	// completion did not come by its deadline: a lost callback, a poll
	// that never ends.
	FailureIncomplete
	// FailureDeadLetter: the broker gave up delivering the call's message
	// (delivered max_deliver times and never acknowledged), so the call
	// was never made to completion.
	FailureDeadLetter
	// FailureTLS: the TLS handshake failed: a certificate that does not
	// verify (unknown authority, wrong name, expired), or a server that
	// does not speak TLS.
	FailureTLS
	// FailureProtocol: the answer was not valid HTTP (a malformed status
	// line, headers or length).
	FailureProtocol
	// FailureEmpty: the connection was closed without a byte of answer.
	FailureEmpty
)

// FailureNames are the names of the Failure kinds, indexed by Failure, as
// they appear in results.
var FailureNames = []string{"none", "timeout", "canceled", "refused", "reset", "transport", "breaker_open", "limited", "skipped", "rejected",
	"given_up", "incomplete", "dead_letter", "tls", "protocol", "empty"}

// Errors of calls a strategy ended without sending them.
var (
	// ErrSkipped is the Err of a call skipped after a critical failure.
	ErrSkipped = errors.New("skipped after a critical call failed")
	// ErrRejected is the Err of a call a full queue refused.
	ErrRejected = errors.New("queue full: call rejected")
	// ErrDeadLettered is the Err of a call whose message the broker
	// dead-lettered.
	ErrDeadLettered = errors.New("dead-lettered: delivered max_deliver times, never acknowledged")
)

// String returns the failure's name.
func (f Failure) String() string {
	if int(f) < len(FailureNames) {
		return FailureNames[f]
	}
	return "unknown"
}
