package strategies

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

// BenchmarkCompletionAccuracy measures how closely the completion of an
// asynchronous call, as fanbench measures it (Latency − Accepted), follows
// the completion time the mock drew for it: 1,000 calls at 500 a second
// per mode, in-process mocks and receiver on loopback, completions uniform
// in 10–50 ms. The poll mode polls every millisecond, so its error holds
// up to one interval by construction. It reports the error's p50 and p99
// in ms (make bench-async).
func BenchmarkCompletionAccuracy(b *testing.B) {
	for _, mode := range []string{CompletionCallback, CompletionPoll} {
		b.Run(mode, func(b *testing.B) {
			cfg := mockupstream.Config{Async: &mockupstream.Async{Mode: mode,
				Completion: draws.Latency{Dist: draws.DistUniform, Min: units.Duration(10 * time.Millisecond), Max: units.Duration(50 * time.Millisecond)}}}
			srv, err := mockupstream.Start(mockupstream.Options{Name: "bench", Seed: 3, Config: cfg})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			beh, _ := mockupstream.Compile(cfg)
			drawer := mockupstream.NewDrawer(3, "bench", beh)
			h := NewHTTPCaller(HTTPOptions{Timeout: 10 * time.Second})
			defer h.Close()
			recv, err := StartReceiver(ReceiverOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer recv.Close()
			cb, _ := calltemplate.Parse(recv.URL(), calltemplate.Env{})
			call := &Call{Upstream: "bench", Method: http.MethodPost, BaseURL: srv.URL(),
				Headers: []Header{NewHeader(draws.HeaderCallback, cb)},
				Completion: &Completion{Mode: mode, Deadline: units.Duration(5 * time.Second),
					Poll: PollSchedule{Interval: units.Duration(time.Millisecond), Backoff: 1, Max: units.Duration(time.Millisecond)}}}
			cc := NewCompletionCaller(h, recv)
			const n, every = 1000, 2 * time.Millisecond // 500/s
			b.ResetTimer()
			var errs []float64
			for range b.N {
				errs = errs[:0]
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := time.Now()
				for i := range n {
					time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
					seq := uint64(i)
					wg.Go(func() {
						res := cc.Call(context.Background(), seq, call)
						if res.Failure != NoFailure || res.Status != http.StatusAccepted {
							b.Errorf("seq %d: status %d, failure %v", seq, res.Status, res.Failure)
							return
						}
						e := res.Latency - res.Accepted - drawer.Draw(seq, 0).Completion
						mu.Lock()
						errs = append(errs, float64(e)/1e6)
						mu.Unlock()
					})
				}
				wg.Wait()
			}
			b.StopTimer()
			slices.Sort(errs)
			if len(errs) > 0 {
				b.ReportMetric(errs[len(errs)/2], "p50-err-ms")
				b.ReportMetric(errs[len(errs)*99/100], "p99-err-ms")
				b.ReportMetric(errs[0], "min-err-ms")
			}
		})
	}
}
