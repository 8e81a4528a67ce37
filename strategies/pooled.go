package strategies

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/machine"
)

// pooledName is the strategy's name in files and results.
const pooledName = "pooled"

func init() {
	Register(Definition{
		Name: pooledName, Rank: 30,
		Doc: "a pool of workers shared by all operations, behind a bounded queue: queue wait, saturation",
		Defaults: func() Options {
			return &PoolOptions{Workers: DefaultPoolWorkers, Queue: DefaultPoolQueue, WhenFull: WhenFullBlock}
		},
	})
}

// Default sizes of a Pooled strategy.
const (
	DefaultPoolWorkers = 32
	DefaultPoolQueue   = 1024
)

// ErrPoolClosed is the Err of a call given to a Pooled strategy after Close;
// such a call fails as FailureCanceled, with no request sent.
var ErrPoolClosed = errors.New("pool closed: call not sent")

// PoolOptions size a Pooled strategy: the options of the pooled strategy.
// NewPooled takes zero values for the defaults.
type PoolOptions struct {
	// Workers is the size of the pool shared by all operations; default
	// DefaultPoolWorkers.
	Workers int `yaml:"workers" json:"workers,omitempty"`
	// Queue is the length of the queue in front of the pool: how many calls
	// may wait for a worker; default DefaultPoolQueue.
	Queue int `yaml:"queue" json:"queue,omitempty"`
	// WhenFull is what a full queue does to a new call: "block"
	// (backpressure: the wait is part of the latency, the default) or
	// "reject" (the call fails at once as rejected, with no request sent).
	WhenFull WhenFull `yaml:"when_full" json:"when_full,omitempty"`
}

// Validate reports every problem of the options.
func (o *PoolOptions) Validate() error {
	var ps draws.Problems
	if o.Workers < 1 {
		ps.Add("workers", "must be 1 or more, such as workers: %d", DefaultPoolWorkers)
	} else if err := machine.Fits(int64(o.Workers), machine.GoroutineBytes, "workers"); err != nil {
		ps.Add("workers", "%v", err)
	}
	if o.Queue < 1 {
		ps.Add("queue", "must be 1 or more, such as queue: %d", DefaultPoolQueue)
	} else if err := machine.Fits(int64(o.Queue), uint64(unsafe.Sizeof(poolJob{})), "places in the queue"); err != nil {
		ps.Add("queue", "%v (the queue is made whole at the start)", err)
	}
	if msg := o.WhenFull.check(); msg != "" {
		ps.Add("when_full", "%s", msg)
	}
	return ps.Err()
}

// New starts a Pooled strategy; Close it when done.
func (o *PoolOptions) New(caller Caller, _ Env) (Strategy, error) {
	return orNil(NewPooled(caller, *o))
}

// Pooled sends every call through a fixed pool of worker goroutines shared
// by all operations, fed by a bounded queue: the shape of a service with a
// fixed-size client pool. Its numbers are the calls' queue wait, the pool's
// utilisation and depth, and what a full queue does (block or reject).
//
// Pooled is safe for concurrent use. It runs goroutines of its own: Close
// it when done.
type Pooled struct {
	caller Caller
	opts   PoolOptions
	jobs   chan poolJob
	// batches recycles the per-operation state, so that an operation costs
	// no allocation.
	batches sync.Pool
	// depth counts the calls handed to the pool and not yet finished:
	// waiting for room (block), queued, or in service.
	depth    atomic.Int64
	rejected atomic.Uint64
	// workerStats has one entry per worker, written by that worker alone.
	workerStats []workerStats
	workers     sync.WaitGroup
	// mu guards closed and the closing of jobs: Execute holds it shared
	// while it submits, so no call is sent on a closed channel.
	mu     sync.RWMutex
	closed bool
}

// poolJob is one call waiting in the queue, sent by value so that queueing
// allocates nothing.
type poolJob struct {
	batch *poolBatch
	index int
	// submitted is when Execute handed the call to the pool: the queue
	// wait runs from here to a worker taking it.
	submitted time.Time
}

// poolBatch is what the workers share about one operation while it runs.
type poolBatch struct {
	ctx context.Context
	op  *Operation
	// pending counts the operation's calls not yet finished.
	pending sync.WaitGroup
	// decided is set once a critical call has failed: the calls that end
	// after it are wasted.
	decided atomic.Bool
}

// workerStats is one worker's counters, padded to a cache line of its own
// so that workers do not slow each other down updating them.
type workerStats struct {
	busy  atomic.Int64 // nanoseconds spent in calls
	calls atomic.Uint64
	_     [48]byte
}

// PoolStats is what a Pooled strategy has seen since it was made.
type PoolStats struct {
	Workers, Queue int
	WhenFull       WhenFull
	// Busy is the time the workers spent on calls, summed over workers:
	// utilisation is Busy / (Workers × elapsed).
	Busy time.Duration
	// Calls counts the calls the workers finished; Rejected those a full
	// queue refused (WhenFullReject only).
	Calls, Rejected uint64
}

// NewPooled starts opts.Workers workers sending calls through caller.
func NewPooled(caller Caller, opts PoolOptions) (*Pooled, error) {
	if caller == nil {
		return nil, errors.New("pooled: a caller is required")
	}
	if opts.Workers < 0 || opts.Queue < 0 {
		return nil, fmt.Errorf("pooled: workers %d, queue %d; allowed: 1 or more, or 0 for the defaults (%d, %d)",
			opts.Workers, opts.Queue, DefaultPoolWorkers, DefaultPoolQueue)
	}
	if opts.Workers == 0 {
		opts.Workers = DefaultPoolWorkers
	}
	if opts.Queue == 0 {
		opts.Queue = DefaultPoolQueue
	}
	if msg := opts.WhenFull.check(); msg != "" {
		return nil, fmt.Errorf("pooled: when_full: %s", msg)
	}
	if opts.WhenFull == "" {
		opts.WhenFull = WhenFullBlock
	}
	p := &Pooled{
		caller:      caller,
		opts:        opts,
		jobs:        make(chan poolJob, opts.Queue),
		workerStats: make([]workerStats, opts.Workers),
	}
	p.batches.New = func() any { return new(poolBatch) }
	for i := range p.workerStats {
		p.workers.Go(func() { p.work(&p.workerStats[i]) })
	}
	return p, nil
}

// Name returns "pooled".
func (*Pooled) Name() string { return pooledName }

// Options returns the options in force, defaults filled in.
func (p *Pooled) Options() PoolOptions { return p.opts }

// Execute queues every call of op for the pool, waits until all have
// finished, and then sends the compensations the outcome calls for. Each
// result says how long the call waited for a worker (Queued, QueueWait).
// A call that ends after a critical sibling failed is marked Wasted.
//
// A call that finds the queue full is rejected (WhenFullReject) or waits for room;
// when ctx ends during that wait the call fails as FailureCanceled. After
// Close every call fails as FailureCanceled with ErrPoolClosed.
// Compensations do not go through the pool: they are sent from the
// operation's goroutine, like the other strategies do.
func (p *Pooled) Execute(ctx context.Context, op *Operation) Outcome {
	b := p.batches.Get().(*poolBatch)
	b.ctx, b.op = ctx, op
	b.decided.Store(false)
	p.submit(b)
	b.pending.Wait()
	b.ctx, b.op = nil, nil // hold no reference to a finished operation
	p.batches.Put(b)

	outcome := Classify(op.Calls, op.Results)
	compensate(ctx, p.caller, op, outcome)
	return outcome
}

// submit hands b's calls to the queue, or fails those it cannot queue.
func (p *Pooled) submit(b *poolBatch) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	op := b.op
	if p.closed {
		for i := range op.Calls {
			op.Results[i] = CallResult{Failure: FailureCanceled, Err: ErrPoolClosed}
		}
		return
	}
	b.pending.Add(len(op.Calls))
	for i := range op.Calls {
		p.depth.Add(1)
		job := poolJob{batch: b, index: i, submitted: time.Now()}
		select {
		case p.jobs <- job:
			continue
		default:
		}
		if p.opts.WhenFull.Rejects() {
			p.rejected.Add(1)
			p.fail(b, i, CallResult{Failure: FailureRejected, Err: ErrRejected})
			continue
		}
		select {
		case p.jobs <- job:
		case <-b.ctx.Done():
			p.fail(b, i, CallResult{Failure: FailureCanceled, Err: b.ctx.Err()})
		}
	}
}

// fail ends call i of b without sending it.
func (p *Pooled) fail(b *poolBatch, i int, r CallResult) {
	if b.op.Calls[i].Critical {
		b.decided.Store(true)
	}
	b.op.Results[i] = r
	p.depth.Add(-1)
	b.pending.Done()
}

// work runs calls from the queue until Close closes it.
func (p *Pooled) work(stats *workerStats) {
	for job := range p.jobs {
		taken := time.Now()
		b, i := job.batch, job.index
		op := b.op
		r := p.caller.Call(b.ctx, op.Seq, &op.Calls[i])
		busy := time.Since(taken)
		r.Queued, r.QueueWait = true, taken.Sub(job.submitted)
		switch {
		case !r.OK() && op.Calls[i].Critical && b.decided.CompareAndSwap(false, true):
			// This failure decides the operation.
		case b.decided.Load():
			r.Wasted = true
		}
		op.Results[i] = r
		stats.busy.Add(int64(busy))
		stats.calls.Add(1)
		p.depth.Add(-1)
		b.pending.Done() // b and op belong to their operation again from here
	}
}

// Depth is the number of calls in the pool: queued or in service, and
// (block) waiting for room in the queue. It implements Gauged.
func (p *Pooled) Depth() int { return int(p.depth.Load()) }

// Stats returns the pool's counters; busy time counts calls once they
// finish.
func (p *Pooled) Stats() PoolStats {
	s := PoolStats{Workers: p.opts.Workers, Queue: p.opts.Queue, WhenFull: p.opts.WhenFull, Rejected: p.rejected.Load()}
	for i := range p.workerStats {
		s.Busy += time.Duration(p.workerStats[i].busy.Load())
		s.Calls += p.workerStats[i].calls.Load()
	}
	return s
}

// Close stops the pool: the calls already queued are still made, then the
// workers exit and Close returns. Calls given to Execute after Close fail
// as FailureCanceled with ErrPoolClosed. Close may be called more than
// once; it always returns nil.
func (p *Pooled) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
	p.mu.Unlock()
	p.workers.Wait()
	return nil
}
