package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// A queued strategy on a real broker gets the broker's lines in the
// details; one on the in-process broker gets none.
func TestBrokerDetails(t *testing.T) {
	t.Parallel()
	if got := brokerDetails(&metrics.QueueResult{}); got != nil {
		t.Errorf("brokerDetails(in-process) = %q, want none", got)
	}
	cpu, client := 0.42, 0.13
	q := &metrics.QueueResult{DeadLettered: 2, Broker: &metrics.BrokerResult{Kind: "jetstream", Server: "embedded", Version: "2.15.3",
		Storage: "file", Sync: "interval", PublishAck: metrics.Summary{P50: 0.321, P99: 1.5}, Published: 300, PublishRetries: 1,
		ServerDuplicates: 1, Redelivered: 4, AlreadyAcked: 1, MaxStreamBacklog: 118, CPUSeconds: &cpu, ClientCPUSeconds: &client}}
	got := strings.Join(brokerDetails(q), "\n")
	for _, want := range []string{"jetstream file, sync interval (embedded 2.15.3): publish ack p50 0.321 ms, p99 1.5 ms; published 300, retried 1, server duplicates 1",
		"redelivered by the server 4, already acked 1, dead-lettered 2; stream max 118 messages, 0 left", "broker CPU 0.42 s (its client 0.13 s)"} {
		if !strings.Contains(got, want) {
			t.Errorf("brokerDetails:\n%s\nlacks %q", got, want)
		}
	}
	s := metrics.StrategyResult{Name: "queued-js", Strategy: "queued", Queue: q}
	if d := details(s); !slices.ContainsFunc(d, func(x string) bool { return strings.HasPrefix(x, "jetstream file") }) {
		t.Errorf("details(queued on jetstream) = %q, want the broker's lines", d)
	}
}
