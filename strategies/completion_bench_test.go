package strategies

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/gcfloor"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

// arrivals stamps, per operation (Fanbench-Seq), when the mock saw its
// request and its polls: the clock the drawn completion runs on starts at
// the request's arrival, not at the client's send or its reading of the 202.
type arrivals struct {
	mu    sync.Mutex
	first map[uint64]time.Time
	polls map[uint64][]time.Time
}

func (a *arrivals) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		seq, _ := strconv.ParseUint(r.Header.Get(draws.HeaderSeq), 10, 64)
		a.mu.Lock()
		if r.Method == http.MethodGet {
			a.polls[seq] = append(a.polls[seq], now)
		} else {
			a.first[seq] = now
		}
		a.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// BenchmarkCompletionAccuracy measures how closely the completion of an
// asynchronous call, as fanbench measures it, follows the completion time
// the mock drew for it: 1,000 calls at 500 a second per mode, in-process
// mock and receiver on loopback, completions uniform in 10–50 ms, polls
// every millisecond (make bench-async).
//
// The error is seen − due: seen is when the call's latency says it
// completed (its start + Latency), due is when the mock received the
// request plus the drawn completion (the mock's clock starts there). It
// reports its p50 and p99 in ms (err). Poll mode splits it in two: quant,
// from due to the arrival of the first poll after it (the schedule's
// quantisation, at most one interval plus a poll's trip: no poller can do
// better), and path, from that arrival until fanbench read the answer.
// err-202 is the definition used before: Latency − Accepted − drawn, which
// takes the client's reading of the 202 for the mock's start and so
// subtracts the 202's return trip (often below zero under load).
//
// The collector's heap goal is kept at fanbench run's floor (gcfloor), as
// in a run: without it this small heap is collected about 40 times a
// second.
func BenchmarkCompletionAccuracy(b *testing.B) {
	defer gcfloor.Keep(gcfloor.Default)()
	for _, mode := range []string{CompletionCallback, CompletionPoll} {
		b.Run(mode, func(b *testing.B) {
			cfg := mockupstream.Config{Async: &mockupstream.Async{Mode: mode,
				Completion: draws.Latency{Dist: draws.DistUniform, Min: units.Duration(10 * time.Millisecond), Max: units.Duration(50 * time.Millisecond)}}}
			srv, err := mockupstream.Start(mockupstream.Options{Name: "bench", Seed: 3, Config: cfg})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			arr := &arrivals{first: map[uint64]time.Time{}, polls: map[uint64][]time.Time{}}
			front := httptest.NewServer(arr.wrap(srv.Handler()))
			defer front.Close()
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
			call := &Call{Upstream: "bench", Method: http.MethodPost, BaseURL: front.URL,
				Headers: []Header{NewHeader(draws.HeaderCallback, cb)},
				Completion: &Completion{Mode: mode, Deadline: units.Duration(5 * time.Second),
					Poll: PollSchedule{Interval: units.Duration(time.Millisecond), Backoff: 1, Max: units.Duration(time.Millisecond)}}}
			cc := NewCompletionCaller(h, recv)
			const n, every = 1000, 2 * time.Millisecond // 500/s
			seen := make([]time.Time, n)
			old := make([]float64, n)
			sched, waited := schedLatencies(), runQueueWait()
			b.ResetTimer()
			for range b.N {
				clear(arr.first)
				clear(arr.polls)
				var wg sync.WaitGroup
				start := time.Now()
				for i := range n {
					time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
					seq := uint64(i)
					wg.Go(func() {
						t0 := time.Now()
						res := cc.Call(context.Background(), seq, call)
						if res.Failure != NoFailure || res.Status != http.StatusAccepted {
							b.Errorf("seq %d: status %d, failure %v", seq, res.Status, res.Failure)
							return
						}
						seen[seq] = t0.Add(res.Latency)
						old[seq] = ms(res.Latency - res.Accepted - drawer.Draw(seq, 0).Completion)
					})
				}
				wg.Wait()
			}
			b.StopTimer()
			b.ReportMetric(schedP99(sched, schedLatencies())*1e3, "p99-sched-ms")
			if w := runQueueWait(); w >= 0 && waited >= 0 {
				b.ReportMetric(ms(w-waited)/(time.Duration(n)*every).Seconds(), "runq-ms/s")
			}
			var errs, quant, path []float64
			polls := 0
			for i := range n {
				due := arr.first[uint64(i)].Add(drawer.Draw(uint64(i), 0).Completion)
				errs = append(errs, ms(seen[i].Sub(due)))
				ps := arr.polls[uint64(i)]
				polls += len(ps)
				if j := slices.IndexFunc(ps, func(t time.Time) bool { return !t.Before(due) }); j >= 0 {
					quant = append(quant, ms(ps[j].Sub(due)))
					path = append(path, ms(seen[i].Sub(ps[j])))
				}
			}
			report := func(xs []float64, name string) {
				if len(xs) == 0 {
					return
				}
				slices.Sort(xs)
				b.ReportMetric(xs[len(xs)/2], "p50-"+name+"-ms")
				b.ReportMetric(xs[len(xs)*99/100], "p99-"+name+"-ms")
			}
			report(errs, "err")
			report(old, "err-202")
			report(quant, "quant")
			report(path, "path")
			if polls > 0 {
				b.ReportMetric(float64(polls)/(time.Duration(n)*every).Seconds(), "polls/s")
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// schedLatencies reads the runtime's histogram of how long goroutines
// waited to run once runnable: where a late wake-up comes from.
func schedLatencies() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64Histogram()
}

// schedP99 is the p99 of the scheduling latencies between two readings,
// in seconds (the upper bound of its bucket).
func schedP99(before, after *metrics.Float64Histogram) float64 {
	var total uint64
	counts := make([]uint64, len(after.Counts))
	for i := range counts {
		counts[i] = after.Counts[i] - before.Counts[i]
		total += counts[i]
	}
	var sum uint64
	for i, c := range counts {
		sum += c
		if total > 0 && sum*100 >= total*99 {
			return after.Buckets[i+1]
		}
	}
	return 0
}

// runQueueWait is how long the process's threads have waited, runnable,
// for a processor the kernel gave to others (Linux schedstat, summed over
// the threads alive now); -1 where it cannot be read. Taken by other
// processes, that time is lost to every timer and poll of the run.
func runQueueWait() time.Duration {
	dirs, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return -1
	}
	var sum time.Duration
	for _, d := range dirs {
		data, err := os.ReadFile("/proc/self/task/" + d.Name() + "/schedstat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(data))
		if len(f) < 2 {
			continue
		}
		ns, _ := strconv.ParseInt(f[1], 10, 64)
		sum += time.Duration(ns)
	}
	return sum
}
