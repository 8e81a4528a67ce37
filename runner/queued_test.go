package runner

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

func parseScenario(t *testing.T, src string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("queued.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// Everything acked is delivered, with the outcomes the paired draws
// predict; the duplicates the ledgers count are the retries' requests.
func TestQueuedRunDeliversWhatItAcked(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, `name: q
seed: 9
upstreams:
  profile: {mock: {latency: 2ms, errors: {500: 10%}}}
  audit: {mock: {latency: 2ms, errors: {500: 30%}}}
operation:
  calls:
    - {upstream: profile, method: PUT, path: "/users/{{.Seq}}", critical: true}
    - {upstream: audit, method: POST, path: /log}
strategies: [{name: queued, consumers: 4, capacity: 64}]
policies: {upstreams: {audit: {retry: {attempts: 2, backoff: 1ms, on: [5xx]}}}}
load: {rate: 200/s, duration: 1s}
`)
	// What the draws predict: the audit call fails only when its retry
	// fails too.
	var want metrics.Outcomes
	draw := func(name string) mockupstream.Drawer {
		up := sc.Upstreams[0]
		if up.Name != name {
			up = sc.Upstreams[1]
		}
		b, err := mockupstream.Compile(*up.Mock)
		if err != nil {
			t.Fatal(err)
		}
		return mockupstream.NewDrawer(sc.Seed, name, b)
	}
	profile, audit := draw("profile"), draw("audit")
	for seq := range uint64(200) {
		switch {
		case profile.Draw(seq, 0).Status != 200:
			want.Failed++
		case audit.Draw(seq, 0).Status != 200 && audit.Draw(seq, 1).Status != 200:
			want.Partial++
		default:
			want.OK++
		}
	}

	res, err := Run(t.Context(), sc, Options{SampleEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s := strategyByName(t, res, "queued")
	q := s.Queue
	if q == nil {
		t.Fatal("the queued strategy's result has no queue section")
	}
	if s.Operations != 200 || s.Outcomes.OK != 200 || q.Acked != 200 {
		t.Errorf("%d operations, %d ok, %d acked; want 200 acked ok", s.Operations, s.Outcomes.OK, q.Acked)
	}
	if q.Delivered != q.Acked || q.Undelivered != 0 || q.Redeliveries != 0 {
		t.Errorf("delivered %d, undelivered %d, redeliveries %d; want %d, 0, 0", q.Delivered, q.Undelivered, q.Redeliveries, q.Acked)
	}
	if q.DeliveredOutcomes != want {
		t.Errorf("delivered outcomes %+v, want the draws' %+v", q.DeliveredOutcomes, want)
	}
	if q.Consumers != 4 || q.Capacity != 64 || q.WhenFull != string(strategies.WhenFullBlock) {
		t.Errorf("queue options %d consumers, capacity %d, %s; want 4, 64, block", q.Consumers, q.Capacity, q.WhenFull)
	}
	if q.DeliveryLatency.Count != 200 || q.DeliveryLatency.P50 < 2 || s.Latency.P50 >= q.DeliveryLatency.P50 {
		t.Errorf("delivery latency %+v, ack latency p50 %.3f ms; want 200 deliveries of at least 2 ms, later than the acks",
			q.DeliveryLatency, s.Latency.P50)
	}
	if s.Histograms["delivery_latency"] == "" {
		t.Error("no delivery_latency histogram")
	}
	var retries uint64
	for _, u := range s.Upstreams {
		if u.Calls != 200 {
			t.Errorf("upstream %s: %d calls recorded, want 200", u.Name, u.Calls)
		}
		retries += u.Attempts - u.Calls
	}
	if retries == 0 || q.Duplicates != retries {
		t.Errorf("the ledgers count %d duplicates, want the %d retries (and more than 0)", q.Duplicates, retries)
	}
	if len(q.Backlog) == 0 {
		t.Error("no backlog samples")
	}
	for _, b := range q.Backlog {
		if b.Value > q.MaxBacklog || b.Value > q.Capacity {
			t.Errorf("backlog sample %+v above the max %d or the capacity %d", b, q.MaxBacklog, q.Capacity)
		}
	}
	if s.Options["drain"] == "" {
		t.Errorf("options %v lack the drain", s.Options)
	}
}

// A backlog that outlasts the drain deadline is reported undelivered;
// and when the run is interrupted, the drain gets the grace period only.
func TestQueuedRunReportsUndelivered(t *testing.T) {
	t.Parallel()
	const src = `name: q
upstreams: {slow: {mock: {latency: 1s}}}
operation: {calls: [{upstream: slow, path: "/a/{{.Seq}}"}, {upstream: slow, path: "/b/{{.Seq}}"}]}
strategies: [{name: queued, consumers: 1, drain: %s}]
load: {rate: 50/s, duration: %s}
`
	tests := []struct {
		name        string
		drain, load string
		stopAfter   time.Duration // 0: not interrupted
	}{
		{"drain deadline", "50ms", "200ms", 0},
		{"interrupted", "30s", "5s", 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := parseScenario(t, fmt.Sprintf(src, tt.drain, tt.load))
			ctx := t.Context()
			if tt.stopAfter > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.stopAfter)
				defer cancel()
			}
			res, err := Run(ctx, sc, Options{Grace: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if res.Interrupted != (tt.stopAfter > 0) {
				t.Errorf("interrupted = %v, want %v", res.Interrupted, tt.stopAfter > 0)
			}
			q := strategyByName(t, res, "queued").Queue
			if q == nil {
				t.Fatal("no queue section")
			}
			// The first call takes 1 s: nothing is delivered before the drain ends.
			if q.Acked == 0 || q.Delivered != 0 || q.Undelivered != 2*q.Acked {
				t.Errorf("acked %d, delivered %d, undelivered %d; want every acked call undelivered", q.Acked, q.Delivered, q.Undelivered)
			}
			if q.DrainS > 5 {
				t.Errorf("the drain took %.1f s, want it cut short (drain %s, grace 100ms)", q.DrainS, tt.drain)
			}
		})
	}
}

// A full broker that rejects fails the calls it refuses, and the worker
// records them; the acked operation's calls stay the broker's.
func TestQueuedRunRejectsWhenFull(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, `name: q
upstreams: {slow: {mock: {latency: 1s}}}
operation: {calls: [{upstream: slow, path: "/a/{{.Seq}}", critical: true}, {upstream: slow, path: "/b/{{.Seq}}"}]}
strategies: [{name: queued, consumers: 1, capacity: 2, when_full: reject, drain: 50ms}]
load: {rate: 50/s, duration: 200ms}
`)
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := strategyByName(t, res, "queued")
	q := s.Queue
	if q == nil {
		t.Fatal("no queue section")
	}
	// The first operation fills the broker until its first call, 1 s
	// long, is delivered: every later one is refused whole.
	refused := s.Operations - 1
	if s.Operations < 2 || q.Acked != 1 || s.Outcomes.Failed != refused || q.WhenFull != string(strategies.WhenFullReject) {
		t.Errorf("%d operations, %d acked, outcomes %+v, when full %q; want 1 acked, the rest failed, reject",
			s.Operations, q.Acked, s.Outcomes, q.WhenFull)
	}
	if got := s.Upstreams[0].Statuses["rejected"]; got != 2*refused {
		t.Errorf("%d calls recorded rejected, want %d", got, 2*refused)
	}
	if q.Delivered != 0 || q.Undelivered != 2 {
		t.Errorf("delivered %d, undelivered %d; want 0 and the acked operation's 2 calls", q.Delivered, q.Undelivered)
	}
}

// Warm-up operations of a queued strategy are delivered but, like every
// strategy's, not measured: the consumers leave them out too.
func TestQueuedLeavesTheWarmupOut(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, `
name: warm
upstreams:
  a: {mock: {latency: 2ms}}
operation:
  calls: [{upstream: a, method: POST, path: /x}]
strategies: [{name: queued, consumers: 4}]
load: {rate: 100/s, duration: 1s, warmup: 500ms}
`)
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sr := strategyByName(t, res, "queued")
	if sr.Operations != 50 || sr.Queue == nil || sr.Queue.Delivered != 50 || sr.Upstreams[0].Calls != 50 {
		t.Errorf("%d operations measured, queue %+v, %d calls recorded; want 50 of each (the 50 warm-up ones left out)",
			sr.Operations, sr.Queue, sr.Upstreams[0].Calls)
	}
}
