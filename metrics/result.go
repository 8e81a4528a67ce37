package metrics

import (
	"encoding/json"
	"runtime"
	"time"
)

// Schema names the result file format. Readers refuse any other value.
const Schema = "fanbench/result/v1"

// Result is everything one run measured: the result file. Its JSON keys are
// a public format (CI scripts read them); durations are in milliseconds.
type Result struct {
	Schema string `json:"schema"`
	// Scenario is the scenario as run, as JSON, secrets redacted.
	Scenario    json.RawMessage  `json:"scenario"`
	Environment Environment      `json:"environment"`
	StartedAt   time.Time        `json:"started_at"`
	DurationS   float64          `json:"duration_s"`
	Interrupted bool             `json:"interrupted"`
	Warnings    []string         `json:"warnings,omitempty"`
	Strategies  []StrategyResult `json:"strategies"`
	// Thresholds are the verdicts on the scenario's thresholds, strategy by
	// strategy in run order; absent when it sets none.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
	// Verdict is what the figures say, as the reports open with it (see
	// reports.Decide); absent from results written before it was recorded,
	// and recomputed by every report from the figures.
	Verdict *Verdict `json:"verdict,omitempty"`
	// Agents are the agents of a distributed run, one per segment of the
	// load; absent for a run in one process.
	Agents []Agent `json:"agents,omitempty"`
}

// Verdict is a run's answer: which strategy wins, by how much, at what
// cost.
type Verdict struct {
	// Winner is the strategy crowned; "" when none is.
	Winner string `json:"winner,omitempty"`
	// Tied are the strategies that tie for the lead, when none is crowned
	// for that reason.
	Tied []string `json:"tied,omitempty"`
	// Lines are the sentences: the headline first, then one per strategy
	// compared with the baseline.
	Lines []string `json:"lines"`
	// Basis says how differences were told from noise.
	Basis string `json:"basis,omitempty"`
	// Concerns are the signs that the system under test was in trouble,
	// "strategy: what (where to look)"; a strategy with one is not crowned.
	Concerns []string `json:"concerns,omitempty"`
}

// Environment is where the run happened.
type Environment struct {
	FanbenchVersion string `json:"fanbench_version"`
	GoVersion       string `json:"go_version"`
	OS              string `json:"os"`
	Arch            string `json:"arch"`
	CPUs            int    `json:"cpus"`
}

// CurrentEnvironment describes this process, with the given fanbench version.
func CurrentEnvironment(version string) Environment {
	return Environment{
		FanbenchVersion: version,
		GoVersion:       runtime.Version(),
		OS:              runtime.GOOS,
		Arch:            runtime.GOARCH,
		CPUs:            runtime.NumCPU(),
	}
}

// StrategyResult is what one strategy measured.
type StrategyResult struct {
	// Name is the entry's name: the scenario's label, or the strategy's
	// name; Strategy is the strategy's name and Options the options it ran
	// with, as the scenario file spells them (defaults filled in).
	Name     string            `json:"name"`
	Strategy string            `json:"strategy"`
	Options  map[string]string `json:"options,omitempty"`
	// Operations is the number of operations that finished.
	Operations uint64 `json:"operations"`
	// Dropped counts operations that were due but never started.
	Dropped uint64 `json:"dropped"`
	// NotStarted counts, of Dropped, the operations still due when the run
	// reached its duration plus the grace period: the generator could not
	// keep up with the schedule.
	NotStarted uint64 `json:"not_started,omitempty"`
	// Interrupted counts operations still in flight when the grace period
	// after the load ran out: cut off, and left out of the statistics.
	Interrupted uint64 `json:"interrupted,omitempty"`
	// Warmup counts operations run within the warm-up, left out of the
	// statistics.
	Warmup uint64 `json:"warmup_operations,omitempty"`
	// LatencyFrom says where latency is counted from: "intended_start"
	// (the open model's schedule, correcting coordinated omission) or
	// "actual_start" (the closed model, which has no schedule).
	LatencyFrom string `json:"latency_from,omitempty"`
	// Throughput is finished operations per second of the strategy's run.
	Throughput float64 `json:"throughput"`
	// ErrorRate is the share of operations that were not ok.
	ErrorRate   float64  `json:"error_rate"`
	Outcomes    Outcomes `json:"outcomes"`
	DurationS   float64  `json:"duration_s"`
	Latency     Summary  `json:"latency"`
	ServiceTime Summary  `json:"service_time"`
	ScheduleLag Summary  `json:"schedule_lag"`
	// LateStarts counts operations that started over 1 ms after their
	// intended start (LateStart).
	LateStarts uint64 `json:"late_starts"`
	// HarnessOverhead is measured − ideal latency, where the ideal follows
	// from the mock upstreams' paired draws; absent when some upstream is real.
	HarnessOverhead *Summary `json:"harness_overhead,omitempty"`
	// Amplification is the upstream requests sent against the minimum:
	// one per call of each operation.
	Amplification Amplification `json:"amplification"`
	// WastedCalls counts calls that ended after their operation's fate was
	// known (a critical sibling had failed).
	WastedCalls uint64 `json:"wasted_calls"`
	// GoodEnough counts the operations that completed once enough of their
	// calls succeeded (a fan-out's wait_for), giving up the rest;
	// GivenUpCalls those calls (they are wasted calls too). Absent when
	// none did.
	GoodEnough   uint64 `json:"good_enough,omitempty"`
	GivenUpCalls uint64 `json:"given_up_calls,omitempty"`
	// Compensations counts the compensating calls; absent when none was
	// sent.
	Compensations *Compensations `json:"compensations,omitempty"`
	// Callbacks counts what the webhook receiver took; absent when no call
	// completes by callback.
	Callbacks *Callbacks `json:"callbacks,omitempty"`
	// Pool is the worker pool's view (pooled only).
	Pool *PoolResult `json:"pool,omitempty"`
	// Queue is the broker's view: ack against delivery (queued only).
	Queue     *QueueResult     `json:"queue,omitempty"`
	Upstreams []UpstreamResult `json:"upstreams"`
	// Windows is the run second by second (see Window); absent when not
	// recorded.
	Windows []Window `json:"windows,omitempty"`
	// Cost is what the strategy cost the fanbench process (see Cost).
	Cost *Cost `json:"cost,omitempty"`
	// TailAmplification compares the operations that met an upstream's
	// tail with the prediction for independent calls; absent unless every
	// upstream is a mock with a latency tail.
	TailAmplification *TailAmplification `json:"tail_amplification,omitempty"`
	// Sweep is the strategy's rate sweep (see SweepResult); absent when the
	// load was not a sweep. The other figures are those of one of its
	// steps, SweepResult.DetailsAt.
	Sweep *SweepResult `json:"sweep,omitempty"`
	// Widths is the strategy's run at each fan-out width of load.widths
	// (see WidthSweep); absent otherwise. The rest of the result is the
	// widest step's.
	Widths *WidthSweep `json:"width_sweep,omitempty"`
	// Repeats holds the headline figures of each repeat when the strategy
	// ran more than once (load.repeats, or results merged); the other
	// figures are those of all repeats together. A comparison tells noise
	// from change by testing these per-repeat values.
	Repeats []Repeat `json:"repeats,omitempty"`
	// Histograms holds every histogram, HDR V2 compressed and base64
	// encoded, by name: "latency", "service_time", "schedule_lag",
	// "harness_overhead", "upstream:NAME" and, when calls waited for the
	// client-side rate limit, "limiter_wait:NAME"; when calls waited for a
	// connection (max_conns), "conn_wait:NAME"; when calls waited in a
	// pool's queue, "queue_wait:NAME"; the latency of each HTTP request,
	// "attempt_latency:NAME"; with a breakdown, "dns:NAME",
	// "connect:NAME", "tls:NAME", "ttfb:NAME" and "body:NAME".
	Histograms map[string]string `json:"histograms"`
}

// Repeat is the headline figures of one run of a strategy: what a
// baseline comparison tests, repeat against repeat.
type Repeat struct {
	// Seed is the seed the upstreams drew from; repeats with one seed face
	// the same upstream behaviour, so their spread is the harness's noise.
	Seed        uint64  `json:"seed"`
	Operations  uint64  `json:"operations"`
	Latency     Summary `json:"latency"`
	Throughput  float64 `json:"throughput"`
	ErrorRate   float64 `json:"error_rate"`
	PartialRate float64 `json:"partial_rate"`
	// HarnessOverheadP99MS is absent (0) unless every upstream is a mock.
	HarnessOverheadP99MS float64 `json:"harness_overhead_p99_ms,omitempty"`
	CPUMsPer1000Ops      float64 `json:"cpu_ms_per_1000_ops,omitempty"`
	// Delivery is what a strategy that answers its caller before its work
	// is done (queued) delivered in this run, which is what comparisons
	// judge it by; absent for the others, and in files written before it
	// was recorded.
	Delivery *RepeatDelivery `json:"delivery,omitempty"`
}

// RepeatDelivery is the delivery of one run of an async strategy: the
// latency from the intended start until the operation's last call was
// delivered, and the shares of the operations not delivered ok in full
// (refused at the ack, delivered partial or failed, or never delivered)
// and of those partial (at the ack or in delivery).
type RepeatDelivery struct {
	Latency     Summary `json:"latency"`
	ErrorRate   float64 `json:"error_rate"`
	PartialRate float64 `json:"partial_rate"`
}

// DeliveryOf is the delivery of s, an async strategy's run; nil for a
// strategy without a queue.
func DeliveryOf(s StrategyResult) *RepeatDelivery {
	q := s.Queue
	if q == nil {
		return nil
	}
	d := &RepeatDelivery{Latency: q.DeliveryLatency}
	if s.Operations > 0 {
		ops := float64(s.Operations)
		d.ErrorRate = 1 - float64(q.DeliveredOutcomes.OK)/ops
		d.PartialRate = float64(s.Outcomes.Partial+q.DeliveredOutcomes.Partial) / ops
	}
	return d
}

// RepeatOf takes the headline figures of s, one run of a strategy.
func RepeatOf(s StrategyResult, seed uint64) Repeat {
	r := Repeat{
		Seed:        seed,
		Operations:  s.Operations,
		Latency:     s.Latency,
		Throughput:  s.Throughput,
		ErrorRate:   s.ErrorRate,
		PartialRate: s.PartialRate(),
	}
	if s.HarnessOverhead != nil {
		r.HarnessOverheadP99MS = s.HarnessOverhead.P99
	}
	if s.Cost != nil {
		r.CPUMsPer1000Ops = s.Cost.CPUMsPer1000Ops
	}
	r.Delivery = DeliveryOf(s)
	return r
}

// PartialRate is the share of operations whose outcome was partial: a
// non-critical call failed.
func (s StrategyResult) PartialRate() float64 {
	n := s.Outcomes.Total()
	if n == 0 {
		return 0
	}
	return float64(s.Outcomes.Partial) / float64(n)
}

// Amplification compares the upstream requests sent (every attempt,
// retry, hedge, redelivery and compensation) with the minimum, one per call
// of each operation; Ratio is Requests / Minimum.
type Amplification struct {
	Requests uint64  `json:"requests"`
	Minimum  uint64  `json:"minimum"`
	Ratio    float64 `json:"ratio"`
}

// Compensations counts the compensating calls sent and those that failed.
type Compensations struct {
	Sent   uint64 `json:"sent"`
	Failed uint64 `json:"failed"`
}

// PoolResult is what a pooled strategy's worker pool saw.
type PoolResult struct {
	Workers  int    `json:"workers"`
	Queue    int    `json:"queue"`
	WhenFull string `json:"when_full"`
	// Utilization is the share of the workers' time spent on calls.
	Utilization float64 `json:"utilization"`
	// Rejected counts calls a full queue refused.
	Rejected uint64 `json:"rejected"`
	// MaxQueued is the largest depth sampled: calls queued (or waiting for
	// room) and in service.
	MaxQueued int `json:"max_queued"`
	// LittlesLaw checks the measurements against each other: the mean
	// number of calls in the pool (queued or in service), sampled over
	// time, against the arrival rate of calls times their mean time in
	// the pool. The two agree when the measurements are sound.
	LittlesLaw LittlesLaw `json:"littles_law"`
	// Depth is the number of calls in the pool over time.
	Depth []Sample `json:"depth,omitempty"`
}

// LittlesLaw holds the two sides of L = λW.
type LittlesLaw struct {
	// MeanInSystem is L, sampled.
	MeanInSystem float64 `json:"mean_in_system"`
	// ArrivalRate is λ, calls per second.
	ArrivalRate float64 `json:"arrival_rate"`
	// MeanTimeInSystemMS is W, queue wait plus service, in milliseconds.
	MeanTimeInSystemMS float64 `json:"mean_time_in_system_ms"`
	// Predicted is λW.
	Predicted float64 `json:"predicted"`
}

// QueueResult is what a queued strategy's broker saw. The operation
// latency of a queued strategy is its ack latency; DeliveryLatency runs
// from the intended start to the last call delivered.
type QueueResult struct {
	Consumers int    `json:"consumers"`
	Capacity  int    `json:"capacity"`
	WhenFull  string `json:"when_full"`
	// Acked counts the operations whose calls were enqueued; Delivered
	// those whose calls were all delivered (with whatever outcome), and
	// Undelivered the calls still in the broker when the drain deadline
	// passed. Nothing acknowledged is dropped silently.
	Acked       uint64 `json:"acked"`
	Delivered   uint64 `json:"delivered"`
	Undelivered uint64 `json:"undelivered"`
	// DeliveredOutcomes counts the delivered operations by the outcome of
	// their calls: what became of operations whose ack said ok.
	DeliveredOutcomes Outcomes `json:"delivered_outcomes"`
	// Redeliveries counts messages delivered again after a consumer died
	// holding them; Duplicates the requests an upstream saw again with an
	// idempotency key it had already seen (from the mocks' ledgers).
	Redeliveries    uint64  `json:"redeliveries"`
	Duplicates      uint64  `json:"duplicates"`
	DeliveryLatency Summary `json:"delivery_latency"`
	// DrainS is how long the drain took after the load ended.
	DrainS     float64  `json:"drain_s"`
	MaxBacklog int      `json:"max_backlog"`
	Backlog    []Sample `json:"backlog,omitempty"`
	// DeadLettered counts calls whose message the broker gave up on
	// (delivered max_deliver times, never acknowledged): failed as
	// dead_letter, never made again. The in-process broker has none.
	DeadLettered uint64 `json:"dead_lettered,omitempty"`
	// Broker is what a real broker (NATS JetStream) reported of itself;
	// absent for the in-process broker.
	Broker *BrokerResult `json:"broker,omitempty"`
}

// BrokerResult is what a real broker saw of a queued strategy's run: its
// settings, its publish acknowledgements, its redeliveries and
// duplicates, its stream over time and, when it ran in the process, its
// own CPU time.
type BrokerResult struct {
	// Kind is the broker ("jetstream"); Server "embedded" or the external
	// server's URL without credentials, Version the server's version.
	Kind    string `json:"kind"`
	Server  string `json:"server"`
	Version string `json:"version,omitempty"`
	// Storage is "file" or "memory"; Sync, for file storage, "always"
	// (every write flushed before its ack) or "interval" (the server's
	// periodic flush, every 2 minutes by default).
	Storage  string `json:"storage"`
	Sync     string `json:"sync,omitempty"`
	Replicas int    `json:"replicas"`
	// Publish is "sync" or "async"; MaxPending bounds async publishes
	// awaiting their ack.
	Publish    string `json:"publish"`
	MaxPending int    `json:"max_pending,omitempty"`
	// AckWaitMS, MaxDeliver (0: no limit) and MaxAckPending are the
	// consumer's settings.
	AckWaitMS     float64 `json:"ack_wait_ms"`
	MaxDeliver    int     `json:"max_deliver"`
	MaxAckPending int     `json:"max_ack_pending"`
	// Stream and Consumer are the names used; Kept says they were left
	// on the server (keep: true), StoreDir where an embedded server's
	// kept store is.
	Stream   string `json:"stream"`
	Consumer string `json:"consumer"`
	Kept     bool   `json:"kept,omitempty"`
	StoreDir string `json:"store_dir,omitempty"`
	// Published counts the messages the stream acknowledged, one per
	// call enqueued; PublishAck is the latency from a publish to its
	// PubAck (histogram "publish_ack"); PublishRetries counts publishes
	// sent again after no answer, and PublishErrors those that failed
	// for good (their calls were refused).
	Published      uint64  `json:"published"`
	PublishAck     Summary `json:"publish_ack"`
	PublishRetries uint64  `json:"publish_retries"`
	PublishErrors  uint64  `json:"publish_errors"`
	// ServerDuplicates counts publishes the server recognised by their
	// Nats-Msg-Id (the idempotency key) as a message it already held, and
	// did not store again: retried publishes made safe.
	ServerDuplicates uint64 `json:"server_duplicates"`
	// Redelivered counts deliveries the server marked as not the first
	// (after an ack wait, or a restart); AlreadyAcked those of them thrown
	// away because another delivery of the message had been acknowledged
	// first (a consumer slower than the ack wait: the upstream got the
	// call twice); Stale those of messages already acknowledged, whose
	// acknowledgement the server had not recorded, dropped unsent.
	Redelivered  uint64 `json:"redelivered"`
	AlreadyAcked uint64 `json:"already_acked"`
	Stale        uint64 `json:"stale"`
	// StreamBacklog is the stream's message count, sampled while the
	// strategy ran and drained, MaxStreamBacklog its largest sample and
	// StreamRemaining the count at the end: messages the server still
	// held (the undelivered ones).
	StreamBacklog    []Sample `json:"stream_backlog,omitempty"`
	MaxStreamBacklog int      `json:"max_stream_backlog"`
	StreamRemaining  uint64   `json:"stream_remaining"`
	// PeakStreamBytes is the stream's largest size sampled, in bytes: in
	// memory with memory storage.
	PeakStreamBytes uint64 `json:"peak_stream_bytes"`
	// CPUSeconds is the CPU time of the embedded server's goroutines and
	// ClientCPUSeconds that of the NATS client's, from a CPU profile of
	// the run (labelled goroutines); absent for an external server, or
	// when another CPU profile was running.
	CPUSeconds       *float64 `json:"cpu_s,omitempty"`
	ClientCPUSeconds *float64 `json:"client_cpu_s,omitempty"`
	// Restarts counts restarts of the embedded server during the run (a
	// test's or a chaos experiment's).
	Restarts int `json:"restarts,omitempty"`
}

// Sample is a gauge read at AtS seconds after the strategy started.
type Sample struct {
	AtS   float64 `json:"at_s"`
	Value int     `json:"value"`
}

// Outcomes counts operations by outcome.
type Outcomes struct {
	OK      uint64 `json:"ok"`
	Partial uint64 `json:"partial"`
	Failed  uint64 `json:"failed"`
}

// Total is the operations the outcomes count.
func (o Outcomes) Total() uint64 { return o.OK + o.Partial + o.Failed }

// Add returns the outcomes of o and b together.
func (o Outcomes) Add(b Outcomes) Outcomes {
	return Outcomes{OK: o.OK + b.OK, Partial: o.Partial + b.Partial, Failed: o.Failed + b.Failed}
}

// SetRates sets the figures that follow from the counts: throughput over
// DurationS, and the error rate (operations not ok).
func (s *StrategyResult) SetRates() {
	s.Throughput, s.ErrorRate = 0, 0
	if s.DurationS > 0 {
		s.Throughput = float64(s.Operations) / s.DurationS
	}
	if s.Operations > 0 {
		s.ErrorRate = float64(s.Operations-s.Outcomes.OK) / float64(s.Operations)
	}
}

// UpstreamResult is what was measured of the calls to one upstream.
type UpstreamResult struct {
	Name string `json:"name"`
	// Client is the HTTP client the calls went through: "fast"
	// (fanbench's own HTTP/1.1 client) or "std" (Go's net/http); absent
	// in results from before it could be chosen.
	Client   string `json:"client,omitempty"`
	Calls    uint64 `json:"calls"`
	Attempts uint64 `json:"attempts"`
	// Retries counts the attempts after each call's first (and after its
	// hedge's first: hedges are counted in Hedges).
	Retries uint64 `json:"retries"`
	// Responses429 counts the attempts answered 429 (retried or final);
	// TooEarly those of them that were retries sent before an earlier
	// Retry-After had passed.
	Responses429 uint64 `json:"responses_429"`
	TooEarly     uint64 `json:"too_early"`
	// Statuses counts calls by final HTTP status ("200", "503") or, for
	// calls that got no answer, by failure kind ("timeout", "reset",
	// "breaker_open" for calls an open circuit breaker refused, "limited"
	// for calls the client-side rate limit refused).
	Statuses map[string]uint64 `json:"statuses"`
	// FirstErrors holds, for each kind of failure in Statuses, the text of
	// the first error of that kind ("tls": "x509: certificate signed by
	// unknown authority"), secrets redacted; absent when no call failed
	// without an answer.
	FirstErrors map[string]string `json:"first_errors,omitempty"`
	Latency     Summary           `json:"latency"`
	// LimiterWait is the calls' wait for client-side rate-limit tokens,
	// over every call (those that did not wait count as 0); absent when no
	// call waited.
	LimiterWait *Summary `json:"limiter_wait,omitempty"`
	// ConnWait is the calls' wait for a connection at the upstream's
	// max_conns, over every call (those that did not wait count as 0);
	// absent when no call waited. ConnWaited counts the calls that waited.
	ConnWait   *Summary `json:"conn_wait,omitempty"`
	ConnWaited uint64   `json:"conn_waited,omitempty"`
	// QueueWait is the calls' wait for a pool worker; absent unless the
	// calls went through a pool.
	QueueWait *Summary `json:"queue_wait,omitempty"`
	// Hedges counts the calls that sent a hedge, HedgesWon those whose
	// hedge answered first.
	Hedges    uint64 `json:"hedges,omitempty"`
	HedgesWon uint64 `json:"hedges_won,omitempty"`
	// Wasted counts calls that ended after their operation's fate was known.
	Wasted uint64 `json:"wasted,omitempty"`
	// AttemptLatency is the latency of each HTTP request (retries and
	// hedges included, the first 8 of a call): the upstream as the client
	// saw it, without the backoffs and waits in Latency; absent when no
	// request was sent.
	AttemptLatency *Summary `json:"attempt_latency,omitempty"`
	// Accepted is the latency of the 202 Accepted answers of asynchronous
	// calls, whose Latency runs until their completion: what the caller
	// waited before the upstream took the work. Absent without 202s.
	Accepted *Summary `json:"accepted,omitempty"`
	// Polls counts the status requests of poll-mode calls (counted in the
	// amplification).
	Polls uint64 `json:"polls,omitempty"`
	// Breakdown is where the calls' time went (DNS, connect, TLS, time
	// to first byte, body, connections opened and reused); absent unless
	// the run traced its requests (--breakdown).
	Breakdown *Breakdown `json:"breakdown,omitempty"`
}
