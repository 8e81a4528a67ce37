package metrics

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Outcome is the fate of one operation.
type Outcome uint8

// Outcomes, in the order the result file lists them.
const (
	// OutcomeOK: every call succeeded.
	OutcomeOK Outcome = iota
	// OutcomePartial: only non-critical calls failed.
	OutcomePartial
	// OutcomeFailed: a critical call failed.
	OutcomeFailed
	numOutcomes
)

// String returns the outcome's name in the result file.
func (o Outcome) String() string {
	switch o {
	case OutcomeOK:
		return "ok"
	case OutcomePartial:
		return "partial"
	case OutcomeFailed:
		return "failed"
	}
	return "unknown"
}

// maxStatus bounds the HTTP statuses counted one by one; anything else is
// counted as 0 ("no status").
const maxStatus = 600

// Layout names what a Recorder counts: the upstreams, in the order the
// caller indexes them, and the kinds of call failure that have no HTTP
// status (timeout, reset, …), also by index. The metrics package knows no
// HTTP; the runner supplies the names.
type Layout struct {
	Upstreams []string
	Failures  []string
	// CallsPerOperation is how many calls one operation makes: the
	// minimum of upstream requests per operation, against which
	// amplification is measured.
	CallsPerOperation int
	// Windows, when set, receives the recorders' per-second windows
	// (RecordWindow); shared by every recorder of a strategy.
	Windows *Windows
	// Live, when set, also receives what the recorders record, readable
	// while they run (see Live); shared by every recorder of a strategy.
	Live *Live
}

// Recorder holds what one worker measured. It is not safe for concurrent
// use: give each worker its own and Merge them at the end. Recording
// allocates nothing.
type Recorder struct {
	layout Layout
	// Latency is operation latency, from the intended start
	// (coordinated-omission corrected).
	Latency *Histogram
	// Service is the service time, from the moment the operation actually
	// started.
	Service *Histogram
	// Lag is how late operations started: actual start − intended start.
	Lag *Histogram
	// Overhead is the harness overhead: measured latency − the ideal latency
	// the upstreams' paired draws imply. Only recorded when the ideal is known.
	Overhead *Histogram
	Outcomes [numOutcomes]uint64
	// LateStarts counts operations that started more than LateStart after
	// their intended start.
	LateStarts uint64
	Upstreams  []*UpstreamRecorder
	// Compensations counts the compensating calls sent and those that
	// failed; the calls themselves are recorded with RecordCall, under
	// their upstream, like any call.
	Compensations struct{ Sent, Failed uint64 }
	// GoodEnough counts the operations that completed with calls given up
	// (a fan-out that waits for some of its calls), GivenUp those calls.
	GoodEnough, GivenUp uint64
	// Delivery is the delivery latency of queued operations: from the
	// intended start to the last call delivered.
	Delivery *Histogram
	// Delivered counts the queued operations whose calls were all
	// delivered; Redeliveries the messages delivered again after a
	// consumer died holding them.
	Delivered, Redeliveries uint64
	// windows holds the recorder's current seconds; nil without
	// Layout.Windows.
	windows *windowShard
	tail    tailCounts
	// live is the recorder's shard of Layout.Live; nil without it.
	live *liveShard
}

// LateStart is how late an operation may start before it counts in
// LateStarts: past it, the generator, not the strategy, shapes the latency.
const LateStart = time.Millisecond

// LateShare is the share of operations, in percent, that may start over
// LateStart late before a run says its generator fell behind.
const LateShare = 1

// FellBehind reports whether more than LateShare percent of n operations
// started late: the rule of the run's warning, for a whole strategy or for
// one second of it.
func FellBehind(late, n uint64) bool { return n > 0 && late*100 > LateShare*n }

// UpstreamRecorder holds what was measured of the calls to one upstream.
type UpstreamRecorder struct {
	Latency  *Histogram
	Calls    uint64
	Attempts uint64
	// Retries counts the attempts after each call's first, its hedge's
	// first excepted (a hedge is counted in Hedges, not as a retry).
	Retries uint64
	// Got429 counts the attempts answered 429; TooEarly those of them that
	// were retries sent before an earlier Retry-After had passed.
	Got429   uint64
	TooEarly uint64
	// LimiterWait is each call's wait for client-side rate-limit tokens,
	// recorded for every call (0 when it did not wait), so its percentiles
	// are over all calls; Waited counts the calls that waited at all.
	LimiterWait *Histogram
	Waited      uint64
	// ConnWait is each call's wait for a connection at the upstream's
	// max_conns, recorded for every call as LimiterWait is; ConnWaited
	// counts the calls that waited at all.
	ConnWait   *Histogram
	ConnWaited uint64
	// QueueWait is each queued call's wait for a worker (pooled); Queued
	// counts the calls that went through the queue.
	QueueWait *Histogram
	Queued    uint64
	// Hedges counts the calls that sent a hedge; HedgesWon those whose
	// hedge answered first.
	Hedges, HedgesWon uint64
	// Wasted counts the calls that ended after their operation's fate was
	// known.
	Wasted uint64
	// AttemptLatency is the latency of each HTTP request, retries and
	// hedges included: the upstream as the client saw it, without the
	// backoffs and waits of the call latency.
	AttemptLatency *Histogram
	// Accepted is the latency of the 202s of asynchronous calls, whose
	// Latency runs to their completion; Polls counts their status
	// requests.
	Accepted *Histogram
	Polls    uint64
	// Statuses counts answers by HTTP status; index 0 counts calls that got
	// no answer (see Failures).
	Statuses [maxStatus]uint64
	// Failures counts calls that got no answer, by Layout.Failures index;
	// FirstErrors holds the text of the first error of each kind (""
	// until one comes), so that a result says what a failure was.
	Failures    []uint64
	FirstErrors []string
	// phases is where the traced calls' time went (CallSample.Phases).
	phases phaseRecorder
}

// NewRecorder returns an empty recorder for the layout.
func NewRecorder(l Layout) *Recorder {
	r := &Recorder{
		layout:    l,
		Latency:   NewHistogram(),
		Service:   NewHistogram(),
		Lag:       NewHistogram(),
		Overhead:  NewHistogram(),
		Delivery:  NewHistogram(),
		Upstreams: make([]*UpstreamRecorder, len(l.Upstreams)),
	}
	if l.Windows != nil {
		r.windows = newWindowShard(l.Windows)
	}
	if l.Live != nil {
		r.live = l.Live.shard(l)
	}
	for i := range r.Upstreams {
		r.Upstreams[i] = &UpstreamRecorder{Latency: NewHistogram(), LimiterWait: NewHistogram(), ConnWait: NewHistogram(), QueueWait: NewHistogram(),
			AttemptLatency: NewHistogram(), Accepted: NewHistogram(), phases: newPhaseRecorder(),
			Failures: make([]uint64, len(l.Failures)), FirstErrors: make([]string, len(l.Failures))}
	}
	return r
}

// Layout returns the layout the recorder was made with.
func (r *Recorder) Layout() Layout { return r.layout }

// RecordOperation records one finished operation: its outcome, its latency
// from the intended start, its service time and its schedule lag (actual −
// intended start). genLag is the part of the lag that is the generator's
// own: the lag less any wait for a slot at the in-flight cap, which is the
// system pushing back, not the generator falling behind. Only genLag counts
// toward LateStarts; lag goes in the schedule-lag histogram.
func (r *Recorder) RecordOperation(o Outcome, latency, service, lag, genLag time.Duration) {
	if o < numOutcomes {
		r.Outcomes[o]++
	}
	r.Latency.Record(latency)
	r.Service.Record(service)
	r.Lag.Record(lag)
	if genLag > LateStart {
		r.LateStarts++
	}
	if r.live != nil {
		r.live.operation(o, latency, service, lag)
	}
}

// RecordOverhead records one operation's harness overhead: its measured
// latency minus its ideal latency. A negative overhead (the operation beat
// its ideal, which only clock granularity explains) is recorded as 0.
func (r *Recorder) RecordOverhead(d time.Duration) {
	r.Overhead.Record(max(d, 0))
}

// CallSample is one finished call, as RecordCall takes it.
type CallSample struct {
	// Upstream is a Layout.Upstreams index.
	Upstream int
	// Status is the final HTTP status; 0 when the call got none, and then
	// Failure is a Layout.Failures index.
	Status  int
	Failure int
	// Attempts is how many tries the call took (0 when a policy refused it
	// before any, such as an open breaker).
	Attempts int
	// Latency runs from the first attempt to the final answer.
	Latency time.Duration
	// Got429 counts the attempts answered 429, TooEarly those of them sent
	// before an earlier Retry-After had passed.
	Got429, TooEarly int
	// LimiterWait is the time spent waiting for rate-limit tokens.
	LimiterWait time.Duration
	// ConnWait is the time spent waiting for a connection (max_conns).
	ConnWait time.Duration
	// Queued: the call waited QueueWait in a queue for a worker.
	Queued    bool
	QueueWait time.Duration
	// Hedged: the call sent a hedge; HedgeWon: the hedge answered first.
	Hedged, HedgeWon bool
	// Wasted: the call ended after its operation's fate was known.
	Wasted bool
	// Accepted is the latency of an asynchronous call's 202 (0 when
	// none); Polls counts its status requests.
	Accepted time.Duration
	Polls    int
	// AttemptLatencies are the latencies of the call's HTTP requests (the
	// first few), each recorded in the upstream's attempt histogram.
	AttemptLatencies []time.Duration
	// Phases is where the time of the request whose answer the call took
	// went, when it was traced.
	Phases Phases
	// Err is the error of a call that got no answer; the first of each
	// kind is kept (UpstreamRecorder.FirstErrors).
	Err error
}

// RecordCall records one call. It does not allocate.
func (r *Recorder) RecordCall(c CallSample) {
	u := r.Upstreams[c.Upstream]
	if r.live != nil {
		r.live.call(&c)
	}
	u.Calls++
	u.Attempts += uint64(max(c.Attempts, 0))
	firsts := 1
	if c.Hedged {
		firsts = 2 // the primary's first attempt and the hedge's
	}
	u.Retries += uint64(max(c.Attempts-firsts, 0))
	u.Got429 += uint64(max(c.Got429, 0))
	u.TooEarly += uint64(max(c.TooEarly, 0))
	u.Latency.Record(c.Latency)
	u.LimiterWait.Record(max(c.LimiterWait, 0))
	if c.LimiterWait > 0 {
		u.Waited++
	}
	u.ConnWait.Record(max(c.ConnWait, 0))
	if c.ConnWait > 0 {
		u.ConnWaited++
	}
	if c.Queued {
		u.Queued++
		u.QueueWait.Record(max(c.QueueWait, 0))
	}
	if c.Hedged {
		u.Hedges++
		if c.HedgeWon {
			u.HedgesWon++
		}
	}
	if c.Wasted {
		u.Wasted++
	}
	for _, l := range c.AttemptLatencies {
		u.AttemptLatency.Record(l)
	}
	if c.Accepted > 0 {
		u.Accepted.Record(c.Accepted)
	}
	u.Polls += uint64(max(c.Polls, 0))
	u.phases.record(&c.Phases)
	if c.Status > 0 && c.Status < maxStatus {
		u.Statuses[c.Status]++
		if c.Status >= 400 {
			r.windowCallFailure(len(u.Failures) + c.Status/500) // http_4xx, http_5xx
		}
		return
	}
	u.Statuses[0]++
	if c.Failure >= 0 && c.Failure < len(u.Failures) {
		u.Failures[c.Failure]++
		r.windowCallFailure(c.Failure)
		if c.Err != nil && u.FirstErrors[c.Failure] == "" {
			u.FirstErrors[c.Failure] = ErrorText(c.Err) // once per kind: the only allocation here
		}
	}
}

// RecordGivenUp counts the calls one operation gave up once it had what it
// waited for; an operation that gave up none is complete, not merely
// good enough.
func (r *Recorder) RecordGivenUp(calls int) {
	if calls > 0 {
		r.GoodEnough++
		r.GivenUp += uint64(calls)
	}
}

// MaxErrorText bounds the text kept of an error: enough for the cause
// (an x509 message, the start of a malformed status line), not a body.
const MaxErrorText = 200

// ErrorText is the text of err as a result keeps it: on one line, at most
// MaxErrorText bytes (cut at a character's start).
func ErrorText(err error) string {
	t := strings.Join(strings.Fields(err.Error()), " ")
	if len(t) <= MaxErrorText {
		return t
	}
	cut := MaxErrorText
	for cut > 0 && !utf8.RuneStart(t[cut]) {
		cut--
	}
	return t[:cut] + "…"
}

// RecordCompensations counts the compensating calls of one operation: how
// many were sent and how many failed. Record the calls themselves with
// RecordCall.
func (r *Recorder) RecordCompensations(sent, failed int) {
	r.Compensations.Sent += uint64(max(sent, 0))
	r.Compensations.Failed += uint64(max(failed, 0))
}

// RecordDelivery records a queued operation whose calls have all been
// delivered, latency after its intended start.
func (r *Recorder) RecordDelivery(latency time.Duration) {
	r.Delivered++
	r.Delivery.Record(latency)
}

// RecordRedelivery counts a message delivered again.
func (r *Recorder) RecordRedelivery() { r.Redeliveries++ }

// Operations is the number of operations recorded.
func (r *Recorder) Operations() uint64 {
	var n uint64
	for _, c := range r.Outcomes {
		n += c
	}
	return n
}

// Merge adds everything o recorded into r. Both must share a layout.
func (r *Recorder) Merge(o *Recorder) {
	r.Latency.Merge(o.Latency)
	r.Service.Merge(o.Service)
	r.Lag.Merge(o.Lag)
	r.Overhead.Merge(o.Overhead)
	for i := range r.Outcomes {
		r.Outcomes[i] += o.Outcomes[i]
	}
	r.LateStarts += o.LateStarts
	r.Compensations.Sent += o.Compensations.Sent
	r.Compensations.Failed += o.Compensations.Failed
	r.GoodEnough += o.GoodEnough
	r.GivenUp += o.GivenUp
	r.Delivery.Merge(o.Delivery)
	r.Delivered += o.Delivered
	r.Redeliveries += o.Redeliveries
	r.tail.add(o.tail)
	for i, u := range r.Upstreams {
		ou := o.Upstreams[i]
		u.Latency.Merge(ou.Latency)
		u.Calls += ou.Calls
		u.Attempts += ou.Attempts
		u.Retries += ou.Retries
		u.Got429 += ou.Got429
		u.TooEarly += ou.TooEarly
		u.LimiterWait.Merge(ou.LimiterWait)
		u.Waited += ou.Waited
		u.ConnWait.Merge(ou.ConnWait)
		u.ConnWaited += ou.ConnWaited
		u.QueueWait.Merge(ou.QueueWait)
		u.Queued += ou.Queued
		u.Hedges += ou.Hedges
		u.HedgesWon += ou.HedgesWon
		u.Wasted += ou.Wasted
		u.AttemptLatency.Merge(ou.AttemptLatency)
		u.Accepted.Merge(ou.Accepted)
		u.Polls += ou.Polls
		u.phases.merge(&ou.phases)
		for s := range u.Statuses {
			u.Statuses[s] += ou.Statuses[s]
		}
		for f := range u.Failures {
			u.Failures[f] += ou.Failures[f]
			if u.FirstErrors[f] == "" {
				u.FirstErrors[f] = ou.FirstErrors[f]
			}
		}
	}
}
