package jetstream

import (
	"errors"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// sendRecorder is the one method of a JetStream context a publishGroup
// uses, recording what it sends and refusing subject "refused".
type sendRecorder struct {
	jetstream.JetStream
	mu   sync.Mutex
	sent map[*nats.Msg]int
}

var errRefused = errors.New("refused")

func (s *sendRecorder) PublishMsgAsync(m *nats.Msg, _ ...jetstream.PublishOpt) (jetstream.PubAckFuture, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent[m]++
	if m.Subject == "refused" {
		return nil, errRefused
	}
	return nil, nil
}

// TestGroupSendsEachPublishOnce: publishers racing into groups each get
// their message sent exactly once, and a refused send's error reaches its
// own publisher, by key, never another's.
func TestGroupSendsEachPublishOnce(t *testing.T) {
	rec := &sendRecorder{sent: map[*nats.Msg]int{}}
	g := &publishGroup{js: rec}
	const publishers, each = 64, 200
	var mu sync.Mutex
	failed := map[key]error{}
	fail := func(k key, err error) {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := failed[k]; dup {
			t.Errorf("call %v failed twice", k)
		}
		failed[k] = err
	}
	msgs := make([][]*nats.Msg, publishers)
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range each {
				subject := "ok"
				if i%10 == 3 {
					subject = "refused"
				}
				m := &nats.Msg{Subject: subject}
				msgs[p] = append(msgs[p], m)
				g.publish(m, key{seq: uint64(p), call: i}, fail)
			}
		})
	}
	wg.Wait()
	for p := range publishers {
		for i, m := range msgs[p] {
			if n := rec.sent[m]; n != 1 {
				t.Fatalf("publisher %d's message %d sent %d times, want once", p, i, n)
			}
			_, got := failed[key{seq: uint64(p), call: i}]
			if want := m.Subject == "refused"; got != want {
				t.Fatalf("publisher %d's message %d (%s): failure reported %v, want %v", p, i, m.Subject, got, want)
			}
		}
	}
	if len(g.pending) != 0 || g.led {
		t.Fatalf("group left with %d pending, led=%v", len(g.pending), g.led)
	}
}
