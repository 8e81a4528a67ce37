package runner

import (
	"sync"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// defaultSampleEvery is how often the depth of a strategy's queue is read:
// often enough to see a backlog build within a second, rarely enough that
// a ten-minute run keeps a few thousand points.
const defaultSampleEvery = 100 * time.Millisecond

// sampler reads a Gauged strategy's depth at a fixed interval of wall time
// from its own goroutine, so the workers never wait on it.
type sampler struct {
	stopOnce sync.Once
	stopCh   chan struct{}
	done     chan struct{}
	samples  []metrics.Sample
}

// startSampling starts reading g's depth every interval, counting time from
// start; nil when g is nil (the strategy has no queue of its own).
func startSampling(g strategies.Gauged, start time.Time, every time.Duration) *sampler {
	if g == nil {
		return nil
	}
	if every <= 0 {
		every = defaultSampleEvery
	}
	s := &sampler{stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stopCh:
				return
			case now := <-t.C:
				s.samples = append(s.samples, metrics.Sample{AtS: now.Sub(start).Seconds(), Value: g.Depth()})
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the samples; safe on a nil sampler and
// to call twice.
func (s *sampler) stop() []metrics.Sample {
	if s == nil {
		return nil
	}
	s.stopOnce.Do(func() { close(s.stopCh) })
	<-s.done
	return s.samples
}
