package strategies

import (
	"sync"
	"sync/atomic"
)

// callGoroutines run the calls an operation fans out, on goroutines that
// outlive the operation. A goroutine made per call costs its creation and,
// worse, the growth of its stack, by copying, on the way into the HTTP
// client (docs/performance.md has the figures). A goroutine is added whenever
// none is idle, so there are as many as the most calls ever in flight at
// once; they end with close.
type callGoroutines struct {
	work chan func()
	wg   sync.WaitGroup
	made atomic.Int32 // goroutines started
}

func newCallGoroutines() *callGoroutines { return &callGoroutines{work: make(chan func())} }

// run runs f on an idle goroutine, or on a new one when none is idle. It
// must not be called after close. On a nil *callGoroutines (a Fanout not
// made by NewFanout) f gets a goroutine of its own, which ends with it.
func (g *callGoroutines) run(f func()) {
	if g == nil {
		go f()
		return
	}
	select {
	case g.work <- f:
	default:
		g.made.Add(1)
		g.wg.Go(func() {
			f()
			for f := range g.work {
				f()
			}
		})
	}
}

// close ends the goroutines once they are idle.
func (g *callGoroutines) close() {
	close(g.work)
	g.wg.Wait()
}
