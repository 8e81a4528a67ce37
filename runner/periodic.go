package runner

import (
	"sync"
	"time"
)

// periodic calls a function from a goroutine of its own until stopped, so
// that the workers never wait on it: the lifecycle the depth sampler, the
// cost sampler and the observer's ticks share.
type periodic struct {
	stopOnce sync.Once
	stopCh   chan struct{}
	done     chan struct{}
}

// startPeriodic calls tick after each delay that wait returns, wait being
// asked again after every tick.
func startPeriodic(wait func() time.Duration, tick func(now time.Time)) *periodic {
	p := &periodic{stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTimer(wait())
		defer t.Stop()
		for {
			select {
			case <-p.stopCh:
				return
			case now := <-t.C:
				tick(now)
				t.Reset(wait())
			}
		}
	}()
	return p
}

// stop ends the calls and waits for one under way to return; safe on nil
// and to call twice. What tick wrote may be read once stop returns.
func (p *periodic) stop() {
	if p == nil {
		return
	}
	p.stopOnce.Do(func() { close(p.stopCh) })
	<-p.done
}
