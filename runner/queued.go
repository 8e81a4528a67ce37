package runner

import (
	"context"
	"slices"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// background is the runner's side of a strategy that delivers its calls
// after the ack (queued): a recorder per consumer, the drain after the
// load, and the broker's view in the result.
type background struct {
	strat strategies.Background
	// sinks are appended by Start, in the runner's goroutine, before the
	// load; each is then written by its consumer alone.
	sinks       []*deliverySink
	undelivered int
	drainTook   time.Duration
}

// startBackground starts the consumers of a background strategy, each
// recording into a recorder of its own; nil for any other strategy.
func startBackground(s strategies.Strategy, layout metrics.Layout) (*background, error) {
	bs, ok := s.(strategies.Background)
	if !ok {
		return nil, nil
	}
	b := &background{strat: bs}
	err := bs.Start(func(int) strategies.DeliverySink {
		sink := &deliverySink{rec: metrics.NewRecorder(layout)}
		b.sinks = append(b.sinks, sink)
		return sink
	})
	return b, err
}

// drain waits, after the load, for the backlog to be delivered: up to the
// strategy's drain option, or up to the grace period as well when the run
// was interrupted. What is left is counted undelivered. Safe on nil.
func (b *background) drain(ctx context.Context, grace time.Duration) {
	if b == nil {
		return
	}
	limit := b.strat.Options().Drain.D()
	if ctx.Err() != nil {
		limit = min(limit, grace)
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	began := time.Now()
	b.undelivered = b.strat.Drain(dctx)
	b.drainTook = time.Since(began)
}

// mergeInto adds what the consumers recorded (the calls, delivery
// latencies, redeliveries and compensations) to r. Safe on nil.
func (b *background) mergeInto(r *metrics.Recorder) {
	if b == nil {
		return
	}
	for _, s := range b.sinks {
		r.Merge(s.rec)
	}
}

// result fills sr.Queue and the "delivery_latency" histogram. merged holds
// the workers' and the consumers' recorders; the duplicates come from the
// mock upstreams' ledgers (a real upstream's are unknown: not counted).
func (b *background) result(merged *metrics.Recorder, sr *metrics.StrategyResult,
	backlog []metrics.Sample, ups *upstreams) error {
	opts := b.strat.Options()
	q := &metrics.QueueResult{
		Consumers:       opts.Consumers,
		Capacity:        opts.Capacity,
		WhenFull:        string(opts.WhenFull),
		Acked:           sr.Outcomes.OK, // Execute says ok exactly when every call was enqueued
		Delivered:       merged.Delivered,
		Undelivered:     uint64(b.undelivered),
		Redeliveries:    merged.Redeliveries,
		DeliveryLatency: merged.Delivery.Summary(),
		DrainS:          b.drainTook.Seconds(),
		Backlog:         backlog,
	}
	for _, s := range b.sinks {
		q.DeliveredOutcomes.OK += s.outcomes.OK
		q.DeliveredOutcomes.Partial += s.outcomes.Partial
		q.DeliveredOutcomes.Failed += s.outcomes.Failed
	}
	if len(backlog) > 0 {
		q.MaxBacklog = slices.MaxFunc(backlog, func(a, b metrics.Sample) int { return a.Value - b.Value }).Value
	}
	for _, srv := range ups.servers {
		q.Duplicates += srv.Ledger().Snapshot().DuplicateRequests
	}
	sr.Queue = q
	if sr.Histograms == nil {
		sr.Histograms = map[string]string{}
	}
	enc, err := merged.Delivery.Encode()
	if err != nil {
		return err
	}
	sr.Histograms["delivery_latency"] = enc
	return b.brokerResult(q, sr.Histograms)
}

// brokerReport is a real broker (JetStream) that reports on itself after
// it is closed: its settings and counts, and its publish-ack latencies.
type brokerReport interface {
	Report() (*metrics.BrokerResult, *metrics.Histogram)
	DeadLettered() uint64
}

// brokerResult fills q.Broker and the "publish_ack" histogram when the
// strategy's broker reports on itself; the in-process one does not.
func (b *background) brokerResult(q *metrics.QueueResult, hists map[string]string) error {
	holder, ok := b.strat.(interface{ Broker() strategies.Broker })
	if !ok {
		return nil
	}
	rep, ok := holder.Broker().(brokerReport)
	if !ok {
		return nil
	}
	br, h := rep.Report()
	q.Broker, q.DeadLettered = br, rep.DeadLettered()
	enc, err := h.Encode()
	if err != nil {
		return err
	}
	hists["publish_ack"] = enc
	return nil
}

// deliverySink records what one consumer delivered into its own recorder:
// no lock, no allocation per call.
type deliverySink struct {
	rec *metrics.Recorder
	// outcomes counts the acked operations delivered, by outcome.
	outcomes metrics.Outcomes
}

func (s *deliverySink) Call(c *strategies.Call, r *strategies.CallResult) {
	s.rec.RecordCall(callSample(c, r))
}

// Operation records the delivery of an acked operation, and the
// compensations of any: an operation partly refused at the ack was
// counted then, but its enqueued calls were delivered since.
func (s *deliverySink) Operation(d strategies.OperationDelivery) {
	s.rec.RecordCompensations(d.Compensations.Sent, d.Compensations.Failed)
	if !d.Acked {
		return
	}
	s.rec.RecordDelivery(d.Latency)
	switch d.Outcome {
	case strategies.OK:
		s.outcomes.OK++
	case strategies.Partial:
		s.outcomes.Partial++
	default:
		s.outcomes.Failed++
	}
}

func (s *deliverySink) Redelivery() { s.rec.RecordRedelivery() }
