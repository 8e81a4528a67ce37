package strategies

// The consumers of a Queued strategy: how queued calls are taken from the
// broker, sent, acknowledged, and drained or abandoned at the end.

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Start starts the consumers; see Background.
func (q *Queued) Start(newSink func(consumer int) DeliverySink) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started || q.stopping {
		return errors.New("queued: Start after Start, Drain or Close")
	}
	q.started = true
	for i := range q.consumers {
		var sink DeliverySink
		if newSink != nil {
			sink = newSink(i)
		}
		if sink == nil {
			sink = discardSink{}
		}
		c, err := q.newConsumer()
		if err != nil {
			return fmt.Errorf("queued: starting consumer %d: %w", i, err)
		}
		s := &consumerSlot{sink: sink, cur: c}
		q.slots = append(q.slots, s)
		q.wg.Go(func() { q.run(s, c) })
	}
	return nil
}

func (q *Queued) newConsumer() (*consumer, error) {
	bc, err := q.broker.Subscribe()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(q.ctx)
	return &consumer{bc: bc, ctx: ctx, cancel: cancel}, nil
}

// run is a consumer slot's goroutine: it runs incarnation c and, when c is
// killed, its replacement, until the consumers stop.
func (q *Queued) run(s *consumerSlot, c *consumer) {
	for {
		q.consume(s.sink, c)
		c.cancel()
		_ = c.bc.Close() // a message still held goes back
		q.mu.Lock()
		if q.stopping || !c.killed.Load() {
			q.mu.Unlock()
			return
		}
		next, err := q.newConsumer()
		if err != nil {
			q.mu.Unlock()
			return
		}
		s.cur = next
		q.mu.Unlock()
		c = next
	}
}

// consume delivers messages until c dies or the consumers stop. A call
// whose consumer died while it was in flight is not acknowledged: its
// result is lost with the consumer, and the message is delivered again.
// A call whose acknowledgement fails otherwise (another delivery of the
// message was acknowledged first, or the broker could not be reached) is
// thrown away too, and the consumer goes on.
func (q *Queued) consume(sink DeliverySink, c *consumer) {
	for {
		d, err := c.bc.Next(c.ctx)
		if err != nil {
			return
		}
		report := sink
		if d.warmup {
			report = discardSink{} // delivered, but not measured
		}
		if d.Redelivered {
			report.Redelivery()
		}
		var r CallResult
		if d.DeadLetter {
			r = CallResult{Failure: FailureDeadLetter, Err: ErrDeadLettered}
		} else {
			c.busy.Store(true)
			r = q.caller.Call(c.ctx, d.Seq, d.call)
			c.busy.Store(false)
		}
		if c.ctx.Err() != nil {
			return
		}
		if err := c.bc.Ack(d); err != nil {
			if errors.Is(err, ErrConsumerGone) || errors.Is(err, ErrBrokerClosed) {
				return
			}
			continue
		}
		// Acknowledged: the message is ours alone, and so is d.op's
		// slot for this call, until remaining says otherwise.
		st := d.op
		st.op.Results[d.Call] = r
		report.Call(d.call, &st.op.Results[d.Call])
		if st.remaining.Add(-1) == 0 {
			q.finish(report, st)
		}
	}
}

// finish reports an operation whose last call was delivered, sends its
// compensations if it failed, and recycles its state. The compensations
// run under the consumers' context, not the incarnation's: a kill after
// the ack does not cut them short.
func (q *Queued) finish(sink DeliverySink, st *queuedOp) {
	latency := time.Since(st.op.Intended)
	outcome := Classify(st.op.Calls, st.op.Results)
	compensate(q.ctx, q.caller, &st.op, outcome)
	for i := range st.op.CompensationResults {
		if r := &st.op.CompensationResults[i]; r.Made() {
			sink.Call(st.op.Calls[i].Compensation, r)
		}
	}
	sink.Operation(OperationDelivery{Acked: st.refused == 0, Latency: latency, Outcome: outcome, Compensations: st.op.Compensations})
	q.release(st)
}

// KillConsumer kills one consumer with a call in flight (taking each in
// turn), as if its process had died mid-delivery: the call is cancelled
// and its result thrown away, the message it held is delivered again
// (under the same idempotency key) to another consumer or to the
// replacement, and a replacement starts in its place, reporting into the
// same sink, once the dead one's call has returned. It reports whether a
// consumer was killed: false when none had a call in flight.
//
// It is a hook for tests and chaos experiments; a run never calls it.
func (q *Queued) KillConsumer() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopping {
		return false
	}
	for k := range q.slots {
		i := (q.nextVictim + k) % len(q.slots)
		c := q.slots[i].cur
		if !c.busy.Load() || c.killed.Load() {
			continue
		}
		q.nextVictim = i + 1
		c.killed.Store(true)
		c.cancel()
		_ = c.bc.Close()
		return true
	}
	return false
}

// Drain stops accepting operations and waits for the backlog; see
// Background.
func (q *Queued) Drain(ctx context.Context) int {
	if q.state.Or(drainingBit)&^drainingBit == 0 {
		q.drainedOnce.Do(func() { close(q.drained) })
	}
	select {
	case <-q.drained:
	case <-ctx.Done():
	case <-q.halted: // drained or closed before: nothing more will be delivered
	}
	q.shutdown()
	return q.broker.Depth()
}

// Close stops the consumers at once and closes the broker; the calls not
// yet delivered stay undelivered. It always returns nil.
func (q *Queued) Close() error {
	q.state.Or(drainingBit)
	q.shutdown()
	return nil
}

func (q *Queued) shutdown() {
	q.shutOnce.Do(func() {
		q.mu.Lock()
		q.stopping = true
		q.mu.Unlock()
		q.stop()
		q.wg.Wait()
		_ = q.broker.Close()
		close(q.halted)
	})
}

// discardSink reports nowhere: the sink when Start is given none, and for
// warm-up operations.
type discardSink struct{}

func (discardSink) Call(*Call, *CallResult)     {}
func (discardSink) Operation(OperationDelivery) {}
func (discardSink) Redelivery()                 {}
