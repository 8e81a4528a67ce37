package strategies

import (
	"context"
	"errors"
	"time"
)

// Broker holds the calls of queued operations until consumers have
// delivered them: at-least-once delivery with acknowledgements, the shape
// of a work-queue stream. The in-process broker (InProcBroker) implements
// it, and so does a NATS JetStream work-queue stream (package
// brokers/jetstream: Publish is a publish that waits for the stream's
// PubAck, a BrokerConsumer pulls one message at a time, Ack is a message
// ack). Brokers other than the in-process one register a factory with
// RegisterBroker, so that this package imports none of their clients.
//
// A Broker is safe for concurrent use.
type Broker interface {
	// Publish returns once the broker holds m, so m is delivered even if
	// the publisher goes away: the ack of a queued operation. When the
	// broker is full it waits for room until ctx ends (ctx.Err()), or
	// fails at once with ErrBrokerFull when it rejects instead. After
	// Close it fails with ErrBrokerClosed.
	Publish(ctx context.Context, m Message) error
	// Subscribe adds a consumer.
	Subscribe() (BrokerConsumer, error)
	// Depth is how many messages the broker holds: published and not yet
	// acknowledged, whether waiting or leased to a consumer (the backlog).
	// It is cheap and safe to call from any goroutine.
	Depth() int
	// Close stops the broker: publishers and consumers waiting on it return
	// ErrBrokerClosed. Messages still held stay counted in Depth: they are
	// the undelivered ones.
	Close() error
}

// BrokerConsumer receives messages one at a time. A message it has
// received and not acknowledged is leased to it: no other consumer gets it
// unless this one dies (Close) first, and then it is delivered again.
//
// Next and Ack are called by the consumer's own goroutine; Close may be
// called from any goroutine, while Next or the work on a message is under
// way: that is how a consumer is killed.
type BrokerConsumer interface {
	// Next waits for a message and leases it to the consumer. It fails
	// when ctx ends, when the consumer or the broker is closed, or with
	// ErrLeaseHeld when the previous message was not acknowledged.
	Next(ctx context.Context) (Delivery, error)
	// Ack acknowledges d: the broker forgets it and its room is free. It
	// fails with ErrConsumerGone when the consumer was closed after d was
	// received: d is then someone else's to deliver again. A broker that
	// redelivers a message whose consumer was merely slow (past an ack
	// wait) fails the slower of the two with ErrAlreadyAcked: exactly one
	// delivery of a message is acknowledged. Any other error leaves the
	// message to be delivered again; the consumer goes on.
	Ack(d Delivery) error
	// Close ends the consumer as if it died: the message it holds, if
	// any, is delivered again to another consumer. Safe to call twice.
	Close() error
}

// Message is one call of a queued operation, as a broker holds it: a small
// value, so holding it costs no allocation.
type Message struct {
	// Seq is the operation's sequence number and Call the call's index in
	// it: together they make the call's idempotency key, the same on
	// every delivery.
	Seq  uint64
	Call int
	// Intended is the operation's intended start, from which its delivery
	// latency counts.
	Intended time.Time
	// call is the call to make and op the publisher's state of the
	// operation. A broker that serialises messages carries Seq, Call and
	// Intended, and restores these from a table of the operations in
	// flight, keyed by Seq.
	call *Call
	op   *queuedOp
	// redelivered: a consumer died holding the message.
	redelivered bool
	// warmup: the operation is not measured. Carried here rather than
	// read through op, which a second delivery of the message may find
	// recycled.
	warmup bool
}

// Delivery is a message as a consumer receives it.
type Delivery struct {
	Message
	// Redelivered: the message had been leased to a consumer that died
	// before acknowledging it.
	Redelivered bool
	// DeadLetter: the broker gave up on the message (delivered
	// max_deliver times, never acknowledged). The consumer fails its call
	// as FailureDeadLetter without making it, and acknowledges it.
	DeadLetter bool
	// lease identifies this lease of the message, so that a stale
	// acknowledgement is refused.
	lease uint64
}

// Broker errors, for errors.Is.
var (
	// ErrBrokerFull: the broker holds Capacity messages and rejects more.
	ErrBrokerFull = errors.New("broker full")
	// ErrBrokerClosed: the broker was closed.
	ErrBrokerClosed = errors.New("broker closed")
	// ErrConsumerGone: the consumer was closed (it died); the message it
	// held is redelivered.
	ErrConsumerGone = errors.New("consumer closed")
	// ErrLeaseHeld: Next was called before the last message was
	// acknowledged.
	ErrLeaseHeld = errors.New("the previous message is not acknowledged")
	// ErrAlreadyAcked: another delivery of the message was acknowledged
	// first; this one's result is thrown away.
	ErrAlreadyAcked = errors.New("another delivery of the message was acknowledged first")
)
