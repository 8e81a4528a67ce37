package strategies

import (
	"context"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

// When a consumer is killed, relative to its call's request.
type killMoment uint8

const (
	noKill killMoment = iota
	// killBefore: before the request is sent; the upstream never sees it.
	killBefore
	// killDuring: while the request may be in flight; the upstream may or
	// may not have answered it.
	killDuring
	// killAfter: after the upstream answered, before the ack: the
	// redelivery is a duplicate the ledger must count.
	killAfter
)

// killingCaller makes calls through inner and, on the first delivery of
// the calls moment picks, lets the test kill the consumer at that moment:
// it sends its context on held and waits for the kill.
type killingCaller struct {
	inner  Caller
	moment func(seq uint64, index int) killMoment
	held   chan context.Context
	// first holds the keys delivered once; the channel (of one) is its lock.
	first chan map[string]bool
}

func (k *killingCaller) Call(ctx context.Context, seq uint64, c *Call) CallResult {
	m := <-k.first
	key := IdempotencyKey(seq, c.Index)
	again := m[key]
	m[key] = true
	k.first <- m
	moment := noKill
	if !again {
		moment = k.moment(seq, c.Index)
	}
	switch moment {
	case killBefore:
		k.held <- ctx
		<-ctx.Done()
		return CallResult{Failure: FailureCanceled, Err: ctx.Err()}
	case killDuring:
		k.held <- ctx
		return k.inner.Call(ctx, seq, c)
	case killAfter:
		r := k.inner.Call(ctx, seq, c)
		k.held <- ctx
		<-ctx.Done()
		return r
	}
	return k.inner.Call(ctx, seq, c)
}

// The "done when": consumers killed mid-run, several times and at
// every moment of a delivery, lose nothing. Every acknowledged call's
// idempotency key is in its mock upstream's ledger, answered 2xx, and the
// duplicates the kills caused are there to count.
func TestQueuedKilledConsumersLoseNothing(t *testing.T) {
	t.Parallel()
	const ops = 200
	cfg := mockupstream.Config{Latency: draws.Latency{Dist: "uniform", Min: units.Duration(200 * time.Microsecond), Max: units.Duration(2 * time.Millisecond)}}
	var mocks []*mockupstream.Server
	var calls []Call
	for i, name := range []string{"profile", "audit"} {
		srv, err := mockupstream.Start(mockupstream.Options{Name: name, Seed: 3, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		mocks = append(mocks, srv)
		path := mustPath(t, "/"+name+"/{{.Seq}}")
		calls = append(calls, Call{Index: i, Upstream: name, UpstreamIndex: i, Method: "POST", BaseURL: srv.URL(), Path: path, Critical: i == 0})
	}
	hc := NewHTTPCaller(HTTPOptions{Timeout: 5 * time.Second})
	defer hc.Close()
	moment := func(seq uint64, index int) killMoment {
		switch {
		case seq%25 == 3 && index == 0:
			return killBefore
		case seq%25 == 11 && index == 1:
			return killDuring
		case seq%25 == 19 && index == 0:
			return killAfter
		}
		return noKill
	}
	caller := &killingCaller{inner: hc, moment: moment, held: make(chan context.Context), first: make(chan map[string]bool, 1)}
	caller.first <- map[string]bool{}
	logs := &deliveryLogs{}
	q := newStartedQueued(t, caller, QueueOptions{Consumers: 4, Capacity: 32}, logs)

	published := make(chan int)
	go func() {
		op, acked := NewOperation(calls), 0
		for seq := range uint64(ops) {
			op.Seq, op.Intended = seq, time.Now()
			if q.Execute(t.Context(), op) == OK {
				acked++
			}
		}
		published <- acked
	}()
	kills, afterAnswer := 0, 0
	for range 3 * ops / 25 {
		held := <-caller.held
		for held.Err() == nil { // until the consumer stuck at the moment is the one killed
			if q.KillConsumer() {
				kills++
			}
		}
	}
	for seq := range uint64(ops) {
		if moment(seq, 0) == killAfter {
			afterAnswer++
		}
	}
	acked := <-published
	if acked != ops {
		t.Fatalf("%d of %d operations acked, want all (the broker blocks when full)", acked, ops)
	}
	if n := drain(t, q); n != 0 {
		t.Fatalf("Drain left %d calls undelivered, want 0", n)
	}

	total := logs.total()
	if len(total.ops) != acked || len(total.calls) != 2*acked {
		t.Errorf("reported %d operations and %d calls delivered, want %d and %d", len(total.ops), len(total.calls), acked, 2*acked)
	}
	var duplicates uint64
	for _, srv := range mocks {
		l := srv.Ledger()
		st := l.Snapshot()
		if st.UniqueKeys != uint64(acked) || st.AcceptedKeys != uint64(acked) {
			t.Errorf("%s's ledger: %d unique keys, %d answered 2xx; want every one of the %d acked calls", srv.Name(), st.UniqueKeys, st.AcceptedKeys, acked)
		}
		for seq := range uint64(acked) {
			if key := IdempotencyKey(seq, calls[0].Index); srv.Name() == "profile" && !l.Contains(key) {
				t.Fatalf("profile's ledger lacks %s: an acknowledged call was lost", key)
			}
		}
		duplicates += st.DuplicateRequests
	}
	// Each kill after the answer sends the call again; a kill during the
	// request may or may not; a kill before it never does.
	if duplicates < uint64(afterAnswer) || duplicates > uint64(total.redeliveries) {
		t.Errorf("the ledgers count %d duplicate requests, want between %d (kills after the answer) and the %d redeliveries",
			duplicates, afterAnswer, total.redeliveries)
	}
	if total.redeliveries < 3*ops/25 || total.redeliveries > kills {
		t.Errorf("%d redeliveries after %d kills, want at least the %d stuck consumers' and at most one per kill", total.redeliveries, kills, 3*ops/25)
	}
	t.Logf("%d kills, %d redeliveries, %d duplicates in the ledgers", kills, total.redeliveries, duplicates)
}
