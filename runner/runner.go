package runner

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	// The JetStream broker registers itself with strategies: a scenario
	// that loads with broker: {kind: jetstream} runs through Run without
	// the caller knowing to import it. The runner is the one package that
	// starts brokers, so it is the one that links them in.
	_ "github.com/fanbench/fanbench/brokers/jetstream"
	"github.com/fanbench/fanbench/loadgen"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// Options tune a run.
type Options struct {
	// Version is the fanbench version recorded in the result's environment.
	Version string
	// Progress receives one plain line as each strategy starts and ends;
	// nil for silence.
	Progress io.Writer
	// Observer, when set, is told as each strategy starts, about once a
	// second while it runs, and as it ends (a live progress display).
	Observer Observer
	// tickEvery is how often Observer.Tick is called; defaultTickEvery
	// when 0 (tests shorten it).
	tickEvery time.Duration
	// Grace is how long operations in flight may finish after the run is
	// stopped; default 10s.
	Grace time.Duration
	// CallTimeout bounds each call; default 30s.
	CallTimeout time.Duration
	// Clock drives the schedule; the real clock when nil.
	Clock loadgen.Clock
	// SampleEvery is how often the depth of a pooled or queued strategy's
	// queue is sampled; default 100ms.
	SampleEvery time.Duration
	// Breakdown traces every request's phases (DNS, connect, TLS, time to
	// first byte, body) into each upstream's Breakdown; it costs a few
	// allocations per request, so it is off by default.
	Breakdown bool
	// Exporters receive each strategy's figures once a second while it
	// runs (see Exporter); none by default, and then nothing is counted
	// for them.
	Exporters []Exporter
	// Segment is the share of each strategy's schedule to run (the whole
	// when zero): an agent of a distributed run runs its own (see
	// loadgen.Segment). The in-flight cap is shared out likewise.
	Segment loadgen.Segment
	// BeforeLoad, when set, is called for each strategy once its
	// upstreams and strategy are ready, just before its load starts, and
	// the load starts when it returns: the barrier at which the agents of
	// a distributed run wait for one another. An error ends the run.
	BeforeLoad func(ctx context.Context, strategy string) error
}

// Run runs every strategy of sc in turn and returns what was measured. When
// ctx ends, the strategy running stops its load, lets operations in flight
// finish within the grace period, and the result is returned marked
// Interrupted, without the strategies that had not started.
//
// sc must be valid, as scenarios.Load returns it; an error means the run
// could not be carried out (an upstream could not start, say).
func Run(ctx context.Context, sc *scenarios.Scenario, o Options) (*metrics.Result, error) {
	res, err := run(ctx, sc, o)
	return res, sc.RedactError(err) // an error may quote a path or URL holding a secret
}

func run(ctx context.Context, sc *scenarios.Scenario, o Options) (*metrics.Result, error) {
	if o.Grace <= 0 {
		o.Grace = 10 * time.Second
	}
	scenarioJSON, err := sc.RedactedJSON()
	if err != nil {
		return nil, fmt.Errorf("recording the scenario: %w", err)
	}
	res := &metrics.Result{
		Schema:      metrics.Schema,
		Scenario:    scenarioJSON,
		Environment: metrics.CurrentEnvironment(o.Version),
		StartedAt:   time.Now().UTC().Truncate(time.Millisecond),
	}
	if err := checkStrategies(ctx, sc); err != nil {
		return nil, err
	}
	began := time.Now()
	rounds := max(sc.Load.Repeats, 1)
	runs := make([][]metrics.StrategyResult, len(sc.Strategies)) // by strategy, a run per round
rounds:
	for round := range rounds {
		for i, spec := range sc.Strategies {
			if ctx.Err() != nil {
				res.Interrupted = true
				break rounds
			}
			start := strategyStart(sc, spec, i)
			if rounds > 1 {
				start.Name = fmt.Sprintf("%s, round %d/%d", start.Name, round+1, rounds)
				start.Index, start.Total = round*len(sc.Strategies)+i, rounds*len(sc.Strategies)
			}
			progress(o.Progress, "running %s (%d/%d): %s", start.Name, start.Index+1, start.Total, sc.Load.String())
			if o.Observer != nil {
				o.Observer.StrategyStarted(start)
			}
			sr, interrupted, err := runOrSweep(ctx, sc, spec, o) // runStrategy, once or at each rate of a sweep
			if o.Observer != nil {
				end := StrategyEnd{Name: start.Name, Index: start.Index, Interrupted: interrupted, Err: err}
				if err == nil {
					end.Result = &sr
				}
				o.Observer.StrategyEnded(end)
			}
			if err != nil {
				return nil, fmt.Errorf("strategy %s: %w", start.Name, err)
			}
			progress(o.Progress, "  %s: %d operations, p50 %.1f ms, p99 %.1f ms, errors %.2f%%",
				start.Name, sr.Operations, sr.Latency.P50, sr.Latency.P99, sr.ErrorRate*100)
			runs[i] = append(runs[i], sr)
			if interrupted {
				res.Interrupted = true
				break rounds
			}
		}
	}
	for i, rs := range runs {
		if len(rs) == 0 {
			continue
		}
		sr := rs[0]
		if rounds > 1 {
			if sr, err = metrics.CombineRepeats(rs, sc.Seed); err != nil {
				return nil, fmt.Errorf("strategy %s: combining its rounds: %w", sc.Strategies[i].Title(), err)
			}
		}
		res.Strategies = append(res.Strategies, sr)
		res.Warnings = append(res.Warnings, warnings(sr)...)
	}
	res.Warnings = append(res.Warnings, lateWarnings(res.Strategies)...)
	if res.Interrupted {
		res.Warnings = append(res.Warnings, "the run was interrupted: figures cover only what ran before the stop")
	}
	res.Thresholds = JudgeThresholds(sc, res) // judged on what ran, interrupted or not
	res.DurationS = time.Since(began).Seconds()
	return res, nil
}

// shareOf is a segment's share of an in-flight cap, rounded up.
func shareOf(limit int, seg loadgen.Segment) int {
	if seg.Whole() || limit <= 0 {
		return limit
	}
	per := seg.To - seg.From
	return int((uint64(limit)*per + seg.Den - 1) / seg.Den)
}

// lateWarnings is the run's one warning about its generator: only when its
// lateness was large against the latencies measured; the reports say a
// smaller one as a note (see metrics.RunLateness).
func lateWarnings(ss []metrics.StrategyResult) []string {
	if l, fell := metrics.RunLateness(ss); fell && l.Material() {
		return []string{l.String()}
	}
	return nil
}

// checkStrategies makes sure, before any load, that what the strategies
// need outside the process answers (an external broker): a run that
// cannot finish fails before it starts.
func checkStrategies(ctx context.Context, sc *scenarios.Scenario) error {
	for _, spec := range sc.Strategies {
		c, ok := spec.OptionsOrDefaults().(strategies.Checker)
		if !ok {
			continue
		}
		if err := c.Check(ctx); err != nil {
			return fmt.Errorf("strategy %s: %w", spec.Title(), err)
		}
	}
	return nil
}

// newRunID returns a token unique to one strategy's run, from which a
// broker names its stream: sweeps, repeats and concurrent runs on one
// external server never share one.
func newRunID() string {
	return strings.ToLower(rand.Text()[:10])
}

// warnings says what makes a strategy's figures doubtful (the generator's
// lateness is judged over the whole run: lateWarnings).
func warnings(sr metrics.StrategyResult) []string {
	var w []string
	if atCap := sr.Dropped - min(sr.NotStarted, sr.Dropped); atCap > 0 {
		w = append(w, fmt.Sprintf("%s: %d operations were dropped at the in-flight cap (on_cap: drop); the rest ran as scheduled",
			sr.Name, atCap))
	}
	if sr.NotStarted > 0 {
		w = append(w, fmt.Sprintf("%s: the generator could not start %d operations the schedule held before the run's end (its duration plus the grace period); they are counted as dropped, and the rate is more than this machine can drive",
			sr.Name, sr.NotStarted))
	}
	if sr.Interrupted > 0 {
		w = append(w, fmt.Sprintf("%s: %d operations were still in flight when the grace period ran out; they are counted as interrupted, not measured",
			sr.Name, sr.Interrupted))
	}
	return w
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "fanbench: "+format+"\n", args...)
	}
}

// runStrategy runs one strategy on fresh upstreams.
func runStrategy(ctx context.Context, sc *scenarios.Scenario, spec scenarios.Strategy, o Options) (metrics.StrategyResult, bool, error) {
	tlsConfs, err := tlsConfigs(sc)
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	hc := strategies.NewHTTPCaller(strategies.HTTPOptions{
		Timeout:             o.CallTimeout,
		MaxIdleConnsPerHost: idleConnsPerHost(sc),
		TLS:                 tlsConfs,
		Breakdown:           o.Breakdown,
		Clients:             clients(sc),
		MaxConns:            maxConns(sc),
	})
	defer hc.Close()
	caller, err := callerFor(sc, hc) // fresh per strategy: breakers and buckets start anew
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	async, err := startAsync(sc) // the webhook receiver, for callback completions
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	defer async.close()
	caller = async.caller(sc, caller)
	opts := spec.OptionsOrDefaults()
	strat, err := strategies.New(spec.Name, opts, caller, strategies.Env{Policies: sc.PoliciesByIndex(),
		Context: ctx, Scenario: sc.Name, Label: spec.Title(), RunID: newRunID()})
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	if c, ok := strat.(io.Closer); ok {
		defer c.Close()
	}
	// Only a strategy that delivers in the background reads the mocks'
	// ledgers (for duplicates).
	_, delivers := strat.(strategies.Background)
	ups, err := startUpstreams(sc, delivers)
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	defer ups.close()
	calls, err := buildCalls(sc, ups.baseURLs)
	if err == nil {
		err = async.prepare(sc, calls)
	}
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}

	ideal, err := idealOf(sc, strat)
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	lv := newLiveExport(o, sc, spec.Title()) // nil without Options.Exporters
	defer lv.stop(false)
	layout := metrics.Layout{Upstreams: ups.names, Failures: strategies.FailureNames, CallsPerOperation: len(calls),
		Windows: metrics.NewWindows(len(strategies.FailureNames)), Live: lv.live()}
	bg, err := startBackground(strat, layout) // queued: its consumers, before the load
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	recs := newRecorderPool(layout, 2*runtime.GOMAXPROCS(0))
	clock := o.Clock
	if clock == nil {
		clock = loadgen.Real{}
	}
	ups.reset() // incident windows count from here, as the schedule does
	gauged, _ := strat.(strategies.Gauged)
	depth := startSampling(gauged, time.Now(), o.SampleEvery)
	defer depth.stop()
	cost := startCost(hc.OpenConns) // mocks and all: they run in this process
	defer cost.stop(0, false)
	var tail []time.Duration
	if bg == nil { // queued calls end after the ack: not known to the worker
		tail = tailThresholds(sc)
	}
	lc, err := loadConfig(sc) // the load model: a pacer, or a schedule of users
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	lc.MaxInFlight = shareOf(lc.MaxInFlight, o.Segment)
	if o.BeforeLoad != nil {
		if err := o.BeforeLoad(ctx, spec.Title()); err != nil {
			return metrics.StrategyResult{}, false, err
		}
	}
	var interrupted atomic.Uint64 // operations cut off after the grace period
	ticks := startTicks(o.Observer, layout.Windows, layout.Failures, time.Now(), o.tickEvery)
	defer ticks.stop() // before Run tells the Observer the strategy ended
	lv.start(time.Now(), gauged)
	st, err := loadgen.Drive(ctx, loadgen.Config{
		Pacer: lc.Pacer, Users: lc.Users, Think: lc.Think, ThinkSeed: lc.ThinkSeed,
		MaxInFlight: lc.MaxInFlight, DropAtCap: lc.DropAtCap, Warmup: lc.Warmup, Operations: lc.Operations,
		Segment: o.Segment, Clock: clock, Grace: o.Grace, Length: sc.Load.Length(),
		NewWorker: func(int) loadgen.Worker {
			return &worker{strategy: strat, op: strategies.NewOperation(calls), recs: recs, clock: clock,
				ideal: ideal, latencies: make([]time.Duration, len(calls)), background: bg != nil, tail: tail,
				interrupted: &interrupted, inFlight: lv.inFlightCounter()}
		},
	})
	if err != nil {
		return metrics.StrategyResult{}, false, err
	}
	bg.drain(ctx, o.Grace)  // queued: the backlog goes out while the sampler watches
	samples := depth.stop() // every operation has finished: nothing more to see
	merged := metrics.NewRecorder(layout)
	for _, r := range recs.all {
		r.FlushWindows()
		merged.Merge(r)
	}
	bg.mergeInto(merged)
	// Every operation is recorded: the exporters' last snapshot.
	lv.stop(true)
	measuredFrom := st.Start.Add(min(lc.Warmup, st.End.Sub(st.Start))) // the warm-up is not measured
	runEnd := st.End                                                   // the last finish, or the schedule's end if later
	if st.ScheduleEnd > 0 && st.ScheduleEnd < forever && st.Start.Add(st.ScheduleEnd).After(runEnd) {
		runEnd = st.Start.Add(st.ScheduleEnd)
	}
	sr, err := merged.Summarize(spec.Title(), runEnd.Sub(measuredFrom), st.Dropped+st.NotStarted)
	sr.NotStarted = st.NotStarted
	for i := range sr.Upstreams {
		sr.Upstreams[i].Client = string(hc.ClientFor(i))      // upstream results are in upstream order
		for kind, text := range sr.Upstreams[i].FirstErrors { // an error may quote a URL with a secret
			sr.Upstreams[i].FirstErrors[kind] = sc.Redact(text)
		}
	}
	sr.Strategy, sr.Options = spec.Name, strategies.Describe(opts)
	sr.Interrupted, sr.Warmup, sr.LatencyFrom = interrupted.Load(), st.Warmup, fromIntendedStart
	if lc.Users != nil {
		sr.LatencyFrom = fromActualStart
	}
	sr.Windows = layout.Windows.Result(layout.Failures)
	sr.Callbacks = async.result(ups)
	sr.Cost = cost.stop(sr.Operations, len(ups.servers) > 0)
	if p, ok := strat.(strategies.Pool); ok {
		sr.Pool = poolResult(p, samples, merged, st.End.Sub(st.Start))
	}
	if bg != nil && err == nil {
		err = bg.result(merged, &sr, samples, ups)
	}
	return sr, st.Interrupted, err
}

// upstreams are the servers started for one strategy.
type upstreams struct {
	names    []string
	baseURLs map[string]string
	servers  []*mockupstream.Server
}

func startUpstreams(sc *scenarios.Scenario, ledger bool) (*upstreams, error) {
	u := &upstreams{baseURLs: map[string]string{}}
	for _, up := range sc.Upstreams {
		u.names = append(u.names, up.Name)
		if up.Mock == nil {
			u.baseURLs[up.Name] = strings.TrimRight(up.URL, "/")
			continue
		}
		srv, err := mockupstream.Start(mockupstream.Options{Name: up.Name, Seed: sc.Seed, Config: sc.MockConfig(&up), NoLedger: !ledger})
		if err != nil {
			u.close()
			return nil, fmt.Errorf("starting mock upstream %s: %w", up.Name, err)
		}
		u.servers = append(u.servers, srv)
		u.baseURLs[up.Name] = srv.URL()
	}
	return u, nil
}

// reset restarts every mock's clock and counters.
func (u *upstreams) reset() {
	for _, s := range u.servers {
		s.Reset()
	}
}

func (u *upstreams) close() {
	for _, s := range u.servers {
		_ = s.Close()
	}
}

// ideal knows each operation's ideal latency: the paired draws say how long
// every upstream will take, and the strategy says how those combine.
type ideal struct {
	drawers   []mockupstream.Drawer // by upstream index
	policies  []strategies.Policy   // by upstream index
	idealizer strategies.Idealizer
}

// idealOf returns nil when the ideal cannot be known: a real upstream, a
// strategy without an Idealizer, a mock whose timing depends on the load
// (a rate limit, a finite capacity, a paced body) rather than on the draws,
// or a call policy whose timing does (a circuit breaker, a client-side rate limit).
func idealOf(sc *scenarios.Scenario, s strategies.Strategy) (*ideal, error) {
	iz, ok := s.(strategies.Idealizer)
	if !ok {
		return nil, nil
	}
	id := &ideal{idealizer: iz}
	for _, up := range sc.Upstreams {
		p := sc.PolicyFor(up.Name)
		// An async mock's completion is not in the ideal: unknown.
		if up.Mock == nil || loadDependent(up.Mock) || p.DependsOnLoad() || up.Mock.Async != nil {
			return nil, nil
		}
		id.policies = append(id.policies, p)
		b, err := mockupstream.Compile(*up.Mock)
		if err != nil {
			return nil, fmt.Errorf("upstream %s: %w", up.Name, err)
		}
		id.drawers = append(id.drawers, mockupstream.NewDrawer(sc.Seed, up.Name, b))
	}
	return id, nil
}

// loadDependent reports whether a mock's answers depend on the load as well
// as on the draws, in its base behaviour or in an incident.
func loadDependent(c *mockupstream.Config) bool {
	dependent := func(rl mockupstream.RateLimit, cp mockupstream.Capacity, b mockupstream.Body) bool {
		return rl.Rate > 0 || cp.Concurrency > 0 || b.BytesPerSecond > 0
	}
	if dependent(c.RateLimit, c.Capacity, c.Body) {
		return true
	}
	for _, inc := range c.Incidents {
		if inc.RateLimit != nil && inc.RateLimit.Rate > 0 || inc.Capacity != nil && inc.Capacity.Concurrency > 0 ||
			inc.Body != nil && inc.Body.BytesPerSecond > 0 {
			return true
		}
	}
	return false
}

// latency returns the ideal latency of operation seq, intended at offset at
// from the start (which picks the incident in force), using buf as scratch;
// false when a call's draw has no ideal: a hang or a reset (the answer then
// depends on the client's timeout), a first answer the call's retry policy
// retries (the wait before the retry is jittered, or a Retry-After), or a
// drawn delay past the policy's timeout or deadline. Only first attempts
// are drawn, so an operation has an ideal only when each call takes one.
func (id *ideal) latency(at time.Duration, seq uint64, calls []strategies.Call, buf []time.Duration) (time.Duration, bool) {
	for i := range calls {
		up := calls[i].UpstreamIndex
		d := id.drawers[up].DrawCall(at, seq, calls[i].Ordinal, 0)
		if d.Fault != mockupstream.FaultNone && d.Fault != mockupstream.FaultStatus {
			return 0, false
		}
		if unknownIdeal(id.policies[up], d) {
			return 0, false
		}
		buf[i] = d.Latency
	}
	return id.idealizer.Ideal(calls, buf), true
}
