package otelexport

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
)

// Attribute keys of fanbench's own; the HTTP ones are the semantic
// conventions' (semconv).
const (
	keyScenario = attribute.Key("fanbench.scenario")
	keyStrategy = attribute.Key("fanbench.strategy")
	keyUpstream = attribute.Key("fanbench.upstream")
	keyOutcome  = attribute.Key("fanbench.outcome")
)

// The instruments, by name. Durations are in seconds, as the semantic
// conventions want them.
const (
	nameOperations   = "fanbench.operations"
	nameDuration     = "fanbench.operation.duration"
	nameServiceTime  = "fanbench.operation.service_time"
	nameScheduleLag  = "fanbench.operation.schedule_lag"
	nameInFlight     = "fanbench.operations.in_flight"
	nameBacklog      = "fanbench.backlog"
	nameCalls        = "fanbench.calls"
	nameAttempts     = "fanbench.call.attempts"
	nameCallDuration = "fanbench.call.duration"
)

// bridge holds each strategy's latest snapshot and hands it to the SDK:
// counters and gauges through observable instruments, histograms through a
// metric Producer (the SDK has no observable histogram). It reads only
// what the runner's once-a-second snapshots hold, so the exporter costs the
// workers nothing beyond the live counts.
type bridge struct {
	mu sync.Mutex
	// strategies holds the latest snapshot of each strategy, in the order
	// they first ran; a strategy's next round or sweep step replaces its
	// entry (its counts start anew).
	strategies []runner.LiveSnapshot
	// delta: the exporter wants delta temporality; last holds what each
	// histogram stream had at the previous collection.
	delta  bool
	last   map[string]*metrics.Counts
	lastAt map[string]time.Time
	scope  instrumentation.Scope
}

// Export keeps s as its strategy's latest snapshot (runner.Exporter).
func (b *bridge) Export(s runner.LiveSnapshot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.IndexFunc(b.strategies, func(o runner.LiveSnapshot) bool { return o.Strategy == s.Strategy })
	if i < 0 {
		b.strategies = append(b.strategies, s)
		return
	}
	b.strategies[i] = s
}

func (b *bridge) snapshots() []runner.LiveSnapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.strategies)
}

func strategyAttrs(s *runner.LiveSnapshot) []attribute.KeyValue {
	return []attribute.KeyValue{keyScenario.String(s.Scenario), keyStrategy.String(s.Strategy)}
}

// upstreamAttrs adds the upstream's name and, for a real upstream, its
// server.address, server.port and url.scheme (a mock's loopback port
// changes with every strategy: left out, as noise in the series).
func upstreamAttrs(s *runner.LiveSnapshot, i int) []attribute.KeyValue {
	kvs := strategyAttrs(s)
	if i >= len(s.Upstreams) {
		return kvs
	}
	up := s.Upstreams[i]
	kvs = append(kvs, keyUpstream.String(up.Name))
	if u, err := url.Parse(up.URL); err == nil && up.URL != "" {
		host, port := u.Hostname(), u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		kvs = append(kvs, semconv.ServerAddress(host), semconv.URLScheme(u.Scheme))
		if p, err := strconv.Atoi(port); err == nil {
			kvs = append(kvs, semconv.ServerPort(p))
		}
	}
	return kvs
}

// register creates the observable instruments on m.
func (b *bridge) register(m metric.Meter) error {
	ops, err := m.Int64ObservableCounter(nameOperations, metric.WithUnit("{operation}"),
		metric.WithDescription("operations completed (warm-up left out), by outcome: ok, partial, failed"))
	if err != nil {
		return err
	}
	inFlight, err := m.Int64ObservableUpDownCounter(nameInFlight, metric.WithUnit("{operation}"),
		metric.WithDescription("operations running, warm-up included"))
	if err != nil {
		return err
	}
	backlog, err := m.Int64ObservableGauge(nameBacklog, metric.WithUnit("{item}"),
		metric.WithDescription("the strategy's own queue: calls queued or in service (pooled), messages not yet acknowledged (queued)"))
	if err != nil {
		return err
	}
	calls, err := m.Int64ObservableCounter(nameCalls, metric.WithUnit("{call}"),
		metric.WithDescription("calls by final HTTP status (http.response.status_code) or, without an answer, by error.type"))
	if err != nil {
		return err
	}
	attempts, err := m.Int64ObservableCounter(nameAttempts, metric.WithUnit("{request}"),
		metric.WithDescription("HTTP requests sent, retries and hedges included"))
	if err != nil {
		return err
	}
	_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for _, s := range b.snapshots() {
			sa := strategyAttrs(&s)
			for _, oc := range []struct {
				name string
				n    uint64
			}{{"ok", s.Counts.Outcomes.OK}, {"partial", s.Counts.Outcomes.Partial}, {"failed", s.Counts.Outcomes.Failed}} {
				o.ObserveInt64(ops, int64(oc.n), metric.WithAttributes(append(sa, keyOutcome.String(oc.name))...))
			}
			o.ObserveInt64(inFlight, int64(s.InFlight), metric.WithAttributes(sa...))
			if s.HasBacklog {
				o.ObserveInt64(backlog, int64(s.Backlog), metric.WithAttributes(sa...))
			}
			for i, u := range s.Counts.Upstreams {
				ua := upstreamAttrs(&s, i)
				o.ObserveInt64(attempts, int64(u.Attempts), metric.WithAttributes(ua...))
				for _, st := range sortedKeys(u.Statuses) {
					kvs := append(slices.Clone(ua), semconv.HTTPResponseStatusCode(st))
					if st >= 400 { // an error by the conventions: its type is the status
						kvs = append(kvs, semconv.ErrorTypeKey.String(strconv.Itoa(st)))
					}
					o.ObserveInt64(calls, int64(u.Statuses[st]), metric.WithAttributes(kvs...))
				}
				for _, f := range sortedKeys(u.Failures) {
					o.ObserveInt64(calls, int64(u.Failures[f]), metric.WithAttributes(append(slices.Clone(ua), semconv.ErrorTypeKey.String(f))...))
				}
			}
		}
		return nil
	}, ops, inFlight, backlog, calls, attempts)
	return err
}

// Produce returns the histograms of every strategy's latest snapshot
// (sdkmetric.Producer).
func (b *bridge) Produce(context.Context) ([]metricdata.ScopeMetrics, error) {
	snaps := b.snapshots()
	b.mu.Lock()
	defer b.mu.Unlock()
	temporality := metricdata.CumulativeTemporality
	if b.delta {
		temporality = metricdata.DeltaTemporality
	}
	hist := func(name, desc string) metricdata.Metrics {
		return metricdata.Metrics{Name: name, Description: desc, Unit: "s",
			Data: metricdata.ExponentialHistogram[float64]{Temporality: temporality}}
	}
	out := []metricdata.Metrics{
		hist(nameDuration, "operation latency, from the intended start (coordinated omission corrected); the ack for an async strategy"),
		hist(nameServiceTime, "operation latency from the actual start"),
		hist(nameScheduleLag, "how late operations started after their intended start"),
		hist(nameCallDuration, "call latency, retries, backoffs and waits included"),
	}
	add := func(m *metricdata.Metrics, s *runner.LiveSnapshot, attrs []attribute.KeyValue, c *metrics.Counts) {
		if c == nil {
			return
		}
		a := set(attrs...)
		start := s.Started
		if b.delta {
			key := m.Name + "|" + a.Encoded(attribute.DefaultEncoder())
			prev, prevAt := b.last[key], b.lastAt[key]
			b.last[key], b.lastAt[key] = c, s.At
			if prev != nil && prev.Total() <= c.Total() && !prevAt.Before(s.Started) { // else: counts started anew
				c, start = c.Since(prev), prevAt
			}
		}
		p := expPoint(c)
		p.Attributes, p.StartTime, p.Time = a, start, s.At
		data := m.Data.(metricdata.ExponentialHistogram[float64])
		data.DataPoints = append(data.DataPoints, p)
		m.Data = data
	}
	for i := range snaps {
		s := &snaps[i]
		sa := strategyAttrs(s)
		add(&out[0], s, sa, s.Counts.Latency)
		add(&out[1], s, sa, s.Counts.ServiceTime)
		add(&out[2], s, sa, s.Counts.ScheduleLag)
		for j, u := range s.Counts.Upstreams {
			add(&out[3], s, upstreamAttrs(s, j), u.Latency)
		}
	}
	return []metricdata.ScopeMetrics{{Scope: b.scope, Metrics: out}}, nil
}

var _ sdkmetric.Producer = (*bridge)(nil)

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
