package cluster

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanbench/fanbench/loadgen"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// Options say how to coordinate a run.
type Options struct {
	// Scenario is the scenario as run, flags applied; Plan carries its
	// source, the flags and the version to the agents (the coordinator
	// fills in the rest).
	Scenario *scenarios.Scenario
	Plan     Plan
	// Agents is how many agents share the load, one segment each.
	Agents int
	// WaitAgents bounds the wait for the agents to claim their segments;
	// 60s when 0.
	WaitAgents time.Duration
	// LostAfter is how long an agent may be silent before it counts as
	// lost (the claim's ack wait); 5s when 0. An agent is noticed lost
	// within LostAfter plus a second.
	LostAfter time.Duration
	// Grace is the agents' grace period (the runner's default, 10s, when
	// 0): how long after the end of a strategy's schedule its results may
	// take.
	Grace time.Duration
	// Progress receives the merged figures once a second and a line as
	// agents claim, end or are lost; nil for silence.
	Progress io.Writer
	// AgentResult, when set, is given each agent's own result of each
	// strategy before they are merged (tests compare them with the merge).
	AgentResult func(segment int, sr metrics.StrategyResult)
	// Claimed, when set, is told of each agent as it claims its segment.
	Claimed func(AgentInfo)
}

// leftoverAge is how long what a run made on the server outlives a
// coordinator that could not remove it (killed, or cut off): its
// messages and keys expire then.
const leftoverAge = 24 * time.Hour

// ErrServerLost marks a run whose NATS server went away: the result holds
// what had arrived.
var ErrServerLost = errors.New("the connection to the NATS server was lost")

// ErrAgents marks a run whose agents did not all come: too few claimed a
// segment, or some refused the plan.
var ErrAgents = errors.New("the agents did not start the run")

// Coordinate runs o.Scenario on o.Agents agents reached through nc and
// returns their merged result. When ctx ends, the agents are stopped and
// what they measured is merged, marked interrupted. With ErrServerLost,
// the result returned beside the error holds what arrived before.
func Coordinate(ctx context.Context, nc *nats.Conn, o Options) (*metrics.Result, error) {
	if o.Agents < 1 {
		return nil, fmt.Errorf("%w: at least one agent is needed", ErrAgents)
	}
	if o.WaitAgents <= 0 {
		o.WaitAgents = time.Minute
	}
	if o.LostAfter <= 0 {
		o.LostAfter = 5 * time.Second
	}
	if o.Grace <= 0 {
		o.Grace = 10 * time.Second
	}
	c, err := newCoord(ctx, nc, o)
	if err != nil {
		return nil, err
	}
	defer c.close()
	runErr := c.run(ctx)
	res, err := c.result()
	if err != nil {
		return nil, err
	}
	if runErr == nil {
		runErr = c.failed()
	}
	return res, runErr
}

// ErrAgentsFailed marks a run that every agent failed to carry out (an
// upstream that would not start, say).
var ErrAgentsFailed = errors.New("every agent's run failed")

// failed is ErrAgentsFailed, with the first agent's error, when every
// agent's run failed.
func (c *coord) failed() error {
	first := ""
	for s := range c.segs {
		d := c.done[s]
		if d == nil || d.Err == "" {
			return nil
		}
		if first == "" {
			first = fmt.Sprintf("agent %s: %s", c.infos[s].Name, d.Err)
		}
	}
	return fmt.Errorf("%w; %s", ErrAgentsFailed, first)
}

// coord is one coordinated run.
type coord struct {
	o      Options
	nc     *nats.Conn
	js     jetstream.JetStream
	plan   Plan
	segs   []loadgen.Segment
	agents jetstream.KeyValue
	rkv    jetstream.KeyValue
	clock  *nats.Subscription
	events chan event
	stop   context.CancelFunc // ends the watchers
	bg     sync.WaitGroup     // the watchers' goroutines

	infos      map[int]AgentInfo
	rejections []string
	ready      map[[2]int]bool
	finals     map[[2]int]*metrics.StrategyResult
	tallies    map[[2]int]*tally
	done       map[int]*doneMsg
	lost       map[int]time.Time
	started    []bool // by strategy: released at the barrier
	stopped    bool   // the stop key was put
	serverLost bool
}

// event is what the watchers hand the coordinator's one loop.
type event struct {
	key     string // a key of the run's bucket, put
	value   []byte
	subject string // a report
	data    []byte
	lostSeg int // a lapsed claim: this segment's agent is lost (−1: none)
}

func newCoord(ctx context.Context, nc *nats.Conn, o Options) (*coord, error) {
	run := strings.ToLower(rand.Text()[:10])
	p := o.Plan
	p.RunID, p.LostAfter, p.Created = run, o.LostAfter, time.Now()
	p.Segments, p.Strategies = nil, nil
	for i := range o.Agents {
		p.Segments = append(p.Segments, loadgen.Share(i, o.Agents).String())
	}
	for _, s := range o.Scenario.Strategies {
		p.Strategies = append(p.Strategies, s.Title())
	}
	segs, err := loadgen.Partition(p.Segments...)
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	c := &coord{o: o, nc: nc, js: js, plan: p, segs: segs, events: make(chan event, 256),
		infos: map[int]AgentInfo{}, ready: map[[2]int]bool{}, finals: map[[2]int]*metrics.StrategyResult{},
		tallies: map[[2]int]*tally{}, done: map[int]*doneMsg{}, lost: map[int]time.Time{}, started: make([]bool, len(p.Strategies))}
	if err := c.setup(ctx); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// setup makes the run's bucket and streams, offers the segments, and puts
// the plan where the agents watch.
func (c *coord) setup(ctx context.Context) error {
	run := c.plan.RunID
	var err error
	if c.agents, err = c.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: agentsBucket, Storage: jetstream.MemoryStorage}); err != nil {
		return fmt.Errorf("the agents' bucket %s: %w", agentsBucket, err)
	}
	if c.rkv, err = c.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: runBucket(run), Storage: jetstream.MemoryStorage, TTL: leftoverAge}); err != nil {
		return fmt.Errorf("the run's bucket: %w", err)
	}
	seg, err := c.js.CreateStream(ctx, jetstream.StreamConfig{Name: segmentStream(run), Subjects: []string{segmentSubject(run)},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.MemoryStorage, MaxAge: leftoverAge})
	if err != nil {
		return fmt.Errorf("the segments' stream: %w", err)
	}
	if _, err := seg.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: claimsConsumer, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: c.o.LostAfter, MaxDeliver: -1}); err != nil {
		return fmt.Errorf("the segments' consumer: %w", err)
	}
	if _, err := c.js.CreateStream(ctx, jetstream.StreamConfig{Name: reportStream(run), Subjects: []string{"fanbench." + run + ".report.>"},
		Storage: jetstream.MemoryStorage, Duplicates: 2 * time.Minute, MaxAge: leftoverAge}); err != nil {
		return fmt.Errorf("the reports' stream: %w", err)
	}
	for i, s := range c.plan.Segments {
		data, _ := json.Marshal(segmentMsg{Index: i, Segment: s})
		if _, err := c.js.Publish(ctx, segmentSubject(run), data, jetstream.WithMsgID(run+".segment."+strconv.Itoa(i))); err != nil {
			return fmt.Errorf("offering segment %s: %w", s, err)
		}
	}
	if c.clock, err = serveClock(c.nc, run); err != nil {
		return err
	}
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	c.stop = stop
	if err := c.watch(wctx); err != nil {
		return err
	}
	raw, _ := json.Marshal(c.plan)
	if _, err := c.agents.Put(ctx, planKey, raw); err != nil {
		return fmt.Errorf("putting the plan: %w", err)
	}
	return nil
}

// watch feeds the run's bucket and its reports into c.events.
func (c *coord) watch(ctx context.Context) error {
	w, err := c.rkv.WatchAll(ctx)
	if err != nil {
		return err
	}
	c.bg.Go(func() {
		eachPut(ctx, w, func(e jetstream.KeyValueEntry) bool {
			c.send(ctx, event{key: e.Key(), value: e.Value(), lostSeg: -1})
			return true
		})
	})
	cons, err := c.js.OrderedConsumer(ctx, reportStream(c.plan.RunID), jetstream.OrderedConsumerConfig{})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		c.send(ctx, event{subject: m.Subject(), data: m.Data(), lostSeg: -1})
	})
	if err != nil {
		return err
	}
	context.AfterFunc(ctx, cc.Stop)
	return nil
}

func (c *coord) send(ctx context.Context, e event) {
	select {
	case c.events <- e:
	case <-ctx.Done():
	}
}

// watchLost fetches, once every segment is claimed, the claims that lapse:
// each is a segment whose agent stopped renewing it.
func (c *coord) watchLost(ctx context.Context) {
	cons, err := c.js.Consumer(ctx, segmentStream(c.plan.RunID), claimsConsumer)
	if err != nil {
		return
	}
	c.bg.Go(func() {
		for ctx.Err() == nil {
			batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
			if err != nil {
				if ctx.Err() == nil {
					time.Sleep(200 * time.Millisecond)
				}
				continue
			}
			for m := range batch.Messages() {
				var sm segmentMsg
				if json.Unmarshal(m.Data(), &sm) == nil {
					_ = m.Term()
					c.send(ctx, event{lostSeg: sm.Index})
				}
			}
		}
	})
}

// close removes the plan and what the run made on the server.
func (c *coord) close() {
	if c.stop != nil {
		c.stop()
	}
	c.bg.Wait()
	if c.clock != nil {
		_ = c.clock.Unsubscribe()
	}
	if c.nc.IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.agents != nil {
		_ = c.agents.Delete(ctx, planKey)
	}
	run := c.plan.RunID
	_ = c.js.DeleteStream(ctx, segmentStream(run))
	_ = c.js.DeleteStream(ctx, reportStream(run))
	_ = c.js.DeleteKeyValue(ctx, runBucket(run))
}

func (c *coord) progress(format string, args ...any) { logf(c.o.Progress, format, args...) }
