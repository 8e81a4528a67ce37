package jetstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanbench/fanbench/strategies"
)

// consumer pulls one message at a time: a pull request for one message,
// which waits at the server up to fetchWait, then the next. A pull request
// left pending when Next returns for another reason (a dead letter, the
// caller's context) is read by the next Next.
//
// Next and Ack are called by the consumer's goroutine; Close by any.
type consumer struct {
	b *Broker
	// ctx ends when the consumer is closed: its pull request with it.
	ctx    context.Context
	cancel context.CancelFunc

	batch       jetstream.MessageBatch
	batchCancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	held   *held
}

// held is the message the consumer was handed and has not acknowledged.
type held struct {
	k    key
	msg  jetstream.Msg // nil for a dead letter
	sseq uint64        // a dead letter's stream sequence
}

// Next waits for a message (or a dead letter) and leases it; see
// strategies.BrokerConsumer. The server's hiccups (a restart, a leader
// election) are waited out.
func (c *consumer) Next(ctx context.Context) (strategies.Delivery, error) {
	c.mu.Lock()
	closed, h := c.closed, c.held
	c.mu.Unlock()
	switch {
	case closed:
		return strategies.Delivery{}, strategies.ErrConsumerGone
	case h != nil:
		return strategies.Delivery{}, strategies.ErrLeaseHeld
	}
	backoff := 10 * time.Millisecond
	for {
		if d, ok, err := c.takeDead(); ok || err != nil {
			return d, err
		}
		if c.batch == nil {
			if err := c.fetch(); err != nil {
				if err := c.pause(ctx, &backoff); err != nil {
					return strategies.Delivery{}, err
				}
				continue
			}
		}
		select {
		case m, ok := <-c.batch.Messages():
			var err error
			if !ok {
				err = c.batch.Error()
			}
			c.endBatch() // a pull of one: over either way
			if !ok {
				if err != nil && !errors.Is(err, context.DeadlineExceeded) && c.ctx.Err() == nil {
					if err := c.pause(ctx, &backoff); err != nil {
						return strategies.Delivery{}, err
					}
				}
				continue
			}
			backoff = 10 * time.Millisecond
			if d, ok, err := c.receive(m); ok || err != nil {
				return d, err
			}
		case <-c.b.dead.signal:
			// The loop's takeDead takes it (and wakes another consumer if
			// more wait).
		case <-ctx.Done():
			return strategies.Delivery{}, ctx.Err()
		case <-c.ctx.Done():
			return strategies.Delivery{}, c.gone()
		}
	}
}

// gone is the error of a consumer whose context ended: the broker's Close
// or its own.
func (c *consumer) gone() error {
	if c.b.isClosed() {
		return strategies.ErrBrokerClosed
	}
	return strategies.ErrConsumerGone
}

// pause waits before trying the server again, longer each time.
func (c *consumer) pause(ctx context.Context, backoff *time.Duration) error {
	t := time.NewTimer(*backoff)
	defer t.Stop()
	*backoff = min(2**backoff, 500*time.Millisecond)
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return c.gone()
	}
}

// fetch sends a pull request for one message.
func (c *consumer) fetch() error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	fctx, cancel := context.WithTimeout(c.ctx, c.b.tune.fetchWait)
	batch, err := c.b.cons.Fetch(1, jetstream.FetchContext(fctx))
	if err != nil {
		cancel()
		return err
	}
	c.batch, c.batchCancel = batch, cancel
	return nil
}

func (c *consumer) endBatch() {
	if c.batchCancel != nil {
		c.batchCancel()
	}
	c.batch, c.batchCancel = nil, nil
}

// receive leases m, unless it is a message already acknowledged (whose
// acknowledgement the server did not record): that one is acknowledged
// again and dropped, unsent; ok is false then.
func (c *consumer) receive(m jetstream.Msg) (strategies.Delivery, bool, error) {
	seq, call, _, err := parseBody(m.Data())
	if err != nil {
		c.b.stale.Add(1)
		_ = m.Term() // not fanbench's: never deliver it again
		return strategies.Delivery{}, false, nil
	}
	k := key{seq: seq, call: call}
	msg, ok := c.b.table.get(k)
	if !ok {
		c.b.stale.Add(1)
		_ = m.Ack()
		return strategies.Delivery{}, false, nil
	}
	redelivered := false
	if meta, err := m.Metadata(); err == nil && meta.NumDelivered > 1 {
		redelivered = true
		c.b.redelivered.Add(1)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		// Died while taking it: the server delivers it again after the
		// ack wait, as for any message a dead consumer held.
		return strategies.Delivery{}, false, strategies.ErrConsumerGone
	}
	c.held = &held{k: k, msg: m}
	return strategies.Delivery{Message: msg, Redelivered: redelivered}, true, nil
}

// takeDead leases a dead letter, if one waits and its call is still in
// flight.
func (c *consumer) takeDead() (strategies.Delivery, bool, error) {
	for {
		dl, ok := c.b.dead.pop()
		if !ok {
			return strategies.Delivery{}, false, nil
		}
		msg, ok := c.b.table.get(dl.k)
		if !ok {
			continue
		}
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			c.b.dead.push(dl) // another consumer's to settle
			return strategies.Delivery{}, false, strategies.ErrConsumerGone
		}
		c.held = &held{k: dl.k, sseq: dl.sseq}
		c.mu.Unlock()
		return strategies.Delivery{Message: msg, DeadLetter: true}, true, nil
	}
}

// Ack acknowledges d to the server and waits for its confirmation; see
// strategies.BrokerConsumer. Only the first delivery of a message to be
// acknowledged counts: another fails with strategies.ErrAlreadyAcked.
func (c *consumer) Ack(d strategies.Delivery) error {
	c.mu.Lock()
	h := c.held
	switch {
	case c.closed:
		c.mu.Unlock()
		return strategies.ErrConsumerGone
	case h == nil || h.k != keyOf(d.Message):
		c.mu.Unlock()
		return strategies.ErrNotLeased
	}
	c.held = nil
	c.mu.Unlock()
	if !c.b.table.claim(h.k) {
		c.b.alreadyAcked.Add(1)
		return strategies.ErrAlreadyAcked
	}
	if h.msg == nil { // a dead letter: out of the stream, settled
		c.b.deleteDead(h.sseq)
		c.b.table.remove(h.k)
		c.b.deadLet.Add(1)
		return nil
	}
	if err := c.b.ackSync(h.msg); err != nil {
		c.b.table.unclaim(h.k) // the server delivers it again
		return fmt.Errorf("jetstream broker: ack: %w", err)
	}
	c.b.table.remove(h.k)
	return nil
}

// Close ends the consumer as if it died: the message it holds is not
// acknowledged, so the server delivers it again after the ack wait.
func (c *consumer) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.held = nil
	c.mu.Unlock()
	c.cancel()
	return nil
}
