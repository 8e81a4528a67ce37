package jetstream

import (
	"testing"

	"github.com/fanbench/fanbench/strategies"
)

// A consumer can deliver and acknowledge a message, removing it from the
// table, before the client hands the message's PubAck to the ack handler:
// the handler must still find its publisher waiting, once.
func TestWaiterOutlivesADeliveredMessage(t *testing.T) {
	tb := newTable()
	m := strategies.Message{Seq: 7, Call: 1}
	k := keyOf(m)
	if !tb.put(m) {
		t.Fatal("put refused")
	}
	w := &pubWaiter{done: make(chan pubOutcome, 1)}
	tb.setWaiter(k, w)
	if !tb.claim(k) {
		t.Fatal("claim refused")
	}
	tb.remove(k) // delivered and acknowledged by a consumer
	if tb.len() != 0 {
		t.Errorf("%d messages in flight after the consumer's ack, want 0", tb.len())
	}
	if got := tb.takeWaiter(k); got != w {
		t.Fatalf("the ack handler found waiter %p, want the publisher's %p", got, w)
	}
	if got := tb.takeWaiter(k); got != nil {
		t.Errorf("the waiter was taken twice")
	}
}
