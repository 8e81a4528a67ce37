package jetstream

// Dead letters: messages the server gave up delivering, handed to a
// consumer as calls that failed, and deleted from the stream.

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// onMaxDeliveries takes the server's advisory that a message was
// delivered max_deliver times: the message is looked up, and its call
// handed to a consumer as a dead letter.
func (b *Broker) onMaxDeliveries(msg *nats.Msg) {
	var adv struct {
		StreamSeq uint64 `json:"stream_seq"`
	}
	if json.Unmarshal(msg.Data, &adv) != nil || adv.StreamSeq == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(b.bg, b.tune.requestTimeout)
	raw, err := b.stream.GetMsg(ctx, adv.StreamSeq)
	cancel()
	if err != nil {
		return // it stays in the stream, and its call undelivered
	}
	seq, call, _, err := parseBody(raw.Data)
	if err != nil {
		return
	}
	b.dead.push(deadLetter{k: key{seq: seq, call: call}, sseq: adv.StreamSeq})
}

// DeadLettered counts the calls dead-lettered so far.
func (b *Broker) DeadLettered() uint64 { return b.deadLet.Load() }

// deleteDead removes a dead letter from the stream, so that it is not
// counted as remaining; a failure leaves it there, counted.
func (b *Broker) deleteDead(sseq uint64) {
	for try := range 3 {
		if try > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(b.bg, b.tune.requestTimeout)
		err := b.stream.DeleteMsg(ctx, sseq)
		cancel()
		if err == nil || errors.Is(err, jetstream.ErrMsgNotFound) || b.bg.Err() != nil {
			return
		}
	}
}

// deadLetter is a message the server gave up delivering.
type deadLetter struct {
	k    key
	sseq uint64
}

// deadQueue holds dead letters until a consumer takes them; signal wakes
// one waiting consumer.
type deadQueue struct {
	mu     sync.Mutex
	items  []deadLetter
	signal chan struct{}
}

func (q *deadQueue) push(d deadLetter) {
	q.mu.Lock()
	q.items = append(q.items, d)
	q.mu.Unlock()
	q.wake()
}

func (q *deadQueue) pop() (deadLetter, bool) {
	q.mu.Lock()
	if len(q.items) == 0 {
		q.mu.Unlock()
		return deadLetter{}, false
	}
	d := q.items[0]
	q.items = q.items[1:]
	more := len(q.items) > 0
	q.mu.Unlock()
	if more {
		q.wake()
	}
	return d, true
}

func (q *deadQueue) wake() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
}
