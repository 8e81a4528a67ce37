package metrics

import (
	"testing"
	"time"
)

// Two agents' queued results on JetStream merge: counts add, peaks take
// the larger, the publish-ack summary comes from the merged histogram,
// and a CPU time unknown on one side is unknown in the sum.
func TestMergeQueueBroker(t *testing.T) {
	t.Parallel()
	hist := func(ds ...time.Duration) string {
		h := NewHistogram()
		for _, d := range ds {
			h.Record(d)
		}
		enc, err := h.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return enc
	}
	cpu := 0.5
	a := StrategyResult{Name: "js", Histograms: map[string]string{"publish_ack": hist(time.Millisecond, 2*time.Millisecond)},
		Queue: &QueueResult{Acked: 2, DeadLettered: 1, Broker: &BrokerResult{Kind: "jetstream", Published: 2, ServerDuplicates: 1,
			Redelivered: 3, MaxStreamBacklog: 7, StreamBacklog: []Sample{{AtS: 1, Value: 7}}, CPUSeconds: &cpu}}}
	b := StrategyResult{Name: "js", Histograms: map[string]string{"publish_ack": hist(4 * time.Millisecond)},
		Queue: &QueueResult{Acked: 1, DeadLettered: 2, Broker: &BrokerResult{Kind: "jetstream", Published: 1, AlreadyAcked: 1,
			MaxStreamBacklog: 9, StreamRemaining: 1}}}
	m, err := mergeStrategy(a, b)
	if err != nil {
		t.Fatal(err)
	}
	q := m.Queue
	br := q.Broker
	if q.DeadLettered != 3 || br.Published != 3 || br.ServerDuplicates != 1 || br.Redelivered != 3 || br.AlreadyAcked != 1 ||
		br.MaxStreamBacklog != 9 || br.StreamRemaining != 1 || br.StreamBacklog != nil || br.CPUSeconds != nil {
		t.Errorf("merged queue %+v, broker %+v", q, br)
	}
	if br.PublishAck.Count != 3 || br.PublishAck.Max < 3.9 {
		t.Errorf("merged publish_ack %+v, want the three latencies", br.PublishAck)
	}
	if a.Queue.Broker.Published != 2 {
		t.Error("merging changed its input")
	}
}
