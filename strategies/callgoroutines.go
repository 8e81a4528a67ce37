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
	work chan callTask
	wg   sync.WaitGroup
	made atomic.Int32 // goroutines started
}

// callRunner is an operation in progress that runs its call i.
type callRunner interface{ runCall(i int) }

// callTask is call i of an operation: a value, so that handing it to a
// goroutine allocates nothing, where a closure per call would.
type callTask struct {
	r callRunner
	i int
}

func newCallGoroutines() *callGoroutines { return &callGoroutines{work: make(chan callTask)} }

// run runs r's call i on an idle goroutine, or on a new one when none is
// idle. It must not be called after close. On a nil *callGoroutines (a
// Fanout not made by NewFanout) the call gets a goroutine of its own, which
// ends with it.
func (g *callGoroutines) run(r callRunner, i int) {
	if g == nil {
		go r.runCall(i)
		return
	}
	select {
	case g.work <- callTask{r, i}:
	default:
		g.made.Add(1)
		g.wg.Go(func() {
			r.runCall(i)
			for t := range g.work {
				t.r.runCall(t.i)
			}
		})
	}
}

// close ends the goroutines once they are idle.
func (g *callGoroutines) close() {
	close(g.work)
	g.wg.Wait()
}
