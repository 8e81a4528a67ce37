package jetstream

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

// sinks records what the queued strategy's consumers delivered, a sink per
// consumer, summed after the drain.
type sinks struct {
	mu  sync.Mutex
	all []*sink
}

type sink struct {
	calls, failed, dead, redeliveries, ops, opsAcked int
}

func (s *sinks) newSink(int) strategies.DeliverySink {
	k := &sink{}
	s.mu.Lock()
	s.all = append(s.all, k)
	s.mu.Unlock()
	return k
}

func (s *sinks) total() sink {
	var t sink
	for _, k := range s.all {
		t.calls += k.calls
		t.failed += k.failed
		t.dead += k.dead
		t.redeliveries += k.redeliveries
		t.ops += k.ops
		t.opsAcked += k.opsAcked
	}
	return t
}

func (k *sink) Call(_ *strategies.Call, r *strategies.CallResult) {
	k.calls++
	switch {
	case r.Failure == strategies.FailureDeadLetter:
		k.dead++
	case !r.OK():
		k.failed++
	}
}

func (k *sink) Operation(d strategies.OperationDelivery) {
	k.ops++
	if d.Acked {
		k.opsAcked++
	}
}

func (k *sink) Redelivery() { k.redeliveries++ }

// The "zero acknowledged calls lost": consumers killed at random
// (hundreds of kills, before, during and after their requests) and the
// embedded server restarted once mid-run, on file storage. Every acked
// call is delivered (its key answered 2xx in its mock's ledger), nothing
// is left undelivered or in the stream, and the duplicates the kills
// caused are counted in the ledgers, no more than the redeliveries.
func TestKillsAndRestartLoseNothing(t *testing.T) {
	t.Parallel()
	for _, mode := range []strategies.PublishMode{strategies.PublishSync, strategies.PublishAsync} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			killsAndRestart(t, mode)
		})
	}
}

func killsAndRestart(t *testing.T, mode strategies.PublishMode) {
	const (
		ops       = 300
		wantKills = 300
	)
	cfg := mockupstream.Config{Latency: draws.Latency{Dist: "uniform", Min: units.Duration(300 * time.Microsecond), Max: units.Duration(2 * time.Millisecond)}}
	var mocks []*mockupstream.Server
	var calls []strategies.Call
	for i, name := range []string{"payment", "audit"} {
		srv, err := mockupstream.Start(mockupstream.Options{Name: name, Seed: 5, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		mocks = append(mocks, srv)
		path, err := calltemplate.Parse("/"+name+"/{{.Seq}}", calltemplate.Env{})
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, strategies.Call{Index: i, Upstream: name, UpstreamIndex: i, Method: "POST", BaseURL: srv.URL(), Path: path, Critical: i == 0})
	}
	hc := strategies.NewHTTPCaller(strategies.HTTPOptions{Timeout: 5 * time.Second})
	defer hc.Close()

	b, err := newBroker(t.Context(), jsSpec(func(s *strategies.BrokerSpec) {
		s.Storage, s.AckWait, s.Publish = strategies.StorageFile, units.Duration(100*time.Millisecond), mode
	}), strategies.BrokerRun{Scenario: "chaos", Strategy: "queued", RunID: "r1", Capacity: 64}, testTuning)
	if err != nil {
		t.Fatal(err)
	}
	q, err := strategies.NewQueued(hc, strategies.QueueOptions{Consumers: 8, Capacity: 64, Instance: b})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	s := &sinks{}
	if err := q.Start(s.newSink); err != nil {
		t.Fatal(err)
	}

	// Four publishers; the server restarts once half the operations are in.
	var acked, started atomic.Int64
	restarted := make(chan error, 1)
	var pubs sync.WaitGroup
	for p := range 4 {
		pubs.Go(func() {
			op := strategies.NewOperation(calls)
			for seq := uint64(p); seq < ops; seq += 4 {
				if started.Add(1) == ops/2 {
					go func() { restarted <- b.RestartServer() }()
				}
				op.Seq, op.Intended = seq, time.Now()
				if q.Execute(t.Context(), op) == strategies.OK {
					acked.Add(1)
				}
			}
		})
	}
	// The killer: at random moments of the consumers' calls.
	published := make(chan struct{})
	go func() { pubs.Wait(); close(published) }()
	kills := 0
	deadline := time.Now().Add(20 * time.Second)
	for kills < wantKills && time.Now().Before(deadline) {
		if q.KillConsumer() {
			kills++
		}
		time.Sleep(time.Duration(100+kills*37%400) * time.Microsecond)
	}
	<-published
	if err := <-restarted; err != nil {
		t.Fatalf("RestartServer: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	undelivered := q.Drain(ctx)

	r, _ := b.Report()
	got := s.total()
	t.Logf("%d kills, %d redeliveries (server: %d), %d already acked, %d stale, %d publish retries, %d server duplicates, %d restart",
		kills, got.redeliveries, r.Redelivered, r.AlreadyAcked, r.Stale, r.PublishRetries, r.ServerDuplicates, r.Restarts)
	if kills < wantKills/2 {
		t.Errorf("only %d kills landed, want hundreds", kills)
	}
	if acked.Load() != ops || undelivered != 0 || r.StreamRemaining != 0 {
		t.Fatalf("%d of %d operations acked, %d calls undelivered, %d left in the stream; want all acked and nothing left",
			acked.Load(), ops, undelivered, r.StreamRemaining)
	}
	if got.calls != 2*ops || got.opsAcked != ops || got.failed != 0 || got.dead != 0 {
		t.Errorf("delivered %d calls (%d failed, %d dead), %d operations; want %d calls, all answered 2xx, and %d operations",
			got.calls, got.failed, got.dead, got.opsAcked, 2*ops, ops)
	}
	var duplicates uint64
	for _, srv := range mocks {
		l := srv.Ledger()
		st := l.Snapshot()
		for seq := range uint64(ops) {
			if key := strategies.IdempotencyKey(seq, calls[0].Index); srv.Name() == "payment" && !l.Contains(key) {
				t.Fatalf("payment's ledger lacks %s: an acknowledged call was lost", key)
			}
		}
		if st.AcceptedKeys != ops {
			t.Errorf("%s's ledger: %d keys answered 2xx, want %d", srv.Name(), st.AcceptedKeys, ops)
		}
		duplicates += st.DuplicateRequests
	}
	// A duplicate request needs a second delivery of its message.
	if duplicates > uint64(got.redeliveries) {
		t.Errorf("the ledgers count %d duplicate requests, more than the %d redeliveries", duplicates, got.redeliveries)
	}
	if r.Restarts != 1 || got.redeliveries == 0 {
		t.Errorf("%d restarts, %d redeliveries: the chaos did not happen", r.Restarts, got.redeliveries)
	}
	t.Logf("%d duplicate requests in the ledgers", duplicates)
}
