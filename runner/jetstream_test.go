package runner

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// The same queued scenario on the in-process broker and on JetStream
// (embedded, memory and file storage) delivers the same calls with the
// same outcomes; JetStream's result adds the broker's own view.
//
// Not parallel: two embedded servers' work (and the CPU profile that
// measures them) would crowd this package's timing tests, which run in
// parallel once the serial tests are done.
func TestQueuedOnJetStream(t *testing.T) {
	sc := parseScenario(t, `name: q-js
seed: 9
upstreams:
  payment: {mock: {latency: 1ms, errors: {500: 10%}}}
  audit: {mock: {latency: 1ms}}
operation:
  calls:
    - {upstream: payment, method: POST, path: "/charges/{{.Seq}}", critical: true}
    - {upstream: audit, method: POST, path: /log}
strategies:
  - {name: queued, consumers: 4, capacity: 64}
  - {name: queued, label: js-memory, consumers: 4, capacity: 64, broker: {kind: jetstream, storage: memory}}
  - {name: queued, label: js-file, consumers: 4, capacity: 64, broker: {kind: jetstream, storage: file, publish: async, max_pending: 64}}
load: {rate: 100/s, duration: 1s}
`)
	res, err := Run(t.Context(), sc, Options{SampleEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	inproc := strategyByName(t, res, "queued")
	if inproc.Queue.Broker != nil || inproc.Histograms["publish_ack"] != "" {
		t.Errorf("the in-process broker reports a broker section %+v", inproc.Queue.Broker)
	}
	for _, name := range []string{"js-memory", "js-file"} {
		s := strategyByName(t, res, name)
		q := s.Queue
		if q.Acked != 100 || q.Delivered != 100 || q.Undelivered != 0 || q.DeliveredOutcomes != inproc.Queue.DeliveredOutcomes {
			t.Errorf("%s: acked %d, delivered %d %+v, undelivered %d; want the in-process broker's 100, %+v, 0",
				name, q.Acked, q.Delivered, q.DeliveredOutcomes, q.Undelivered, inproc.Queue.DeliveredOutcomes)
		}
		br := q.Broker
		if br == nil {
			t.Fatalf("%s: no broker section", name)
		}
		if br.Published != 200 || br.PublishAck.Count != 200 || br.StreamRemaining != 0 || br.Server != "embedded" ||
			br.Stream == "" || !strings.HasPrefix(br.Stream, "fanbench_q-js_"+name+"_") {
			t.Errorf("%s: broker %+v; want 200 published and acked, nothing left, stream named after the run", name, br)
		}
		h, err := metrics.DecodeHistogram(s.Histograms["publish_ack"])
		if err != nil || h.Count() != 200 {
			t.Errorf("%s: publish_ack histogram: %v, %v", name, h, err)
		}
		if s.Options["broker"] == "" {
			t.Errorf("%s: options %v do not say which broker", name, s.Options)
		}
	}
	if br := strategyByName(t, res, "js-file").Queue.Broker; br.Storage != "file" || br.Sync != "interval" || br.Publish != "async" {
		t.Errorf("js-file: broker %+v, want file storage flushed on the interval, async publish", br)
	}
}

// An external server that does not answer fails the run before any
// strategy starts, naming the server without its credentials.
func TestUnreachableBrokerFailsBeforeTheLoad(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	sc, err := scenarios.Parse("q.yaml", []byte(`name: q
upstreams: {a: {mock: {latency: 1ms}}}
operation: {calls: [{upstream: a}]}
strategies: [fanout, {name: queued, broker: {kind: jetstream, url: "nats://fanbench:${NATS_PASSWORD}@`+addr+`"}}]
load: {rate: 10/s, duration: 10s}
`), scenarios.WithEnv(func(string) (string, bool) { return "pa55word-from-env", true }))
	if err != nil {
		t.Fatal(err)
	}
	obs := &recordingObserver{}
	began := time.Now()
	_, err = Run(t.Context(), sc, Options{Observer: obs})
	if err == nil || !strings.Contains(err.Error(), "nats://fanbench:") || !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "pa55word") {
		t.Fatalf("Run = %v; want an error naming nats://fanbench:…@%s without the password", err, addr)
	}
	if len(obs.starts) > 0 || time.Since(began) > 5*time.Second {
		t.Errorf("strategies %v started (%v): the check must come before any load", obs.starts, time.Since(began))
	}
}
