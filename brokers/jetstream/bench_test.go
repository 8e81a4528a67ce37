package jetstream

import (
	"context"
	"math"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanbench/fanbench/strategies"
)

// BenchmarkPublish measures Broker.Publish, each call waiting for its
// PubAck as a queued operation's ack does: sync with one publisher (as
// nats bench js pub sync with one client), async with FANBENCH_JS_INFLIGHT
// publishers at once (default 100, as nats bench js pub async --batch 100).
// It publishes to an embedded server, or to FANBENCH_NATS_URL; make
// bench-jetstream runs it beside nats bench on one nats-server. msgs/s is
// the figure to compare; allocs/op is JetStream's client (see
// docs/performance.md).
func BenchmarkPublish(b *testing.B) {
	inflight := 100
	if v, err := strconv.Atoi(os.Getenv("FANBENCH_JS_INFLIGHT")); err == nil && v > 0 {
		inflight = v
	}
	for _, storage := range []strategies.BrokerStorage{strategies.StorageMemory, strategies.StorageFile} {
		for _, mode := range []strategies.PublishMode{strategies.PublishSync, strategies.PublishAsync} {
			b.Run(string(storage)+"/"+string(mode), func(b *testing.B) {
				spec := jsSpec(func(s *strategies.BrokerSpec) {
					s.Storage, s.Publish, s.URL = storage, mode, os.Getenv("FANBENCH_NATS_URL")
					if mode == strategies.PublishAsync {
						s.MaxPending = max(inflight, strategies.DefaultMaxPending)
					}
				})
				run := strategies.BrokerRun{Scenario: "bench", Strategy: string(storage) + "-" + string(mode),
					RunID: strconv.FormatInt(time.Now().UnixNano(), 36), Capacity: math.MaxInt32}
				br, err := newBroker(context.Background(), spec, run, defaultTuning)
				if err != nil {
					b.Fatal(err)
				}
				defer br.Close()
				workers := 1
				if mode == strategies.PublishAsync {
					workers = inflight
				}
				ctx := context.Background()
				began := time.Now()
				b.ReportAllocs()
				b.ResetTimer()
				var next atomic.Int64
				var wg sync.WaitGroup
				for range workers {
					wg.Go(func() {
						for {
							i := next.Add(1) - 1
							if i >= int64(b.N) {
								return
							}
							if err := br.Publish(ctx, strategies.Message{Seq: uint64(i), Intended: began}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "msgs/s")
			})
		}
	}
}
