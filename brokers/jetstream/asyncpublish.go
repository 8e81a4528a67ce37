package jetstream

import (
	"context"
	"runtime"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanbench/fanbench/strategies"
)

// publishGroup gathers the async publishes that arrive together and sends
// them back to back, so the client's flusher writes them to the socket in
// one write rather than one each: a group commit by flat combining. The
// first publisher to find the group empty leads it: it yields once, so the
// publishers woken by the same batch of acks can join, then publishes the
// group's messages itself. No goroutine of its own, so no hand-off: each
// publisher still waits for its own ack, which is the operation's.
type publishGroup struct {
	js jetstream.JetStream

	mu      sync.Mutex
	led     bool      // a leader is gathering
	pending []grouped // the messages gathered
	spare   []grouped // the leader's slice of the last group, reused
}

// grouped is one publish in a group, and where its failure to be sent goes.
type grouped struct {
	msg *nats.Msg
	k   key
}

// publish sends msg, alone or in a group; a failure to send it goes to
// fail, with k (a sent message's outcome comes through the ack handlers).
func (g *publishGroup) publish(msg *nats.Msg, k key, fail func(key, error)) {
	g.mu.Lock()
	g.pending = append(g.pending, grouped{msg: msg, k: k})
	if g.led {
		g.mu.Unlock()
		return
	}
	g.led = true
	g.mu.Unlock()
	runtime.Gosched()
	g.mu.Lock()
	group := g.pending
	g.pending, g.spare = g.spare[:0], nil
	g.led = false
	g.mu.Unlock()
	for i := range group {
		if _, err := g.js.PublishMsgAsync(group[i].msg); err != nil {
			fail(group[i].k, err)
		}
		group[i] = grouped{}
	}
	g.mu.Lock()
	if g.spare == nil {
		g.spare = group[:0]
	}
	g.mu.Unlock()
}

// publishAsync makes one attempt of an async publish and waits for its
// outcome.
func (b *Broker) publishAsync(ctx context.Context, msg *nats.Msg, k key) (*jetstream.PubAck, error) {
	// The outcome comes through the publishers' ack and error handlers
	// (onAsyncAck, onAsyncErr), or from the group when the message could
	// not be sent (failed), to the waiter found in the table: no future's
	// channels, and no timer of our own (the async publisher times an
	// unanswered publish out itself, WithPublishAsyncTimeout).
	w, _ := b.waiters.Get().(*pubWaiter)
	if w == nil {
		w = &pubWaiter{done: make(chan pubOutcome, 1)}
	}
	b.table.setWaiter(k, w)
	b.async[k.seq%asyncPublishers].publish(msg, k, b.failed)
	select {
	case out := <-w.done:
		b.waiters.Put(w)
		return out.ack, out.err
	case <-ctx.Done():
		b.release(k, w)
		return nil, ctx.Err()
	case <-b.closed: // the client drops the acks awaited when it closes
		b.release(k, w)
		return nil, strategies.ErrBrokerClosed
	}
}

// release takes w back from k's message when the publisher stops waiting
// before the outcome came: if the handler took it first, its outcome is
// on its way, and read.
func (b *Broker) release(k key, w *pubWaiter) {
	if b.table.takeWaiter(k) == nil {
		select {
		case <-w.done:
		default:
			// Taken by the ack handler, whose outcome is still on its
			// way: not reused.
			return
		}
	}
	b.waiters.Put(w)
}

// onAsyncAck and onAsyncErr hand an async publish's outcome to its waiter.
func (b *Broker) onAsyncAck(_ jetstream.JetStream, msg *nats.Msg, ack *jetstream.PubAck) {
	b.settle(msg, pubOutcome{ack: ack})
}

func (b *Broker) onAsyncErr(_ jetstream.JetStream, msg *nats.Msg, err error) {
	b.settle(msg, pubOutcome{err: err})
}

func (b *Broker) settle(msg *nats.Msg, out pubOutcome) {
	seq, call, _, err := parseBody(msg.Data)
	if err != nil {
		return
	}
	b.outcome(key{seq: seq, call: call}, out)
}

// failed hands the publisher of k the error of a publish never sent.
func (b *Broker) failed(k key, err error) { b.outcome(k, pubOutcome{err: err}) }

func (b *Broker) outcome(k key, out pubOutcome) {
	if w := b.table.takeWaiter(k); w != nil {
		w.done <- out // buffered, and only the taker sends
	}
}
