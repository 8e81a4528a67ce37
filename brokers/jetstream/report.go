package jetstream

// What the broker reports: the stream's backlog sampled while it runs,
// and the publish-ack latencies.

import (
	"context"
	"sync"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// poll samples the stream until Close.
func (b *Broker) poll() {
	t := time.NewTicker(b.tune.pollEvery)
	defer t.Stop()
	for {
		select {
		case <-b.bg.Done():
			return
		case <-t.C:
			b.sample()
		}
	}
}

// sample reads the stream's message count and size.
func (b *Broker) sample() {
	if b.stream == nil || b.nc == nil || b.nc.IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.tune.requestTimeout)
	defer cancel()
	info, err := b.stream.Info(ctx)
	if err != nil {
		return // restarting, say: a gap in the series
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n := int(info.State.Msgs)
	b.backlog = append(b.backlog, metrics.Sample{AtS: time.Since(b.began).Seconds(), Value: n})
	b.maxBacklog = max(b.maxBacklog, n)
	b.peakBytes = max(b.peakBytes, info.State.Bytes)
	b.remaining = info.State.Msgs
}

// Report is what the broker saw, for a result: its settings and counts
// and the publish-ack latency histogram. Call it after Close.
func (b *Broker) Report() (*metrics.BrokerResult, *metrics.Histogram) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := &metrics.BrokerResult{
		Kind: string(strategies.BrokerJetStream), Server: "embedded", Version: b.version,
		Storage: string(b.spec.Storage), Replicas: b.spec.Replicas, Publish: string(b.spec.Publish),
		AckWaitMS: float64(b.spec.AckWait.D()) / float64(time.Millisecond), MaxDeliver: b.spec.MaxDeliver,
		MaxAckPending: b.spec.MaxAckPending, Stream: b.names.stream, Consumer: b.names.consumer, Kept: b.spec.Keep,
		Published: b.published.Load(), PublishRetries: b.retries.Load(), PublishErrors: b.pubErrors.Load(),
		ServerDuplicates: b.serverDups.Load(), Redelivered: b.redelivered.Load(), AlreadyAcked: b.alreadyAcked.Load(),
		Stale: b.stale.Load(), StreamBacklog: b.backlog, MaxStreamBacklog: b.maxBacklog, StreamRemaining: b.remaining,
		PeakStreamBytes: b.peakBytes, CPUSeconds: b.cpuServer, ClientCPUSeconds: b.cpuClient, Restarts: b.restarts,
	}
	if b.spec.Publish == strategies.PublishAsync {
		r.MaxPending = b.spec.MaxPending
	}
	if b.spec.Storage == strategies.StorageFile {
		r.Sync = "interval"
		if b.spec.SyncAlways {
			r.Sync = "always"
		}
	}
	if b.emb == nil {
		r.Server = strategies.RedactURLs(b.spec.URL)
	} else {
		if u := b.emb.URL(); u != "" {
			r.Server = "embedded, listening on " + u
		}
		if b.spec.Keep {
			r.StoreDir = b.emb.StoreDir()
		}
	}
	h := b.acks.merged()
	r.PublishAck = h.Summary()
	return r, h
}

// ackHists records publish-ack latencies without a lock: each publisher
// borrows a histogram from a pool. A histogram the pool drops is still in
// all, and merged.
type ackHists struct {
	pool sync.Pool
	mu   sync.Mutex
	all  []*metrics.Histogram
}

func (a *ackHists) record(d time.Duration) {
	h, _ := a.pool.Get().(*metrics.Histogram)
	if h == nil {
		h = metrics.NewHistogram()
		a.mu.Lock()
		a.all = append(a.all, h)
		a.mu.Unlock()
	}
	h.Record(d)
	a.pool.Put(h)
}

// merged returns every latency recorded; call it once publishing is over.
func (a *ackHists) merged() *metrics.Histogram {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := metrics.NewHistogram()
	for _, h := range a.all {
		out.Merge(h)
	}
	return out
}
