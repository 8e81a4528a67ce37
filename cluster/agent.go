package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanbench/fanbench/loadgen"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
	"github.com/fanbench/fanbench/scenarios"
)

// AgentOptions say how an agent runs.
type AgentOptions struct {
	// Name names the agent in the result; the host name when empty.
	Name string
	// Version is this fanbench's version: a plan of another is refused.
	Version string
	// Load turns a plan into the scenario to run (the command line applies
	// the plan's flags); scenarios.Parse of its source when nil.
	Load func(*Plan) (*scenarios.Scenario, error)
	// Log receives a line as the agent claims, runs and ends a segment;
	// nil for silence.
	Log io.Writer
	// Once returns after one run (the agents of --local).
	Once bool
	// ClaimFor is how long an agent tries to claim a segment of a new
	// plan; 30s when 0.
	ClaimFor time.Duration
}

// barrierWait bounds the wait at a barrier: every agent's strategy set up.
const barrierWait = 2 * time.Minute

// RunAgent waits for plans on nc and runs a segment of each, until ctx
// ends (or, with Once, after one run). An error means the agent cannot
// work at all: the server has no JetStream, or the connection closed.
func RunAgent(ctx context.Context, nc *nats.Conn, o AgentOptions) error {
	if o.Name == "" {
		o.Name, _ = os.Hostname()
	}
	if o.ClaimFor <= 0 {
		o.ClaimFor = 30 * time.Second
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: agentsBucket, Storage: jetstream.MemoryStorage})
	if err != nil {
		return fmt.Errorf("the agents' bucket %s: %w", agentsBucket, err)
	}
	w, err := kv.Watch(ctx, planKey)
	if err != nil {
		return err
	}
	defer w.Stop()
	logf(o.Log, "agent %s: waiting for a plan", o.Name)
	seen := map[string]bool{}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if nc.IsClosed() {
				return errors.New("the connection to the NATS server closed")
			}
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("the watch of the plan ended")
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var p Plan
			if err := json.Unmarshal(e.Value(), &p); err != nil || seen[p.RunID] {
				continue
			}
			seen[p.RunID] = true
			ran := runPlan(ctx, nc, js, &p, o)
			if o.Once && ran {
				return nil
			}
		}
	}
}

// runPlan runs a segment of p, if the agent can claim one; it reports
// whether it did.
func runPlan(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, p *Plan, o AgentOptions) bool {
	rkv, err := js.KeyValue(ctx, runBucket(p.RunID))
	if err != nil {
		return false // the run is over
	}
	reject := func(why string) bool {
		logf(o.Log, "agent %s: refusing run %s: %s", o.Name, p.RunID, why)
		_, _ = rkv.PutString(ctx, rejectKey(o.Name), o.Name+": "+why)
		return false
	}
	if p.Version != o.Version {
		return reject(fmt.Sprintf("this agent is fanbench %s, the coordinator %s: run the same version everywhere", o.Version, p.Version))
	}
	load := o.Load
	if load == nil {
		load = func(p *Plan) (*scenarios.Scenario, error) { return scenarios.Parse(p.File, p.Source) }
	}
	sc, err := load(p)
	if err != nil {
		return reject(err.Error())
	}
	segs, err := loadgen.Partition(p.Segments...)
	if err != nil {
		return reject(err.Error())
	}
	msg, sm, err := claim(ctx, js, rkv, p, o.ClaimFor)
	if err != nil || sm.Index < 0 || sm.Index >= len(segs) {
		return false // every segment taken, or the run over
	}
	if _, err := rkv.Get(ctx, startedKey); err == nil {
		// A claim that lapsed after the start: its agent was lost, which
		// is the coordinator's to count. Hand it back.
		_ = msg.Nak()
		return false
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// The claim is renewed until the agent's reports are sent, a stop
	// included: the load ends at once, the reports come after the grace.
	claimCtx, release := context.WithCancel(context.WithoutCancel(ctx))
	defer release()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer release()
	defer cancel(nil)
	wg.Go(func() { keepClaim(claimCtx, msg, p.LostAfter, cancel) })
	offset, rtt, err := clockOffset(runCtx, nc, p.RunID)
	if err != nil {
		logf(o.Log, "agent %s: no clock offset estimate (%v): assuming none", o.Name, err)
	}
	host, _ := os.Hostname()
	info := AgentInfo{Name: o.Name, Host: host, PID: os.Getpid(), Version: o.Version, Segment: sm.Index,
		OffsetNS: offset.Nanoseconds(), RTTNS: rtt.Nanoseconds()}
	raw, _ := json.Marshal(info)
	if _, err := rkv.Put(runCtx, claimedKey(sm.Index), raw); err != nil {
		logf(o.Log, "agent %s: %v", o.Name, err)
		return true
	}
	logf(o.Log, "agent %s: claimed segment %s of run %s (clock offset %v ± %v)", o.Name, sm.Segment, p.RunID, offset, rtt/2)
	wg.Go(func() { watchStop(runCtx, rkv, cancel) })

	pub := startPublisher(js, p.RunID, sm.Index, o.Log, o.Name)
	index := func(title string) int { return slices.Index(p.Strategies, title) }
	snaps := &snapshotter{segment: sm.Index, strategy: index, publish: pub.snapshot}
	before := func(ctx context.Context, title string) error {
		return barrier(ctx, rkv, index(title), sm.Index, offset)
	}
	cpu0 := runner.CPUTime()
	res, runErr := runner.Run(runCtx, sc, runner.Options{Version: o.Version, Segment: segs[sm.Index],
		BeforeLoad: before, Exporters: []runner.Exporter{snaps}, Observer: finals{pub}})
	done := doneMsg{Segment: sm.Index, CPUSeconds: (runner.CPUTime() - cpu0).Seconds()}
	if res != nil {
		done.Interrupted, done.Warnings = res.Interrupted, res.Warnings
	}
	if runErr != nil {
		done.Err = runErr.Error()
	}
	pub.send("done", "done", done)
	if !pub.close(30 * time.Second) {
		logf(o.Log, "agent %s: some reports were not sent within 30s", o.Name)
	}
	cancel(nil)
	release() // stop renewing the claim before acking it
	wg.Wait()
	actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	_ = msg.DoubleAck(actx)
	acancel()
	logf(o.Log, "agent %s: segment %s of run %s done", o.Name, sm.Segment, p.RunID)
	return true
}

// claim fetches a segment from the run's work queue, trying for up to
// within.
func claim(ctx context.Context, js jetstream.JetStream, rkv jetstream.KeyValue, p *Plan, within time.Duration) (jetstream.Msg, segmentMsg, error) {
	cons, err := js.Consumer(ctx, segmentStream(p.RunID), claimsConsumer)
	if err != nil {
		return nil, segmentMsg{}, err
	}
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if _, err := rkv.Get(ctx, startedKey); err == nil {
			return nil, segmentMsg{}, errors.New("the run has started")
		}
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return nil, segmentMsg{}, err
		}
		for m := range batch.Messages() {
			var sm segmentMsg
			if err := json.Unmarshal(m.Data(), &sm); err != nil {
				_ = m.Term()
				continue
			}
			return m, sm, nil
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			return nil, segmentMsg{}, err
		}
	}
	return nil, segmentMsg{}, errors.New("no segment to claim")
}

// keepClaim tells the server the agent works on its claim, several times
// per ack wait, until ctx ends; an agent that cannot for a whole ack wait
// has lost its claim (the coordinator counts it lost) and stops.
func keepClaim(ctx context.Context, m jetstream.Msg, ackWait time.Duration, cancel context.CancelCauseFunc) {
	t := time.NewTicker(ackWait / 5)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if m.InProgress() == nil {
				last = time.Now()
			} else if time.Since(last) > ackWait {
				cancel(errors.New("cut off from the NATS server for longer than the ack wait: the coordinator counts this agent lost"))
				return
			}
		}
	}
}

// watchStop cancels the run when the coordinator puts the stop key.
func watchStop(ctx context.Context, kv jetstream.KeyValue, cancel context.CancelCauseFunc) {
	w, err := kv.Watch(ctx, stopKey)
	if err != nil {
		return
	}
	eachPut(ctx, w, func(jetstream.KeyValueEntry) bool {
		cancel(errors.New("stopped by the coordinator"))
		return false
	})
}

// eachPut calls f with every value put that w sees, until f returns
// false, ctx ends or the watch does; then it stops w. It reports whether
// f ended it.
func eachPut(ctx context.Context, w jetstream.KeyWatcher, f func(jetstream.KeyValueEntry) bool) bool {
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case e, ok := <-w.Updates():
			if !ok {
				return false
			}
			if e != nil && e.Operation() == jetstream.KeyValuePut && !f(e) {
				return true
			}
		}
	}
}

// barrier says the agent's strategy is ready and waits for the
// coordinator's start time, then for that time on this machine's clock.
func barrier(ctx context.Context, kv jetstream.KeyValue, strategy, seg int, offset time.Duration) error {
	if _, err := kv.PutString(ctx, readyKey(strategy, seg), "ready"); err != nil {
		return fmt.Errorf("at the barrier: %w", err)
	}
	bctx, cancel := context.WithTimeout(ctx, barrierWait)
	defer cancel()
	w, err := kv.Watch(bctx, goKey(strategy))
	if err != nil {
		return fmt.Errorf("at the barrier: %w", err)
	}
	var g goMsg
	var bad error
	if !eachPut(bctx, w, func(e jetstream.KeyValueEntry) bool {
		bad = json.Unmarshal(e.Value(), &g)
		return false
	}) {
		return fmt.Errorf("at the barrier: no start from the coordinator within %v: %w", barrierWait, context.Cause(bctx))
	}
	if bad != nil {
		return fmt.Errorf("at the barrier: %w", bad)
	}
	t := time.NewTimer(time.Until(g.T0.Add(offset)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// publisher sends an agent's reports to the run's report stream, in
// order, from a goroutine of its own: each waits for the server's ack and
// is sent again (with the same message id, which the stream's duplicate
// window drops) until one comes, so none is lost and none counted twice.
type publisher struct {
	js    jetstream.JetStream
	run   string
	seg   int
	queue chan outgoing
	done  chan struct{}
	log   io.Writer
	name  string
}

type outgoing struct {
	subject, id string
	data        []byte
}

// publishTries bounds the sends of one report: about 20 s of trying.
const publishTries = 8

func startPublisher(js jetstream.JetStream, run string, seg int, log io.Writer, name string) *publisher {
	p := &publisher{js: js, run: run, seg: seg, queue: make(chan outgoing, 4096), done: make(chan struct{}), log: log, name: name}
	go func() {
		defer close(p.done)
		for m := range p.queue {
			var err error
			for try := range publishTries {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_, err = js.Publish(ctx, m.subject, m.data, jetstream.WithMsgID(m.id))
				cancel()
				if err == nil {
					break
				}
				time.Sleep(time.Duration(try+1) * 100 * time.Millisecond)
			}
			if err != nil {
				logf(p.log, "agent %s: report %s not acknowledged after %d tries: %v", p.name, m.id, publishTries, err)
			}
		}
	}()
	return p
}

// send queues a report; it never blocks the runner: a full queue (the
// server unreachable for minutes) drops the report, and says so.
func (p *publisher) send(kind, id string, v any) {
	data, err := pack(v)
	if err != nil {
		return
	}
	m := outgoing{subject: reportSubject(p.run, kind, p.seg), id: fmt.Sprintf("%s.%d.%s", p.run, p.seg, id), data: data}
	select {
	case p.queue <- m:
	default:
		logf(p.log, "agent %s: report %s dropped: the queue to the server is full", p.name, m.id)
	}
}

// close sends what is queued, waiting at most within.
func (p *publisher) close(within time.Duration) bool {
	close(p.queue)
	select {
	case <-p.done:
		return true
	case <-time.After(within):
		return false
	}
}

func (p *publisher) snapshot(s Snapshot) {
	p.send("snap", fmt.Sprintf("snap.%d.%d", s.Strategy, s.K), s)
}

// finalMsg is a strategy's whole result on one agent.
type finalMsg struct {
	Segment  int                    `json:"segment"`
	Strategy int                    `json:"strategy"`
	Result   metrics.StrategyResult `json:"result"`
}

// finals publishes each strategy's result as it ends.
type finals struct{ p *publisher }

func (finals) StrategyStarted(runner.StrategyStart) {}
func (finals) Tick(runner.Snapshot)                 {}
func (f finals) StrategyEnded(e runner.StrategyEnd) {
	if e.Result != nil {
		f.p.send("final", fmt.Sprintf("final.%d", e.Index), finalMsg{Segment: f.p.seg, Strategy: e.Index, Result: *e.Result})
	}
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "fanbench: "+format+"\n", args...)
	}
}
