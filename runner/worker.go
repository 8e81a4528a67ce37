package runner

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/loadgen"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// The load's workers: each runs an operation through the strategy and
// records it into a recorder it borrows for the moment.

// worker runs operations through the strategy and records each into a
// recorder borrowed for the moment: no allocation of its own per operation.
type worker struct {
	strategy strategies.Strategy
	op       *strategies.Operation
	recs     *recorderPool
	clock    loadgen.Clock
	// ideal computes an operation's ideal latency from the calls' drawn
	// latencies (nil when unknown); latencies is its scratch buffer.
	ideal     *ideal
	latencies []time.Duration
	// background: the strategy delivers the calls after Execute returns
	// (queued) and reports them itself; only the results Execute settled
	// (calls it refused) are recorded here.
	background bool
	// tail is each upstream's p99, by upstream index, for tail
	// amplification; nil when not measured.
	tail []time.Duration
	// interrupted counts the operations cut off when the grace period ran
	// out, shared by the workers (added to only then).
	interrupted *atomic.Uint64
	// inFlight counts the operations running, for live exporters; nil
	// without them.
	inFlight *atomic.Int64
}

func (w *worker) Do(ctx context.Context, t loadgen.Ticket) {
	began := w.clock.Now()
	w.op.Seq, w.op.Intended, w.op.Warmup = t.Seq, t.Intended, t.Warmup
	if w.inFlight != nil {
		w.inFlight.Add(1)
	}
	outcome := w.strategy.Execute(ctx, w.op)
	end := w.clock.Now()
	if w.inFlight != nil {
		w.inFlight.Add(-1)
	}
	// A warm-up operation is not measured; nor is one cut off by the end of
	// the grace period (its latency would be the cut, not the operation's).
	if t.Warmup {
		return
	}
	if ctx.Err() != nil {
		w.interrupted.Add(1)
		return
	}
	latency := end.Sub(t.Intended)
	rec := w.recs.get()
	defer w.recs.put(rec)
	genLag := t.GeneratorLag(began)
	rec.RecordOperation(outcomes[outcome], latency, end.Sub(began), began.Sub(t.Intended), genLag)
	rec.RecordWindow(outcomes[outcome], t.At, latency, genLag)
	if w.tail != nil {
		over := 0
		for i := range w.op.Results {
			if w.op.Results[i].Latency > w.tail[w.op.Calls[i].UpstreamIndex] {
				over++
			}
		}
		rec.RecordTail(len(w.op.Results), over)
	}
	comp := w.op.Compensations
	rec.RecordCompensations(comp.Sent, comp.Failed)
	givenUp := 0
	for i := range w.op.Results {
		if w.op.Results[i].Failure == strategies.FailureGivenUp {
			givenUp++
		}
	}
	rec.RecordGivenUp(givenUp)
	// The ideal knows first attempts only: an operation that also sent
	// compensations took longer than any ideal of its calls.
	if w.ideal != nil && comp.Sent == 0 {
		if ideal, ok := w.ideal.latency(t.At, t.Seq, w.op.Calls, w.latencies); ok {
			rec.RecordOverhead(latency - ideal)
		}
	}
	for i := range w.op.Results {
		r := &w.op.Results[i]
		if w.background && r.Status == 0 && r.Failure == strategies.NoFailure {
			continue // enqueued: its consumer reports it
		}
		rec.RecordCall(callSample(&w.op.Calls[i], r))
	}
	// Compensations are calls to their upstreams too: their requests,
	// answers and latency count there, and in the amplification.
	for i := range w.op.CompensationResults {
		if r := &w.op.CompensationResults[i]; r.Made() {
			rec.RecordCall(callSample(w.op.Calls[i].Compensation, r))
		}
	}
}

// callSample is what the recorder takes of call c's result r.
func callSample(c *strategies.Call, r *strategies.CallResult) metrics.CallSample {
	return metrics.CallSample{
		Upstream: c.UpstreamIndex,
		Status:   r.Status, Failure: int(r.Failure),
		Attempts: r.Attempts, Latency: r.Latency,
		Got429: r.Got429, TooEarly: r.TooEarly, LimiterWait: r.LimiterWait, ConnWait: r.ConnWait,
		Queued: r.Queued, QueueWait: r.QueueWait,
		Hedged: r.Hedged, HedgeWon: r.HedgeWon, Wasted: r.Wasted,
		AttemptLatencies: r.AttemptLatencies(),
		Accepted:         r.Accepted, Polls: r.Polls,
		Phases: phasesOf(r.Phases),
		Err:    r.Err,
	}
}

// recorderPool lends recorders to workers for the moment they record an
// operation (well under a microsecond). Workers grow with the operations in
// flight, up to thousands, and a recorder holds up to about 1.5 MiB of
// histograms (counts are allocated on a histogram's first value): one per
// worker made memory, and the merge at the end, grow with the in-flight
// peak (4 GiB at 5,000 in flight). A fixed set of two per CPU keeps both
// flat; a worker waits only when every recorder is being written at once,
// which needs half their holders preempted mid-record.
type recorderPool struct {
	free chan *metrics.Recorder
	all  []*metrics.Recorder
}

func newRecorderPool(l metrics.Layout, n int) *recorderPool {
	p := &recorderPool{free: make(chan *metrics.Recorder, n)}
	for range n {
		r := metrics.NewRecorder(l)
		p.all = append(p.all, r)
		p.free <- r
	}
	return p
}

func (p *recorderPool) get() *metrics.Recorder  { return <-p.free }
func (p *recorderPool) put(r *metrics.Recorder) { p.free <- r }

var outcomes = [...]metrics.Outcome{
	strategies.OK:      metrics.OutcomeOK,
	strategies.Partial: metrics.OutcomePartial,
	strategies.Failed:  metrics.OutcomeFailed,
}
