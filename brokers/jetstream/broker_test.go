package jetstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

// testTuning shortens the client's waits, so that a restart or a lost
// answer costs a test little time.
var testTuning = tuning{publishTimeout: 500 * time.Millisecond, publishGiveUp: 10 * time.Second,
	fetchWait: time.Second, pollEvery: 20 * time.Millisecond, requestTimeout: time.Second}

func jsSpec(mut func(*strategies.BrokerSpec)) strategies.BrokerSpec {
	s := strategies.BrokerSpec{Kind: strategies.BrokerJetStream, Storage: strategies.StorageMemory}
	if mut != nil {
		mut(&s)
	}
	return s.WithDefaults()
}

func startBroker(t *testing.T, spec strategies.BrokerSpec, capacity int, reject bool) *Broker {
	t.Helper()
	b, err := newBroker(t.Context(), spec, strategies.BrokerRun{Scenario: "test", Strategy: t.Name(), RunID: "r1",
		Capacity: capacity, Reject: reject}, testTuning)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func subscribe(t *testing.T, b strategies.Broker) strategies.BrokerConsumer {
	t.Helper()
	c, err := b.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func next(t *testing.T, c strategies.BrokerConsumer, within time.Duration) strategies.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	d, err := c.Next(ctx)
	if err != nil {
		t.Fatalf("Next = %v, want a message within %v", err, within)
	}
	return d
}

// Published messages come back in order, each acknowledged once; the
// stream is empty after, and every mode and storage counts the same.
func TestPublishConsumeAck(t *testing.T) {
	t.Parallel()
	for _, storage := range []strategies.BrokerStorage{strategies.StorageMemory, strategies.StorageFile} {
		for _, mode := range []strategies.PublishMode{strategies.PublishSync, strategies.PublishAsync} {
			t.Run(fmt.Sprintf("%s-%s", storage, mode), func(t *testing.T) {
				t.Parallel()
				b := startBroker(t, jsSpec(func(s *strategies.BrokerSpec) { s.Storage, s.Publish = storage, mode }), 100, false)
				const n = 20
				began := time.Unix(1700000000, 0)
				for seq := range uint64(n) {
					if err := b.Publish(t.Context(), strategies.Message{Seq: seq, Call: int(seq % 3), Intended: began}); err != nil {
						t.Fatalf("Publish(%d) = %v", seq, err)
					}
				}
				if got := b.Depth(); got != n {
					t.Errorf("Depth after %d publishes = %d", n, got)
				}
				b.sample() // the sampler's ticks may all fall before or after
				c := subscribe(t, b)
				for seq := range uint64(n) {
					d := next(t, c, 5*time.Second)
					if d.Seq != seq || d.Call != int(seq%3) || !d.Intended.Equal(began) || d.Redelivered || d.DeadLetter {
						t.Fatalf("delivery %d = %+v, want seq %d call %d, first delivery", seq, d, seq, seq%3)
					}
					if err := c.Ack(d); err != nil {
						t.Fatalf("Ack(%d) = %v", seq, err)
					}
				}
				if got := b.Depth(); got != 0 {
					t.Errorf("Depth after every ack = %d, want 0", got)
				}
				_ = b.Close()
				r, h := b.Report()
				if r.Published != n || r.StreamRemaining != 0 || r.Redelivered != 0 || r.ServerDuplicates != 0 || h.Count() != n {
					t.Errorf("Report = %+v, %d ack latencies; want %d published, nothing left or repeated", r, h.Count(), n)
				}
				if r.Storage != string(storage) || r.Publish != string(mode) || r.Server != "embedded" || r.Version == "" {
					t.Errorf("Report settings = %+v", r)
				}
				if r.MaxStreamBacklog != n || len(r.StreamBacklog) < 3 {
					t.Errorf("the stream's backlog was not sampled: max %d, %d samples", r.MaxStreamBacklog, len(r.StreamBacklog))
				}
			})
		}
	}
}

// A publish sent again (its PubAck lost) is stored once: the server says
// duplicate, and the broker counts it.
func TestRetriedPublishIsDeduplicated(t *testing.T) {
	t.Parallel()
	b := startBroker(t, jsSpec(nil), 100, false)
	m := strategies.Message{Seq: 7, Call: 1, Intended: time.Now()}
	// The first attempt reached the stream; its answer never came back.
	first := &nats.Msg{Subject: b.names.subject, Data: appendBody(nil, m.Seq, m.Call, m.Intended),
		Header: nats.Header{jetstream.MsgIDHeader: []string{b.msgID(m)}}}
	if _, err := b.js.PublishMsg(t.Context(), first); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(t.Context(), m); err != nil {
		t.Fatalf("Publish (the retry) = %v", err)
	}
	info, err := b.stream.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 || b.serverDups.Load() != 1 {
		t.Errorf("stream holds %d messages, %d duplicates counted; want 1 and 1", info.State.Msgs, b.serverDups.Load())
	}
}

// A consumer that dies holding a message leaves it to the server, which
// delivers it again after the ack wait, marked redelivered.
func TestRedeliveryAfterAckWait(t *testing.T) {
	t.Parallel()
	const ackWait = 150 * time.Millisecond
	b := startBroker(t, jsSpec(func(s *strategies.BrokerSpec) { s.AckWait = units.Duration(ackWait) }), 10, false)
	if err := b.Publish(t.Context(), strategies.Message{Seq: 1}); err != nil {
		t.Fatal(err)
	}
	dying := subscribe(t, b)
	d := next(t, dying, 5*time.Second)
	died := time.Now()
	_ = dying.Close()
	if err := dying.Ack(d); !errors.Is(err, strategies.ErrConsumerGone) {
		t.Errorf("Ack after Close = %v, want ErrConsumerGone", err)
	}
	c := subscribe(t, b)
	d = next(t, c, 5*time.Second)
	if waited := time.Since(died); !d.Redelivered || d.Seq != 1 || waited < ackWait*8/10 {
		t.Errorf("redelivery %+v after %v; want seq 1 marked redelivered, after the %v ack wait", d, waited, ackWait)
	}
	if err := c.Ack(d); err != nil {
		t.Fatal(err)
	}
	if b.redelivered.Load() != 1 || b.Depth() != 0 {
		t.Errorf("%d redeliveries counted, depth %d; want 1 and 0", b.redelivered.Load(), b.Depth())
	}
}

// A consumer slower than the ack wait is not dead: the server delivers the
// message to another, both make the call, and only the first
// acknowledgement counts. The slower one is told ErrAlreadyAcked, and the
// stream is left empty.
func TestSlowConsumerAlreadyAcked(t *testing.T) {
	t.Parallel()
	const ackWait = 100 * time.Millisecond
	b := startBroker(t, jsSpec(func(s *strategies.BrokerSpec) { s.AckWait = units.Duration(ackWait) }), 10, false)
	if err := b.Publish(t.Context(), strategies.Message{Seq: 3}); err != nil {
		t.Fatal(err)
	}
	slow, fast := subscribe(t, b), subscribe(t, b)
	d1 := next(t, slow, 5*time.Second)
	d2 := next(t, fast, 5*time.Second) // after the ack wait
	if !d2.Redelivered || d2.Seq != 3 {
		t.Fatalf("second delivery %+v, want seq 3 redelivered", d2)
	}
	if err := fast.Ack(d2); err != nil {
		t.Fatalf("first Ack = %v", err)
	}
	if err := slow.Ack(d1); !errors.Is(err, strategies.ErrAlreadyAcked) {
		t.Errorf("the slow consumer's Ack = %v, want ErrAlreadyAcked", err)
	}
	_ = b.Close()
	r, _ := b.Report()
	if r.AlreadyAcked != 1 || r.StreamRemaining != 0 || b.Depth() != 0 {
		t.Errorf("already acked %d, stream remaining %d, depth %d; want 1, 0, 0", r.AlreadyAcked, r.StreamRemaining, b.Depth())
	}
}

// A message delivered max_deliver times and never acknowledged comes back
// once more, as a dead letter; its ack takes it out of the stream.
func TestDeadLetter(t *testing.T) {
	t.Parallel()
	b := startBroker(t, jsSpec(func(s *strategies.BrokerSpec) {
		s.AckWait, s.MaxDeliver = units.Duration(50*time.Millisecond), 2
	}), 10, false)
	if err := b.Publish(t.Context(), strategies.Message{Seq: 9, Call: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		c := subscribe(t, b)
		if d := next(t, c, 5*time.Second); d.DeadLetter || d.Redelivered != (i > 0) {
			t.Fatalf("delivery %d = %+v, want an ordinary one", i+1, d)
		}
		_ = c.Close()
	}
	c := subscribe(t, b)
	d := next(t, c, 5*time.Second)
	if !d.DeadLetter || d.Seq != 9 || d.Call != 2 {
		t.Fatalf("after max_deliver deliveries: %+v, want seq 9 call 2 as a dead letter", d)
	}
	if err := c.Ack(d); err != nil {
		t.Fatal(err)
	}
	_ = b.Close()
	r, _ := b.Report()
	if b.DeadLettered() != 1 || b.Depth() != 0 || r.StreamRemaining != 0 {
		t.Errorf("dead-lettered %d, depth %d, stream remaining %d; want 1, 0, 0", b.DeadLettered(), b.Depth(), r.StreamRemaining)
	}
}

// A full stream (capacity) refuses at once with when_full: reject, and
// makes the publisher wait with block.
func TestFullStream(t *testing.T) {
	t.Parallel()
	for _, reject := range []bool{true, false} {
		b := startBroker(t, jsSpec(nil), 2, reject)
		for seq := range uint64(2) {
			if err := b.Publish(t.Context(), strategies.Message{Seq: seq}); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		err := b.Publish(ctx, strategies.Message{Seq: 2})
		cancel()
		want := strategies.ErrBrokerFull
		if !reject {
			want = context.DeadlineExceeded
		}
		if !errors.Is(err, want) {
			t.Errorf("reject %v: Publish on a full stream = %v, want %v", reject, err, want)
		}
		if b.Depth() != 2 {
			t.Errorf("reject %v: Depth = %d, want the 2 held", reject, b.Depth())
		}
	}
}

// Closing wakes the waiting; the messages left stay counted.
func TestClose(t *testing.T) {
	t.Parallel()
	b := startBroker(t, jsSpec(nil), 10, false)
	if err := b.Publish(t.Context(), strategies.Message{Seq: 1}); err != nil {
		t.Fatal(err)
	}
	c := subscribe(t, b)
	d := next(t, c, 5*time.Second)
	idle := subscribe(t, b)
	woke := make(chan error)
	go func() {
		_, err := idle.Next(t.Context())
		woke <- err
	}()
	_ = b.Close()
	if err := <-woke; !errors.Is(err, strategies.ErrBrokerClosed) {
		t.Errorf("a waiting Next after Close = %v, want ErrBrokerClosed", err)
	}
	if err := b.Publish(t.Context(), strategies.Message{Seq: 2}); !errors.Is(err, strategies.ErrBrokerClosed) {
		t.Errorf("Publish after Close = %v", err)
	}
	if _, err := b.Subscribe(); !errors.Is(err, strategies.ErrBrokerClosed) {
		t.Errorf("Subscribe after Close = %v", err)
	}
	if b.Depth() != 1 {
		t.Errorf("Depth after Close = %d, want the 1 undelivered", b.Depth())
	}
	r, _ := b.Report()
	if r.StreamRemaining != 1 {
		t.Errorf("stream remaining %d, want 1", r.StreamRemaining)
	}
	_ = d
}

// An unreachable external server is an error naming it without its
// credentials, before anything starts.
func TestCheckUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	spec := jsSpec(func(s *strategies.BrokerSpec) { s.URL = "nats://fanbench:hunter2-secret@" + addr })
	for name, err := range map[string]error{
		"check": strategies.CheckBroker(t.Context(), spec),
		"new": func() error {
			_, err := New(t.Context(), spec, strategies.BrokerRun{Capacity: 1})
			return err
		}(),
	} {
		if err == nil || !strings.Contains(err.Error(), "nats://fanbench:xxxxx@"+addr) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s of an unreachable server = %v; want an error naming nats://fanbench:xxxxx@%s", name, err, addr)
		}
	}
}

// listen: the embedded server takes a loopback port that other clients
// reach while it runs; keep: its store stays on disk, named in the report.
func TestEmbeddedListenAndKeep(t *testing.T) {
	t.Parallel()
	b := startBroker(t, jsSpec(func(s *strategies.BrokerSpec) {
		s.Listen, s.Storage, s.Keep = "127.0.0.1:0", strategies.StorageFile, true
	}), 10, false)
	url := b.emb.URL()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connecting to the embedded server at %q: %v", url, err)
	}
	nc.Close()
	_ = b.Close()
	r, _ := b.Report()
	if r.Server != "embedded, listening on "+url || r.StoreDir == "" || !r.Kept {
		t.Errorf("Report = server %q, store %q, kept %v; want the URL and the kept store", r.Server, r.StoreDir, r.Kept)
	}
	if _, err := os.Stat(r.StoreDir); err != nil {
		t.Errorf("the kept store %s: %v", r.StoreDir, err)
	}
	_ = os.RemoveAll(r.StoreDir)
}
