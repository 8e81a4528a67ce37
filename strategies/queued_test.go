package strategies

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

// queuedCalls are two calls with indexes of their own, so their
// idempotency keys differ.
func queuedCalls() []Call {
	return []Call{
		{Index: 0, Upstream: "profile", UpstreamIndex: 0, Method: "PUT", Critical: true},
		{Index: 1, Upstream: "audit", UpstreamIndex: 1, Method: "POST"},
	}
}

// deliveryLog is a DeliverySink for tests, one per consumer; read it after
// Drain, when its consumer's goroutine is done.
type deliveryLog struct {
	calls        []CallResult
	upstreams    []string
	ops          []OperationDelivery
	redeliveries int
}

func (l *deliveryLog) Call(c *Call, r *CallResult) {
	l.calls = append(l.calls, *r)
	l.upstreams = append(l.upstreams, c.Upstream)
}
func (l *deliveryLog) Operation(d OperationDelivery) { l.ops = append(l.ops, d) }
func (l *deliveryLog) Redelivery()                   { l.redeliveries++ }

// deliveryLogs gives each consumer a log and sums them.
type deliveryLogs struct{ logs []*deliveryLog }

func (d *deliveryLogs) newSink(int) DeliverySink {
	l := &deliveryLog{}
	d.logs = append(d.logs, l)
	return l
}

func (d *deliveryLogs) total() deliveryLog {
	var t deliveryLog
	for _, l := range d.logs {
		t.calls = append(t.calls, l.calls...)
		t.upstreams = append(t.upstreams, l.upstreams...)
		t.ops = append(t.ops, l.ops...)
		t.redeliveries += l.redeliveries
	}
	return t
}

// keyCaller answers without I/O, 200 unless status says otherwise for the
// upstream, and counts the calls it got by idempotency key.
type keyCaller struct {
	status map[string]int
	// gate, when not nil, holds every call until it is closed or the
	// call's context ends.
	gate chan struct{}
	// hold picks calls whose first delivery sends its context on held
	// and then waits for it to end: a consumer stuck mid-call, to kill.
	hold func(seq uint64, index int) bool
	held chan context.Context

	mu   sync.Mutex
	seen map[string]int
}

func (k *keyCaller) Call(ctx context.Context, seq uint64, c *Call) CallResult {
	key := IdempotencyKey(seq, c.Index)
	k.mu.Lock()
	if k.seen == nil {
		k.seen = map[string]int{}
	}
	k.seen[key]++
	first := k.seen[key] == 1
	k.mu.Unlock()
	if first && k.hold != nil && k.hold(seq, c.Index) {
		k.held <- ctx
		<-ctx.Done()
		return CallResult{Failure: FailureCanceled, Err: ctx.Err(), Attempts: 1}
	}
	if k.gate != nil {
		select {
		case <-k.gate:
		case <-ctx.Done():
			return CallResult{Failure: FailureCanceled, Err: ctx.Err(), Attempts: 1}
		}
	}
	status := 200
	if s, ok := k.status[c.Upstream]; ok {
		status = s
	}
	return CallResult{Status: status, Attempts: 1}
}

func (k *keyCaller) count(seq uint64, index int) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.seen[IdempotencyKey(seq, index)]
}

func newStartedQueued(t *testing.T, caller Caller, o QueueOptions, logs *deliveryLogs) *Queued {
	t.Helper()
	q, err := NewQueued(caller, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	if logs != nil {
		if err := q.Start(logs.newSink); err != nil {
			t.Fatal(err)
		}
	}
	return q
}

func drain(t *testing.T, q *Queued) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	return q.Drain(ctx)
}

// The ack comes before any delivery: Execute returns OK with both calls
// held, while the caller has answered nothing.
func TestQueuedAcksBeforeDelivery(t *testing.T) {
	t.Parallel()
	caller := &keyCaller{gate: make(chan struct{})}
	logs := &deliveryLogs{}
	q := newStartedQueued(t, caller, QueueOptions{Consumers: 2, Capacity: 8}, logs)
	op := NewOperation(queuedCalls())
	op.Seq, op.Intended = 5, time.Now().Add(-time.Hour)
	op.Results[0] = CallResult{Status: 500} // left from an earlier operation
	if got := q.Execute(t.Context(), op); got != OK {
		t.Fatalf("Execute = %v, want ok: both calls enqueued", got)
	}
	for i, r := range op.Results {
		if r != (CallResult{}) {
			t.Errorf("Results[%d] = %+v after the ack, want zero: the call is not delivered yet", i, r)
		}
	}
	if got := q.Depth(); got != 2 {
		t.Errorf("Depth after the ack = %d, want 2 messages held", got)
	}
	close(caller.gate)
	if n := drain(t, q); n != 0 {
		t.Fatalf("Drain left %d calls undelivered, want 0", n)
	}
	total := logs.total()
	if len(total.calls) != 2 || len(total.ops) != 1 {
		t.Fatalf("reported %d calls and %d operations, want 2 and 1", len(total.calls), len(total.ops))
	}
	d := total.ops[0]
	if !d.Acked || d.Outcome != OK || d.Latency < time.Hour || d.Compensations != (Compensations{}) {
		t.Errorf("operation delivered = %+v, want acked, ok, latency ≥ 1h from the intended start, no compensations", d)
	}
	if got := q.Depth(); got != 0 {
		t.Errorf("Depth after the drain = %d, want 0", got)
	}
}

// The outcome the sink hears is the delivered one; the ack was OK anyway.
func TestQueuedReportsDeliveredOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status map[string]int
		want   Outcome
	}{
		{"all ok", nil, OK},
		{"non-critical fails", map[string]int{"audit": 503}, Partial},
		{"critical fails", map[string]int{"profile": 500}, Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &deliveryLogs{}
			q := newStartedQueued(t, &keyCaller{status: tt.status}, QueueOptions{Consumers: 1, Capacity: 4}, logs)
			op := NewOperation(queuedCalls())
			if got := q.Execute(t.Context(), op); got != OK {
				t.Errorf("Execute = %v, want ok: the ack does not wait for the answers", got)
			}
			if n := drain(t, q); n != 0 {
				t.Fatalf("Drain left %d undelivered", n)
			}
			total := logs.total()
			if len(total.ops) != 1 || total.ops[0].Outcome != tt.want {
				t.Fatalf("operations reported %+v, want one with outcome %v", total.ops, tt.want)
			}
			for i, r := range total.calls {
				want := 200
				if s, ok := tt.status[total.upstreams[i]]; ok {
					want = s
				}
				if r.Status != want || r.Attempts != 1 {
					t.Errorf("call to %s reported %+v, want status %d, 1 attempt", total.upstreams[i], r, want)
				}
			}
		})
	}
}

// Without kills, every call is delivered exactly once, even when the
// broker is small enough to make publishers wait.
func TestQueuedDeliversEveryCallOnce(t *testing.T) {
	t.Parallel()
	const publishers, perPublisher = 4, 100
	caller := &keyCaller{}
	logs := &deliveryLogs{}
	q := newStartedQueued(t, caller, QueueOptions{Consumers: 4, Capacity: 8}, logs)
	intended := time.Now()
	var wg sync.WaitGroup
	acks := make([]int, publishers)
	for p := range publishers {
		wg.Go(func() {
			op := NewOperation(queuedCalls())
			for i := range perPublisher {
				op.Seq, op.Intended = uint64(p*perPublisher+i), intended
				if q.Execute(t.Context(), op) == OK {
					acks[p]++
				}
			}
		})
	}
	wg.Wait()
	if n := drain(t, q); n != 0 {
		t.Fatalf("Drain left %d undelivered", n)
	}
	acked := 0
	for _, a := range acks {
		acked += a
	}
	total := logs.total()
	if acked != publishers*perPublisher || len(total.ops) != acked || len(total.calls) != 2*acked || total.redeliveries != 0 {
		t.Errorf("acked %d; reported %d operations, %d calls, %d redeliveries; want %d, %d, %d, 0",
			acked, len(total.ops), len(total.calls), total.redeliveries, publishers*perPublisher, acked, 2*acked)
	}
	for seq := range uint64(publishers * perPublisher) {
		for i := range 2 {
			if n := caller.count(seq, i); n != 1 {
				t.Fatalf("call %s was made %d times, want once", IdempotencyKey(seq, i), n)
			}
		}
	}
	for _, d := range total.ops {
		if !d.Acked || d.Outcome != OK || d.Latency <= 0 {
			t.Fatalf("operation delivered = %+v, want acked, ok, a positive latency", d)
		}
	}
}

// A drain whose deadline passes stops the consumers and reports every call
// not delivered, the one cut short in flight included; afterwards nothing
// is accepted.
func TestQueuedDrainDeadlineReportsUndelivered(t *testing.T) {
	t.Parallel()
	caller := &keyCaller{gate: make(chan struct{})} // never opens: calls hang
	logs := &deliveryLogs{}
	q := newStartedQueued(t, caller, QueueOptions{Consumers: 1, Capacity: 8}, logs)
	op := NewOperation(queuedCalls())
	for seq := range uint64(3) {
		op.Seq = seq
		if got := q.Execute(t.Context(), op); got != OK {
			t.Fatalf("Execute(seq %d) = %v, want ok", seq, got)
		}
	}
	expired, cancel := context.WithCancel(t.Context())
	cancel()
	if n := q.Drain(expired); n != 6 {
		t.Errorf("Drain past its deadline = %d undelivered, want all 6 calls", n)
	}
	if total := logs.total(); len(total.calls) != 0 || len(total.ops) != 0 {
		t.Errorf("reported %d calls and %d operations as delivered, want none", len(total.calls), len(total.ops))
	}
	op.Seq = 3
	if got := q.Execute(t.Context(), op); got != Failed || op.Results[0].Failure != FailureRejected || !errors.Is(op.Results[1].Err, ErrQueueClosed) {
		t.Errorf("Execute after Drain = %v, results %+v; want failed, both rejected with ErrQueueClosed", got, op.Results)
	}
	if n := q.Drain(t.Context()); n != 6 {
		t.Errorf("a second Drain = %d, want the same 6", n)
	}
}

// A failed operation compensates the calls that succeeded, after delivery.
func TestQueuedCompensatesFailedOperation(t *testing.T) {
	t.Parallel()
	calls := []Call{
		{Index: 0, Upstream: "payment", Method: "POST", Critical: true,
			Compensation: &Call{Index: 2, Upstream: "refund", UpstreamIndex: 2, Method: "POST"}},
		{Index: 1, Upstream: "stock", UpstreamIndex: 1, Method: "POST", Critical: true},
	}
	caller := &keyCaller{status: map[string]int{"stock": 409}}
	logs := &deliveryLogs{}
	q := newStartedQueued(t, caller, QueueOptions{Consumers: 2, Capacity: 4}, logs)
	op := NewOperation(calls)
	op.Seq = 11
	if got := q.Execute(t.Context(), op); got != OK {
		t.Fatalf("Execute = %v, want ok", got)
	}
	if n := drain(t, q); n != 0 {
		t.Fatalf("Drain left %d undelivered", n)
	}
	total := logs.total()
	want := OperationDelivery{Acked: true, Outcome: Failed, Compensations: Compensations{Sent: 1, Attempts: 1}}
	if len(total.ops) != 1 {
		t.Fatalf("reported %d operations, want 1", len(total.ops))
	}
	got := total.ops[0]
	got.Latency = 0
	if got != want {
		t.Errorf("operation delivered = %+v, want %+v", got, want)
	}
	if n := caller.count(11, 2); n != 1 {
		t.Errorf("the refund was sent %d times, want once", n)
	}
}

// A full rejecting broker refuses the calls it has no room for; those
// already enqueued are still delivered, and the operation's delivery is
// reported as not acked.
func TestQueuedRejectsWhenFull(t *testing.T) {
	t.Parallel()
	caller := &keyCaller{}
	q, err := NewQueued(caller, QueueOptions{Consumers: 2, Capacity: 3, WhenFull: WhenFullReject})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	tests := []struct {
		seq      uint64
		want     Outcome
		rejected []bool // by call
	}{
		{1, OK, []bool{false, false}},
		{2, Partial, []bool{false, true}}, // room for one: the audit call is refused
		{3, Failed, []bool{true, true}},   // no room: the critical call is refused
	}
	for _, tt := range tests {
		op := NewOperation(queuedCalls())
		op.Seq = tt.seq
		if got := q.Execute(t.Context(), op); got != tt.want {
			t.Errorf("Execute(seq %d) = %v, want %v", tt.seq, got, tt.want)
		}
		for i, rej := range tt.rejected {
			r := op.Results[i]
			if rej != (r.Failure == FailureRejected && errors.Is(r.Err, ErrRejected)) || !rej && r != (CallResult{}) {
				t.Errorf("seq %d call %d: result %+v, want rejected %v (zero when enqueued)", tt.seq, i, r, rej)
			}
		}
	}
	logs := &deliveryLogs{}
	if err := q.Start(logs.newSink); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(logs.newSink); err == nil {
		t.Error("a second Start succeeded, want an error")
	}
	if n := drain(t, q); n != 0 {
		t.Fatalf("Drain left %d undelivered", n)
	}
	total := logs.total()
	if len(total.calls) != 3 || len(total.ops) != 2 {
		t.Fatalf("reported %d calls and %d operations, want the 3 enqueued calls of 2 operations", len(total.calls), len(total.ops))
	}
	acked := map[bool]Outcome{}
	for _, d := range total.ops {
		acked[d.Acked] = d.Outcome
	}
	if o, ok := acked[true]; !ok || o != OK {
		t.Errorf("the acked operation's delivery: %v (reported %v), want ok", o, ok)
	}
	if o, ok := acked[false]; !ok || o != Partial {
		t.Errorf("the half-rejected operation's delivery: %v (reported %v), want partial", o, ok)
	}
	if n := caller.count(3, 0) + caller.count(3, 1) + caller.count(2, 1); n != 0 {
		t.Errorf("rejected calls were made %d times, want never", n)
	}
}

// refusingBroker refuses the second call of every operation, once the
// first has been made: a refusal after a success.
type refusingBroker struct {
	*InProcBroker
	called chan struct{}
}

func (b *refusingBroker) Publish(ctx context.Context, m Message) error {
	if m.Call == 1 {
		<-b.called
		return ErrBrokerFull
	}
	return b.InProcBroker.Publish(ctx, m)
}

// signalCaller answers 200 and signals every call made.
type signalCaller struct{ called chan struct{} }

func (s signalCaller) Call(context.Context, uint64, *Call) CallResult {
	s.called <- struct{}{}
	return CallResult{Status: 200, Attempts: 1}
}

// A critical call refused after another call succeeded fails the
// operation, and the success is compensated exactly once, whether the
// consumer or Execute finishes the operation.
func TestQueuedRefusalAfterSuccessCompensates(t *testing.T) {
	t.Parallel()
	inner, _ := NewInProcBroker(InProcOptions{Capacity: 4})
	called := make(chan struct{}, 4)
	calls := []Call{
		{Index: 0, Upstream: "payment", Method: "POST", Compensation: &Call{Index: 2, Upstream: "refund", Method: "POST"}},
		{Index: 1, Upstream: "stock", Method: "POST", Critical: true},
	}
	logs := &deliveryLogs{}
	q := newStartedQueued(t, signalCaller{called: called}, QueueOptions{Consumers: 1, Instance: &refusingBroker{InProcBroker: inner, called: called}}, logs)
	op := NewOperation(calls)
	if got := q.Execute(t.Context(), op); got != Failed {
		t.Errorf("Execute = %v, want failed: the critical call was refused", got)
	}
	if n := drain(t, q); n != 0 {
		t.Fatalf("Drain left %d undelivered", n)
	}
	sent := op.Compensations.Sent
	for _, d := range logs.total().ops {
		if d.Acked || d.Outcome != Failed {
			t.Errorf("operation delivered = %+v, want not acked, failed", d)
		}
		sent += d.Compensations.Sent
	}
	if sent != 1 {
		t.Errorf("%d compensations sent, want 1 (the payment's refund)", sent)
	}
}

// Killed consumers lose nothing: the calls they held are delivered again
// (and counted as redeliveries), and every call is reported delivered
// exactly once.
func TestQueuedKillConsumerRedelivers(t *testing.T) {
	t.Parallel()
	const ops = 50
	pick := func(seq uint64, index int) bool { return seq%10 == 3 && index == 0 }
	caller := &keyCaller{hold: pick, held: make(chan context.Context)}
	logs := &deliveryLogs{}
	q := newStartedQueued(t, caller, QueueOptions{Consumers: 3, Capacity: 16}, logs)
	published := make(chan int)
	go func() {
		op, acked := NewOperation(queuedCalls()), 0
		for seq := range uint64(ops) {
			op.Seq = seq
			if q.Execute(t.Context(), op) == OK {
				acked++
			}
		}
		published <- acked
	}()
	kills := 0
	for range ops / 10 {
		held := <-caller.held
		for held.Err() == nil { // until the stuck consumer is the one killed
			if q.KillConsumer() {
				kills++
			}
		}
	}
	if acked := <-published; acked != ops {
		t.Fatalf("%d of %d operations acked, want all", acked, ops)
	}
	if n := drain(t, q); n != 0 {
		t.Fatalf("Drain left %d undelivered", n)
	}
	total := logs.total()
	if len(total.ops) != ops || len(total.calls) != 2*ops {
		t.Errorf("reported %d operations and %d calls, want %d and %d", len(total.ops), len(total.calls), ops, 2*ops)
	}
	if total.redeliveries < ops/10 || total.redeliveries > kills {
		t.Errorf("%d redeliveries after %d kills, want between %d (the stuck calls) and the kills", total.redeliveries, kills, ops/10)
	}
	for seq := range uint64(ops) {
		if pick(seq, 0) && caller.count(seq, 0) < 2 {
			t.Errorf("call %s was made %d times, want again after its consumer died", IdempotencyKey(seq, 0), caller.count(seq, 0))
		}
	}
	if q.KillConsumer() {
		t.Error("KillConsumer after Drain killed one, want false")
	}
}

func TestNewQueuedValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		caller Caller
		o      QueueOptions
	}{
		{"no caller", nil, QueueOptions{}},
		{"negative consumers", &keyCaller{}, QueueOptions{Consumers: -1}},
		{"negative capacity", &keyCaller{}, QueueOptions{Capacity: -1}},
	}
	for _, tt := range tests {
		if _, err := NewQueued(tt.caller, tt.o); err == nil {
			t.Errorf("NewQueued with %s succeeded, want an error", tt.name)
		}
	}
	q, err := New("queued", nil, &keyCaller{}, Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := q.(Background); !ok {
		t.Errorf("New(queued) = %T, want a Background strategy", q)
	}
	_ = q.(*Queued).Close()
}

// signalSink signals every operation delivered.
type signalSink struct {
	discardSink
	delivered chan struct{}
}

func (s signalSink) Operation(OperationDelivery) { s.delivered <- struct{}{} }

// An operation, acked and delivered, allocates nothing once warm.
func TestQueuedAllocs(t *testing.T) {
	delivered := make(chan struct{})
	q, err := NewQueued(nopCaller{}, QueueOptions{Consumers: 1, Capacity: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.Start(func(int) DeliverySink { return signalSink{delivered: delivered} }); err != nil {
		t.Fatal(err)
	}
	op := NewOperation(queuedCalls())
	ctx := context.Background()
	// A collection empties the operations' sync.Pool, and refilling it is
	// an allocation of the collection's, not of an operation: on a busy
	// machine one came within the 200 runs.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	allocs := testing.AllocsPerRun(200, func() {
		q.Execute(ctx, op)
		<-delivered
	})
	if allocs > 0 {
		t.Errorf("an operation allocates %.2f times, want 0", allocs)
	}
}

// deadLetterBroker is an in-process broker that marks the deliveries of
// the calls dead picks as dead letters, as a broker does once a message
// has been delivered max_deliver times.
type deadLetterBroker struct {
	*InProcBroker
	dead func(seq uint64, call int) bool
}

func (b *deadLetterBroker) Subscribe() (BrokerConsumer, error) {
	c, err := b.InProcBroker.Subscribe()
	return &deadLetterConsumer{BrokerConsumer: c, dead: b.dead}, err
}

type deadLetterConsumer struct {
	BrokerConsumer
	dead func(seq uint64, call int) bool
}

func (c *deadLetterConsumer) Next(ctx context.Context) (Delivery, error) {
	d, err := c.BrokerConsumer.Next(ctx)
	d.DeadLetter = err == nil && c.dead(d.Seq, d.Call)
	return d, err
}

// A dead-lettered call is not made: it fails as dead_letter, its operation
// is delivered with that outcome (nothing waits for it), and the drain
// leaves nothing behind.
func TestQueuedDeadLetterFailsCall(t *testing.T) {
	t.Parallel()
	inner, _ := NewInProcBroker(InProcOptions{Capacity: 16})
	dead := func(seq uint64, call int) bool { return seq == 1 && call == 0 || seq == 2 && call == 1 }
	caller := &keyCaller{}
	logs := &deliveryLogs{}
	q := newStartedQueued(t, caller, QueueOptions{Consumers: 2, Instance: &deadLetterBroker{InProcBroker: inner, dead: dead}}, logs)
	op := NewOperation(queuedCalls())
	for seq := range uint64(4) {
		op.Seq, op.Intended = seq, time.Now()
		if got := q.Execute(t.Context(), op); got != OK {
			t.Fatalf("Execute(seq %d) = %v, want ok", seq, got)
		}
	}
	if n := drain(t, q); n != 0 {
		t.Fatalf("Drain left %d undelivered, want 0", n)
	}
	total := logs.total()
	outcomes := map[Outcome]int{}
	for _, d := range total.ops {
		outcomes[d.Outcome]++
	}
	if len(total.ops) != 4 || outcomes[OK] != 2 || outcomes[Failed] != 1 || outcomes[Partial] != 1 {
		t.Errorf("delivered outcomes %v of %d operations, want 2 ok, 1 failed (critical call dead), 1 partial", outcomes, len(total.ops))
	}
	deadCalls := 0
	for _, r := range total.calls {
		if r.Failure == FailureDeadLetter {
			deadCalls++
			if !errors.Is(r.Err, ErrDeadLettered) || r.Attempts != 0 {
				t.Errorf("dead-lettered call result %+v, want ErrDeadLettered and no attempt", r)
			}
		}
	}
	if deadCalls != 2 || caller.count(1, 0) != 0 || caller.count(2, 1) != 0 {
		t.Errorf("%d dead-lettered calls reported, calls made for them: %d, %d; want 2 reported, none made", deadCalls, caller.count(1, 0), caller.count(2, 1))
	}
	if FailureDeadLetter.String() != "dead_letter" {
		t.Errorf("FailureDeadLetter.String() = %q", FailureDeadLetter.String())
	}
}
