package strategies

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/machine"
	"github.com/fanbench/fanbench/units"
)

// queuedName is the strategy's name in files and results.
const queuedName = "queued"

func init() {
	Register(Definition{
		Name: queuedName, Rank: 40,
		Doc: "acks once the calls are enqueued; consumers deliver them in the background: fast acks, backlog",
		Defaults: func() Options {
			return &QueueOptions{Consumers: DefaultQueueConsumers, Capacity: DefaultQueueCapacity,
				WhenFull: WhenFullBlock, Drain: units.Duration(DefaultQueueDrain)}
		},
	})
}

// Defaults of a Queued strategy.
const (
	DefaultQueueConsumers = 16
	DefaultQueueCapacity  = 100_000
	DefaultQueueDrain     = 30 * time.Second
)

// ErrQueueClosed is the Err of a call given to a Queued strategy after
// Drain or Close began; such a call fails as FailureRejected, unsent.
var ErrQueueClosed = errors.New("queue closed: call not enqueued")

// QueueOptions size a Queued strategy: the options of the queued strategy.
// NewQueued takes zero values for the defaults.
type QueueOptions struct {
	// Consumers deliver the calls in the background; default
	// DefaultQueueConsumers.
	Consumers int `yaml:"consumers" json:"consumers,omitempty"`
	// Capacity bounds the messages the broker holds, one per call, waiting
	// or being delivered; default DefaultQueueCapacity.
	Capacity int `yaml:"capacity" json:"capacity,omitempty"`
	// WhenFull is what a full broker does to a new call: "block" (Execute
	// waits for room, and the wait is part of the ack latency; the default)
	// or "reject" (the call fails at once as rejected).
	WhenFull WhenFull `yaml:"when_full" json:"when_full,omitempty"`
	// Drain is how long the backlog may take to be delivered after the
	// load ends; default DefaultQueueDrain. What is left is undelivered.
	Drain units.Duration `yaml:"drain" json:"drain,omitempty"`
	// Broker says which broker holds the messages: the in-process one
	// (the default), or NATS JetStream ({kind: jetstream, storage: file}),
	// embedded in the process or an external server. Capacity and
	// WhenFull bound it either way.
	Broker BrokerSpec `yaml:"broker" json:"broker,omitzero"`
	// Instance, when set in code, is the broker to use instead of the one
	// Broker describes; the Queued closes it.
	Instance Broker `yaml:"-" json:"-"`
}

// Validate reports every problem of the options.
func (o *QueueOptions) Validate() error {
	var ps draws.Problems
	if o.Consumers < 1 {
		ps.Add("consumers", "must be 1 or more, such as consumers: %d", DefaultQueueConsumers)
	} else if err := machine.Fits(int64(o.Consumers), machine.GoroutineBytes, "consumers"); err != nil {
		ps.Add("consumers", "%v", err)
	}
	if o.Capacity < 1 {
		ps.Add("capacity", "must be 1 or more, such as capacity: %d", DefaultQueueCapacity)
	} else if err := machine.Fits(int64(o.Capacity), uint64(unsafe.Sizeof(Message{})), "messages"); err != nil {
		ps.Add("capacity", "%v (the in-process broker makes room for them at the start)", err)
	}
	if msg := o.WhenFull.check(); msg != "" {
		ps.Add("when_full", "%s", msg)
	}
	if o.Drain <= 0 {
		ps.Add("drain", "must be more than 0, such as drain: 30s")
	}
	ps = append(ps, draws.FieldErrors(o.Broker.Validate("broker"))...)
	return ps.Err()
}

// New returns a Queued strategy; its consumers start with Start. A broker
// other than the in-process one starts here, through its registered
// factory (see RegisterBroker), and env names its run.
func (o *QueueOptions) New(caller Caller, env Env) (Strategy, error) {
	opts := *o
	if opts.Instance == nil && opts.Broker.Real() {
		ctx := env.Context
		if ctx == nil {
			ctx = context.Background()
		}
		b, err := NewBroker(ctx, opts.Broker, BrokerRun{Scenario: env.Scenario, Strategy: env.Label, RunID: env.RunID,
			Capacity: cmp.Or(opts.Capacity, DefaultQueueCapacity), Reject: opts.WhenFull.Rejects()})
		if err != nil {
			return nil, fmt.Errorf("queued: broker: %w", err)
		}
		opts.Instance = b
	}
	s, err := NewQueued(caller, opts)
	if err != nil && opts.Instance != nil && o.Instance == nil {
		_ = opts.Instance.Close()
	}
	return orNil(s, err)
}

// Check makes sure that an external broker answers; see Checker.
func (o *QueueOptions) Check(ctx context.Context) error {
	if !o.Broker.Real() || o.Broker.Embedded() || o.Instance != nil {
		return nil
	}
	return CheckBroker(ctx, o.Broker)
}

// Secrets are the broker's credentials; see SecretOptions.
func (o *QueueOptions) Secrets() []string { return o.Broker.Secrets() }

// Redacted returns the options with the broker's credentials masked; see
// SecretOptions.
func (o *QueueOptions) Redacted() Options {
	c := *o
	c.Broker = o.Broker.Redacted()
	return &c
}

// DeliverySink receives what one consumer delivered. Every consumer has a
// sink of its own, used by that consumer's goroutine alone (a replacement
// consumer takes over the sink of the one it replaces, after that one's
// goroutine is done), so a sink needs no lock.
type DeliverySink interface {
	// Call reports one call delivered, whatever its result: acknowledged
	// to the broker, never to be delivered again.
	Call(c *Call, r *CallResult)
	// Operation reports an operation whose calls have all been delivered.
	Operation(d OperationDelivery)
	// Redelivery reports a message received again after the consumer
	// holding it died.
	Redelivery()
}

// OperationDelivery is what became of a queued operation once its last
// call was delivered.
type OperationDelivery struct {
	// Acked: every call of the operation was enqueued, so Execute
	// returned OK. When false, some calls were refused (counted by the
	// worker that ran Execute) and those enqueued were still delivered.
	Acked bool
	// Latency runs from the intended start to the last call delivered.
	Latency time.Duration
	// Outcome is Classify over the delivered (and refused) calls.
	Outcome Outcome
	// Compensations are those sent because the operation failed after
	// some calls had succeeded; they are sent after Latency is taken.
	Compensations Compensations
}

// Background is a strategy whose Execute returns before the calls are
// made (queued): the calls are delivered by goroutines of its own and
// reported through DeliverySinks, and Operation.Results hold only the
// calls Execute itself settled (refused ones); the others are left zero.
type Background interface {
	Strategy
	// Start starts the consumers, each reporting into newSink(i), i from
	// 0; call it once, before the first Execute whose calls should be
	// delivered. newSink may be nil: nothing is reported.
	Start(newSink func(consumer int) DeliverySink) error
	// Drain stops accepting operations, waits until every operation
	// enqueued has been delivered or ctx ends, then stops the consumers
	// and returns the number of calls left undelivered: still in the
	// broker, never silently dropped. A call cut short by the stop is
	// undelivered too (it may have reached its upstream).
	Drain(ctx context.Context) (undelivered int)
	// Options returns the options in force: the queue's size, and how long
	// the runner lets Drain take after the load.
	Options() QueueOptions
}

// Queued acknowledges an operation as soon as its calls are held by a
// broker, one message per call, and delivers the calls from consumer
// goroutines, through the Caller (and so its retries and other policies).
// A consumer that dies holding a message (KillConsumer) has it delivered
// again under the same idempotency key, so the upstream can tell.
//
// The operation latency of Queued is its ack latency; the delivery
// latency, from the intended start to the last call delivered, and the
// final outcome are reported per operation to the sinks given to Start.
// Execute returns OK when every call was enqueued. When a full broker
// refuses a call (Reject), or ctx ends while Execute waits for room, that
// call and the later ones are not enqueued: they fail as FailureRejected
// (ErrRejected, or ErrQueueClosed) or FailureCanceled (ctx.Err()) in
// op.Results, the outcome follows Classify, and the calls already enqueued
// are still delivered and reported.
//
// Queued is safe for concurrent use. Close it (or Drain it) when done.
type Queued struct {
	caller    Caller
	consumers int
	opts      QueueOptions
	broker    Broker
	// ops recycles the per-operation state, so that an operation costs no
	// allocation. A state goes back once its last call is delivered.
	ops sync.Pool
	// state counts the operations begun and not finished, plus
	// drainingBit once Drain has begun; drained is closed when it is
	// drainingBit alone.
	state       atomic.Int64
	drained     chan struct{}
	drainedOnce sync.Once
	// ctx is the consumers' context; stop ends them all.
	ctx  context.Context
	stop context.CancelFunc

	// mu guards the consumer slots and the flags; the consumers take it
	// only to be replaced.
	mu         sync.Mutex
	slots      []*consumerSlot
	started    bool
	stopping   bool
	nextVictim int
	wg         sync.WaitGroup
	shutOnce   sync.Once
	// halted is closed once the consumers have stopped for good.
	halted chan struct{}
}

// drainingBit marks state once Drain has begun: no operation may begin.
const drainingBit = int64(1) << 62

// queuedOp is an operation in the broker: its calls, the results delivered
// so far, and how many calls are still to settle.
type queuedOp struct {
	op Operation
	// remaining counts the calls neither delivered nor refused; whoever
	// brings it to 0 finishes the operation.
	remaining atomic.Int32
	// refused counts the calls Execute could not enqueue; written before
	// Execute's share of remaining is taken away.
	refused int
}

// consumerSlot is one consumer's place: its sink, and its live incarnation.
type consumerSlot struct {
	sink DeliverySink
	cur  *consumer // guarded by Queued.mu
}

// consumer is one incarnation of a consumer, until it dies.
type consumer struct {
	bc     BrokerConsumer
	ctx    context.Context
	cancel context.CancelFunc
	// busy: a call is in flight (a kill then cuts it short); killed: this
	// incarnation was killed and must be replaced.
	busy, killed atomic.Bool
}

// NewQueued returns a Queued strategy sending its calls through caller. Its
// consumers start with Start.
func NewQueued(caller Caller, opts QueueOptions) (*Queued, error) {
	if caller == nil {
		return nil, errors.New("queued: a caller is required")
	}
	if opts.Consumers < 0 || opts.Capacity < 0 {
		return nil, fmt.Errorf("queued: consumers %d, capacity %d; allowed: 1 or more, or 0 for the defaults (%d, %d)",
			opts.Consumers, opts.Capacity, DefaultQueueConsumers, DefaultQueueCapacity)
	}
	if opts.Consumers == 0 {
		opts.Consumers = DefaultQueueConsumers
	}
	if opts.Capacity == 0 {
		opts.Capacity = DefaultQueueCapacity
	}
	if msg := opts.WhenFull.check(); msg != "" {
		return nil, fmt.Errorf("queued: when_full: %s", msg)
	}
	if opts.WhenFull == "" {
		opts.WhenFull = WhenFullBlock
	}
	if opts.Drain <= 0 {
		opts.Drain = units.Duration(DefaultQueueDrain)
	}
	b := opts.Instance
	if b == nil {
		ib, err := NewInProcBroker(InProcOptions{Capacity: opts.Capacity, Reject: opts.WhenFull.Rejects()})
		if err != nil {
			return nil, fmt.Errorf("queued: %w", err)
		}
		b = ib
	}
	q := &Queued{caller: caller, consumers: opts.Consumers, opts: opts, broker: b, drained: make(chan struct{}), halted: make(chan struct{})}
	q.ops.New = func() any { return new(queuedOp) }
	q.ctx, q.stop = context.WithCancel(context.Background())
	return q, nil
}

// Name returns "queued".
func (*Queued) Name() string { return queuedName }

// Options returns the options in force, defaults filled in.
func (q *Queued) Options() QueueOptions { return q.opts }

// Depth is the backlog: messages held by the broker, waiting or being
// delivered.
func (q *Queued) Depth() int { return q.broker.Depth() }

// Broker returns the broker holding the messages, for what it reports of
// itself.
func (q *Queued) Broker() Broker { return q.broker }

// Execute enqueues op's calls and returns once the broker holds them all
// (OK), leaving op.Results zero; see Queued for what a refusal does.
func (q *Queued) Execute(ctx context.Context, op *Operation) Outcome {
	op.Compensations = Compensations{}
	clear(op.Results)
	clear(op.CompensationResults)
	if !q.begin() {
		return refuseAll(op, CallResult{Failure: FailureRejected, Err: ErrQueueClosed})
	}
	n := len(op.Calls)
	st := q.ops.Get().(*queuedOp)
	st.op.Seq, st.op.Intended, st.op.Calls, st.op.Warmup = op.Seq, op.Intended, op.Calls, op.Warmup
	if cap(st.op.Results) < n {
		st.op.Results = make([]CallResult, n)
	}
	st.op.Results = st.op.Results[:n]
	clear(st.op.Results)
	st.op.Compensations = Compensations{}
	st.refused = 0
	st.remaining.Store(int32(n))
	if n == 0 {
		q.release(st)
		return OK
	}
	for i := range n {
		// Once the last message is in, st belongs to the consumers.
		err := q.broker.Publish(ctx, Message{Seq: op.Seq, Call: i, Intended: op.Intended, call: &st.op.Calls[i], op: st, warmup: op.Warmup})
		if err != nil {
			return q.refuse(ctx, op, st, i, err)
		}
	}
	return OK
}

// refuse settles calls from on of op, which could not be enqueued, and
// finishes the operation if its enqueued calls are all delivered already.
func (q *Queued) refuse(ctx context.Context, op *Operation, st *queuedOp, from int, err error) Outcome {
	var r CallResult
	switch {
	case errors.Is(err, ErrBrokerFull):
		r = CallResult{Failure: FailureRejected, Err: ErrRejected}
	case errors.Is(err, ErrBrokerClosed):
		r = CallResult{Failure: FailureRejected, Err: ErrQueueClosed}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		r = CallResult{Failure: FailureCanceled, Err: err}
	default: // a broker's own trouble (a JetStream publish error, say)
		r = CallResult{Failure: FailureTransport, Err: err}
	}
	n := len(op.Calls)
	for i := from; i < n; i++ {
		st.op.Results[i] = r
	}
	st.refused = n - from
	outcome := refuseFrom(op, from, r)
	if st.remaining.Add(int32(from-n)) == 0 {
		// Every enqueued call was delivered already (or none was): the
		// operation ends here, its compensations counted by the worker.
		compensate(ctx, q.caller, &st.op, Classify(st.op.Calls, st.op.Results))
		op.Compensations = st.op.Compensations
		op.CompensationResults = append(op.CompensationResults[:0], st.op.CompensationResults...)
		q.release(st)
	}
	return outcome
}

// refuseAll settles every call of op as r.
func refuseAll(op *Operation, r CallResult) Outcome { return refuseFrom(op, 0, r) }

// refuseFrom sets op's results from on to r and returns the outcome as the
// caller sees it at once: the enqueued calls count as successes.
func refuseFrom(op *Operation, from int, r CallResult) Outcome {
	out := OK
	for i := from; i < len(op.Calls); i++ {
		op.Results[i] = r
		if op.Calls[i].Critical {
			out = Failed
		} else if out == OK {
			out = Partial
		}
	}
	return out
}

// begin counts an operation in; false once Drain has begun.
func (q *Queued) begin() bool {
	if q.state.Add(1)&drainingBit != 0 {
		q.end()
		return false
	}
	return true
}

// end counts an operation out.
func (q *Queued) end() {
	if q.state.Add(-1) == drainingBit {
		q.drainedOnce.Do(func() { close(q.drained) })
	}
}

// release recycles a finished operation's state.
func (q *Queued) release(st *queuedOp) {
	st.op.Calls = nil
	q.ops.Put(st)
	q.end()
}
