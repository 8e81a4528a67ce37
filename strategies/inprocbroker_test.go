package strategies

import (
	"context"
	"errors"
	"testing"
)

func newTestBroker(t *testing.T, capacity int, reject bool) *InProcBroker {
	t.Helper()
	b, err := NewInProcBroker(InProcOptions{Capacity: capacity, Reject: reject})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func subscribe(t *testing.T, b Broker) BrokerConsumer {
	t.Helper()
	c, err := b.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestInProcBrokerCapacity(t *testing.T) {
	t.Parallel()
	for _, capacity := range []int{0, -1} {
		if _, err := NewInProcBroker(InProcOptions{Capacity: capacity}); err == nil {
			t.Errorf("NewInProcBroker(capacity %d) accepted it, want an error", capacity)
		}
	}
}

// A message counts against the capacity until it is acknowledged: leased
// is still held.
func TestInProcBrokerRejectsWhenFullUntilAck(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, 2, true)
	ctx := t.Context()
	for seq := range uint64(2) {
		if err := b.Publish(ctx, Message{Seq: seq}); err != nil {
			t.Fatalf("Publish(seq %d) on a broker with room = %v", seq, err)
		}
	}
	if err := b.Publish(ctx, Message{Seq: 2}); !errors.Is(err, ErrBrokerFull) {
		t.Fatalf("Publish on a full rejecting broker = %v, want ErrBrokerFull", err)
	}
	c := subscribe(t, b)
	d, err := c.Next(ctx)
	if err != nil || d.Seq != 0 || d.Redelivered {
		t.Fatalf("Next = %+v, %v; want seq 0, first delivery", d, err)
	}
	if got := b.Depth(); got != 2 {
		t.Errorf("Depth with one waiting and one leased = %d, want 2", got)
	}
	if err := b.Publish(ctx, Message{Seq: 2}); !errors.Is(err, ErrBrokerFull) {
		t.Errorf("Publish while the leased message is unacknowledged = %v, want ErrBrokerFull", err)
	}
	if err := c.Ack(d); err != nil {
		t.Fatal(err)
	}
	if got := b.Depth(); got != 1 {
		t.Errorf("Depth after the ack = %d, want 1", got)
	}
	if err := b.Publish(ctx, Message{Seq: 2}); err != nil {
		t.Errorf("Publish after an ack made room = %v", err)
	}
	// First in, first out.
	for _, want := range []uint64{1, 2} {
		d, err := c.Next(ctx)
		if err != nil || d.Seq != want {
			t.Fatalf("Next = seq %d, %v; want seq %d", d.Seq, err, want)
		}
		if err := c.Ack(d); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.Depth(); got != 0 {
		t.Errorf("Depth after every ack = %d, want 0", got)
	}
}

// A blocking broker holds the publisher until there is room, its context
// ends or the broker closes.
func TestInProcBrokerBlocksWhenFull(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, 1, false)
	if err := b.Publish(t.Context(), Message{Seq: 0}); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Publish(canceled, Message{Seq: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish on a full broker with an ended context = %v, want context.Canceled", err)
	}

	// A publisher waiting for room gets in once the message is acknowledged.
	published := make(chan error)
	go func() { published <- b.Publish(t.Context(), Message{Seq: 1}) }()
	c := subscribe(t, b)
	d, err := c.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ack(d); err != nil {
		t.Fatal(err)
	}
	if err := <-published; err != nil {
		t.Errorf("the waiting Publish = %v after an ack, want nil", err)
	}
	d, err = c.Next(t.Context())
	if err != nil || d.Seq != 1 {
		t.Fatalf("Next = seq %d, %v; want the waiting publisher's seq 1", d.Seq, err)
	}

	// Close wakes a waiting publisher; the messages held stay counted.
	go func() { published <- b.Publish(t.Context(), Message{Seq: 2}) }()
	_ = b.Close()
	if err := <-published; !errors.Is(err, ErrBrokerClosed) {
		t.Errorf("a Publish waiting when the broker closed = %v, want ErrBrokerClosed", err)
	}
	if got := b.Depth(); got != 1 {
		t.Errorf("Depth after Close = %d, want the 1 message still held", got)
	}
}

// A consumer that dies holding a message has it delivered again, marked;
// its late ack is refused.
func TestInProcBrokerRedeliversWhenConsumerDies(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, 4, false)
	ctx := t.Context()
	if err := b.Publish(ctx, Message{Seq: 7, Call: 1}); err != nil {
		t.Fatal(err)
	}
	dying, other := subscribe(t, b), subscribe(t, b)
	d, err := dying.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dying.Next(ctx); !errors.Is(err, ErrLeaseHeld) {
		t.Errorf("Next while holding an unacknowledged message = %v, want ErrLeaseHeld", err)
	}
	if err := dying.Close(); err != nil {
		t.Fatal(err)
	}
	if err := dying.Close(); err != nil {
		t.Errorf("a second Close = %v, want nil", err)
	}
	if err := dying.Ack(d); !errors.Is(err, ErrConsumerGone) {
		t.Errorf("Ack by a dead consumer = %v, want ErrConsumerGone", err)
	}
	if _, err := dying.Next(ctx); !errors.Is(err, ErrConsumerGone) {
		t.Errorf("Next on a dead consumer = %v, want ErrConsumerGone", err)
	}
	if got := b.Depth(); got != 1 {
		t.Errorf("Depth after the death = %d, want 1: the message is still held", got)
	}
	again, err := other.Next(ctx)
	if err != nil || again.Seq != 7 || again.Call != 1 || !again.Redelivered {
		t.Fatalf("the other consumer's Next = %+v, %v; want seq 7 call 1, redelivered", again, err)
	}
	if err := other.Ack(d); !errors.Is(err, ErrNotLeased) {
		t.Errorf("Ack of another consumer's delivery = %v, want ErrNotLeased", err)
	}
	if err := other.Ack(again); err != nil {
		t.Fatal(err)
	}
	if err := other.Ack(again); !errors.Is(err, ErrNotLeased) {
		t.Errorf("a second Ack = %v, want ErrNotLeased", err)
	}
	if got := b.Depth(); got != 0 {
		t.Errorf("Depth after the ack = %d, want 0", got)
	}
}

// Next waits until a message comes, its context ends, the consumer dies or
// the broker closes.
func TestInProcBrokerNextWakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		wake func(b *InProcBroker, c BrokerConsumer, cancel context.CancelFunc)
		want error
	}{
		{"context ends", func(_ *InProcBroker, _ BrokerConsumer, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"consumer dies", func(_ *InProcBroker, c BrokerConsumer, _ context.CancelFunc) { _ = c.Close() }, ErrConsumerGone},
		{"broker closes", func(b *InProcBroker, _ BrokerConsumer, _ context.CancelFunc) { _ = b.Close() }, ErrBrokerClosed},
		{"a message comes", func(b *InProcBroker, _ BrokerConsumer, _ context.CancelFunc) {
			_ = b.Publish(context.Background(), Message{Seq: 3})
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newTestBroker(t, 1, false)
			c := subscribe(t, b)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			got := make(chan error)
			go func() {
				_, err := c.Next(ctx)
				got <- err
			}()
			tt.wake(b, c, cancel)
			if err := <-got; !errors.Is(err, tt.want) {
				t.Errorf("Next woken by %s = %v, want %v", tt.name, err, tt.want)
			}
		})
	}
}

func TestInProcBrokerClosed(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, 2, false)
	if err := b.Publish(t.Context(), Message{Seq: 1}); err != nil {
		t.Fatal(err)
	}
	c := subscribe(t, b)
	_ = b.Close()
	_ = b.Close()
	if err := b.Publish(t.Context(), Message{Seq: 2}); !errors.Is(err, ErrBrokerClosed) {
		t.Errorf("Publish after Close = %v, want ErrBrokerClosed", err)
	}
	if _, err := b.Subscribe(); !errors.Is(err, ErrBrokerClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrBrokerClosed", err)
	}
	if _, err := c.Next(t.Context()); !errors.Is(err, ErrBrokerClosed) {
		t.Errorf("Next after Close = %v, want ErrBrokerClosed", err)
	}
	if got := b.Depth(); got != 1 {
		t.Errorf("Depth after Close = %d, want 1: undelivered, not dropped", got)
	}
}

// Publishing, receiving and acknowledging allocate nothing.
func TestInProcBrokerAllocs(t *testing.T) {
	b := newTestBroker(t, 4, false)
	c := subscribe(t, b)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		_ = b.Publish(ctx, Message{Seq: 1})
		d, _ := c.Next(ctx)
		_ = c.Ack(d)
	})
	if allocs != 0 {
		t.Errorf("publish, next and ack allocate %.1f times, want 0", allocs)
	}
}
