package strategies

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrNotLeased: Ack was given a delivery that is not the one the consumer
// holds (acknowledged already, or from another consumer).
var ErrNotLeased = errors.New("the delivery is not the message the consumer holds")

// InProcOptions size an InProcBroker.
type InProcOptions struct {
	// Capacity bounds the messages held, waiting or leased: a message
	// counts until it is acknowledged, so a message given back by a dead
	// consumer always has room. Must be at least 1.
	Capacity int
	// Reject: Publish on a full broker fails at once with ErrBrokerFull
	// instead of waiting for room.
	Reject bool
}

// InProcBroker is a Broker in this process's memory. "Held" means held by
// this process: the messages survive a consumer's death, not the
// process's. It is what a quick run needs; a broker that outlives the
// process (NATS JetStream) implements the same interface.
//
// It is two buffered channels: slots, one token per message held (the
// bound, and the depth), and ready, the messages waiting for a consumer,
// first in, first out. A message given back by a dead consumer joins the
// end of ready. Each consumer guards its lease with a mutex of its own, so
// publishers and consumers share no lock; publishing allocates nothing.
// It is safe for concurrent use.
type InProcBroker struct {
	reject bool
	// slots holds a token for every message held; Ack takes one out. Its
	// length is the depth, its capacity the bound.
	slots chan struct{}
	// ready holds the messages not leased. It never fills up: every
	// message in it holds a token in slots, whose capacity it shares.
	ready     chan Message
	closed    chan struct{}
	closeOnce sync.Once
	// consumers numbers the consumers, whose number tags their leases.
	consumers atomic.Uint64
}

// NewInProcBroker returns an empty broker bounded by o.Capacity.
func NewInProcBroker(o InProcOptions) (*InProcBroker, error) {
	if o.Capacity < 1 {
		return nil, fmt.Errorf("in-process broker: capacity %d; allowed: 1 or more", o.Capacity)
	}
	return &InProcBroker{
		reject: o.Reject,
		slots:  make(chan struct{}, o.Capacity),
		ready:  make(chan Message, o.Capacity),
		closed: make(chan struct{}),
	}, nil
}

// Publish holds m once there is room; see Broker.
func (b *InProcBroker) Publish(ctx context.Context, m Message) error {
	select {
	case <-b.closed:
		return ErrBrokerClosed
	default:
	}
	m.redelivered = false
	select {
	case b.slots <- struct{}{}: // room at once: the usual case, and the cheap one
	default:
		if b.reject {
			return ErrBrokerFull
		}
		select {
		case b.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		case <-b.closed:
			return ErrBrokerClosed
		}
	}
	b.ready <- m // never blocks: see ready
	return nil
}

// Subscribe adds a consumer; it fails only after Close.
func (b *InProcBroker) Subscribe() (BrokerConsumer, error) {
	select {
	case <-b.closed:
		return nil, ErrBrokerClosed
	default:
	}
	// A lease is the consumer's number in the high half and its own count
	// in the low half: unique across consumers, with no shared counter.
	return &inProcConsumer{b: b, done: make(chan struct{}), lease: b.consumers.Add(1) << 32}, nil
}

// Depth is the number of messages held, waiting or leased.
func (b *InProcBroker) Depth() int { return len(b.slots) }

// Capacity is the most messages the broker holds.
func (b *InProcBroker) Capacity() int { return cap(b.slots) }

// Close stops the broker; the messages held stay counted in Depth.
func (b *InProcBroker) Close() error {
	b.closeOnce.Do(func() { close(b.closed) })
	return nil
}

// inProcConsumer holds at most one message at a time (a prefetch of one),
// so a death gives back at most one.
type inProcConsumer struct {
	b *InProcBroker
	// done is closed by Close, to wake a Next that waits.
	done chan struct{}
	// mu guards the lease against Close from another goroutine. Only the
	// consumer's own goroutine and a killer take it: it is never contended
	// in the normal run of things.
	mu     sync.Mutex
	closed bool
	held   bool
	msg    Message
	lease  uint64
}

func (c *inProcConsumer) Next(ctx context.Context) (Delivery, error) {
	c.mu.Lock()
	closed, held := c.closed, c.held
	c.mu.Unlock()
	switch {
	case closed:
		return Delivery{}, ErrConsumerGone
	case held:
		return Delivery{}, ErrLeaseHeld
	}
	var m Message
	select {
	case m = <-c.b.ready: // a message waits: no need to park
	default:
		select {
		case m = <-c.b.ready:
		case <-ctx.Done():
			return Delivery{}, ctx.Err()
		case <-c.done:
			return Delivery{}, ErrConsumerGone
		case <-c.b.closed:
			return Delivery{}, ErrBrokerClosed
		}
	}
	c.mu.Lock()
	if c.closed || c.brokerClosed() {
		// Died, or the broker stopped, while taking it: it goes back as
		// it was, never having been handed out.
		err := ErrConsumerGone
		if !c.closed {
			err = ErrBrokerClosed
		}
		c.mu.Unlock()
		c.b.ready <- m
		return Delivery{}, err
	}
	c.lease++
	c.held, c.msg = true, m
	d := Delivery{Message: m, Redelivered: m.redelivered, lease: c.lease}
	c.mu.Unlock()
	return d, nil
}

func (c *inProcConsumer) brokerClosed() bool {
	select {
	case <-c.b.closed:
		return true
	default:
		return false
	}
}

func (c *inProcConsumer) Ack(d Delivery) error {
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		return ErrConsumerGone
	case !c.held || d.lease != c.lease:
		c.mu.Unlock()
		return ErrNotLeased
	}
	c.held, c.msg = false, Message{}
	c.mu.Unlock()
	<-c.b.slots
	return nil
}

// Close gives the message held, if any, back to the broker, marked
// redelivered, and wakes a Next that waits.
func (c *inProcConsumer) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	close(c.done)
	if c.held {
		m := c.msg
		m.redelivered = true
		c.held, c.msg = false, Message{}
		c.b.ready <- m // never blocks: see InProcBroker.ready
	}
	return nil
}
