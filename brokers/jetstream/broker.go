package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanbench/fanbench/internal/natsembed"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// Timings of the broker's client side; tests shorten some.
type tuning struct {
	// publishTimeout bounds one attempt of a publish; one left unanswered
	// is sent again (deduplicated by its Nats-Msg-Id).
	publishTimeout time.Duration
	// publishGiveUp bounds a publish's retries.
	publishGiveUp time.Duration
	// fetchWait is how long a consumer's pull request waits at the server.
	fetchWait time.Duration
	// pollEvery is how often the stream's message count is sampled.
	pollEvery time.Duration
	// requestTimeout bounds the broker's other requests (acks, stream
	// info, deletes).
	requestTimeout time.Duration
}

var defaultTuning = tuning{publishTimeout: 2 * time.Second, publishGiveUp: 30 * time.Second,
	fetchWait: 5 * time.Second, pollEvery: 100 * time.Millisecond, requestTimeout: 2 * time.Second}

// asyncPublishers is how many JetStream contexts publish asynchronously,
// each through a publishGroup.
const asyncPublishers = 4

// Broker is a strategies.Broker on a JetStream work-queue stream. Safe for
// concurrent use; see the package documentation for what it does.
type Broker struct {
	spec  strategies.BrokerSpec
	run   strategies.BrokerRun
	names names
	tune  tuning

	emb    *natsembed.Server // nil for an external server
	cpu    *cpuWatch         // nil for an external server
	nc     *nats.Conn
	js     jetstream.JetStream
	async  [asyncPublishers]publishGroup // publish: async
	stream jetstream.Stream
	cons   jetstream.Consumer
	adv    *nats.Subscription
	table  *table
	// waiters recycles the async publishers' waiters.
	waiters sync.Pool
	dead    deadQueue
	acks    ackHists
	began   time.Time

	// bg is the context of the broker's own requests (dead letters, the
	// stream's samples); cancelled by Close.
	bg       context.Context
	bgCancel context.CancelFunc
	wg       sync.WaitGroup

	closed    chan struct{}
	closeOnce sync.Once

	published, retries, pubErrors, serverDups atomic.Uint64
	redelivered, alreadyAcked, stale, deadLet atomic.Uint64

	// mu guards what the sampler and Close write.
	mu         sync.Mutex
	backlog    []metrics.Sample
	maxBacklog int
	peakBytes  uint64
	remaining  uint64
	cpuServer  *float64
	cpuClient  *float64
	restarts   int
	version    string
}

// New starts a broker as spec says (its defaults filled in): an embedded
// server or a connection to an external one, a work-queue stream bounded
// by run.Capacity, and its durable consumer. ctx bounds the start.
func New(ctx context.Context, spec strategies.BrokerSpec, run strategies.BrokerRun) (*Broker, error) {
	return newBroker(ctx, spec.WithDefaults(), run, defaultTuning)
}

func newBroker(ctx context.Context, spec strategies.BrokerSpec, run strategies.BrokerRun, tune tuning) (*Broker, error) {
	b := &Broker{spec: spec, run: run, names: namesFor(spec, run), tune: tune, table: newTable(),
		closed: make(chan struct{}), dead: deadQueue{signal: make(chan struct{}, 1)}}
	b.bg, b.bgCancel = context.WithCancel(context.WithoutCancel(ctx))
	if spec.Embedded() {
		var err error
		if b.emb, err = startEmbedded(spec); err != nil {
			b.bgCancel()
			return nil, err
		}
		b.cpu = startCPUWatch()
	}
	if err := b.open(ctx); err != nil {
		b.shutdown()
		return nil, err
	}
	b.began = time.Now()
	b.sample()
	b.wg.Go(b.poll)
	return b, nil
}

// where names the server in messages: "the embedded server" or its URL
// without credentials.
func (b *Broker) where() string {
	if b.emb != nil {
		return "the embedded server"
	}
	return strategies.RedactURLs(b.spec.URL)
}

// connect opens the client connection, under the client's CPU label.
func connect(spec strategies.BrokerSpec, emb *natsembed.Server, reconnect bool) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name("fanbench"), nats.Timeout(2 * time.Second), nats.ReconnectWait(20 * time.Millisecond),
		nats.ReconnectJitter(0, 0), nats.PingInterval(5 * time.Second)}
	if reconnect {
		opts = append(opts, nats.MaxReconnects(-1))
	} else {
		opts = append(opts, nats.NoReconnect())
	}
	url := spec.URL
	if emb != nil {
		url = ""
		opts = append(opts, nats.InProcessServer(emb))
	}
	if spec.Token != "" {
		opts = append(opts, nats.Token(spec.Token))
	}
	if spec.Creds != "" {
		opts = append(opts, nats.UserCredentials(spec.Creds))
	}
	var nc *nats.Conn
	var err error
	under(labelClient, func() { nc, err = nats.Connect(url, opts...) })
	return nc, err
}

// open connects and makes the stream, its consumer and the dead-letter
// subscription.
func (b *Broker) open(ctx context.Context) error {
	nc, err := connect(b.spec, b.emb, true)
	if err != nil {
		return fmt.Errorf("jetstream broker: cannot reach %s: %w", b.where(), err)
	}
	b.nc = nc
	b.version = nc.ConnectedServerVersion()
	if b.emb != nil {
		b.version = b.emb.Version()
	}
	b.js, err = jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream broker: %w", err)
	}
	if b.spec.Publish == strategies.PublishAsync {
		// Async publishers share a lock per JetStream context, which a
		// hundred publishers waiting on their acks contend for: a few
		// contexts, each with its share of max_pending, spread them.
		for i := range asyncPublishers {
			js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(max(b.spec.MaxPending/asyncPublishers, 1)),
				jetstream.WithPublishAsyncTimeout(b.tune.publishTimeout),
				jetstream.WithPublishAsyncAckHandler(b.onAsyncAck), jetstream.WithPublishAsyncErrHandler(b.onAsyncErr))
			if err != nil {
				return fmt.Errorf("jetstream broker: %w", err)
			}
			b.async[i].js = js
		}
	}
	storage := jetstream.FileStorage
	if b.spec.Storage == strategies.StorageMemory {
		storage = jetstream.MemoryStorage
	}
	b.stream, err = b.js.CreateStream(ctx, jetstream.StreamConfig{
		Name: b.names.stream, Subjects: []string{b.names.subject}, Description: "fanbench queued: " + b.run.Scenario + " / " + b.run.Strategy,
		Retention: jetstream.WorkQueuePolicy, Storage: storage, Replicas: b.spec.Replicas,
		MaxMsgs: int64(b.run.Capacity), Discard: jetstream.DiscardNew, Duplicates: 2 * time.Minute,
	})
	switch {
	case errors.Is(err, jetstream.ErrStreamNameAlreadyInUse):
		return fmt.Errorf("jetstream broker: stream %s already exists on %s with another configuration: name another (broker.stream) or delete it", b.names.stream, b.where())
	case err != nil:
		return fmt.Errorf("jetstream broker: creating stream %s on %s: %w", b.names.stream, b.where(), err)
	}
	if n := b.stream.CachedInfo().State.Msgs; n > 0 {
		return fmt.Errorf("jetstream broker: stream %s on %s already holds %d messages (from a run with keep: true?): purge or delete it, or name another stream", b.names.stream, b.where(), n)
	}
	maxDeliver := b.spec.MaxDeliver
	if maxDeliver == 0 {
		maxDeliver = -1
	}
	b.cons, err = b.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: b.names.consumer, AckPolicy: jetstream.AckExplicitPolicy, AckWait: b.spec.AckWait.D(),
		MaxDeliver: maxDeliver, MaxAckPending: b.spec.MaxAckPending, FilterSubject: b.names.subject,
	})
	if err != nil {
		return fmt.Errorf("jetstream broker: creating consumer %s on %s: %w", b.names.consumer, b.where(), err)
	}
	b.adv, err = nc.Subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."+b.names.stream+"."+b.names.consumer, b.onMaxDeliveries)
	if err != nil {
		return fmt.Errorf("jetstream broker: subscribing to dead letters: %w", err)
	}
	return nil
}

// check connects to an external server once and asks for the account's
// JetStream, so that a run fails before any load when the server is down,
// needs other credentials or has no JetStream.
func check(ctx context.Context, spec strategies.BrokerSpec) error {
	if spec.Embedded() {
		return nil
	}
	where := strategies.RedactURLs(spec.URL)
	nc, err := connect(spec, nil, false)
	if err != nil {
		return fmt.Errorf("jetstream broker: cannot reach %s: %w", where, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream broker at %s: %w", where, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(cctx); err != nil {
		return fmt.Errorf("jetstream broker at %s: JetStream does not answer (is the server started with -js?): %w", where, err)
	}
	return nil
}

// msgID is the Nats-Msg-Id of m: the call's idempotency key under the run,
// so that the server deduplicates retried publishes of one run and never
// mistakes a call of a later run (in a kept stream) for one it holds.
func (b *Broker) msgID(m strategies.Message) string {
	var buf [96]byte
	id := append(buf[:0], b.run.RunID...)
	id = append(id, "/fb-"...) // strategies.IdempotencyKey's form, in one allocation
	id = strconv.AppendUint(id, m.Seq, 10)
	id = append(id, '-')
	id = strconv.AppendInt(id, int64(m.Call), 10)
	return string(id)
}

// Publish returns once the stream's PubAck says it holds m; see
// strategies.Broker. A publish left unanswered is sent again under the
// same Nats-Msg-Id, and a full stream (capacity) refuses or makes the
// publisher wait, as when_full says.
func (b *Broker) Publish(ctx context.Context, m strategies.Message) error {
	if b.isClosed() {
		return strategies.ErrBrokerClosed
	}
	k := keyOf(m)
	// In the table before the publish: a consumer may receive the message
	// before its PubAck comes back.
	if !b.table.put(m) {
		return fmt.Errorf("jetstream broker: call %d of operation %d is published already", m.Call, m.Seq)
	}
	data := appendBody(make([]byte, 0, bodySize), m.Seq, m.Call, m.Intended)
	header := nats.Header{jetstream.MsgIDHeader: []string{b.msgID(m)}}
	began := time.Now()
	wait := time.Millisecond
	for {
		ack, err := b.publishOnce(ctx, &nats.Msg{Subject: b.names.subject, Data: data, Header: header}, k)
		if err == nil {
			if ack.Duplicate {
				b.serverDups.Add(1)
			}
			b.published.Add(1)
			b.acks.record(time.Since(began))
			return nil
		}
		switch {
		case b.isClosed():
			b.table.remove(k)
			return strategies.ErrBrokerClosed
		case ctx.Err() != nil:
			// Never acknowledged: the call is refused. Should the server
			// have stored it after all, a consumer finds it gone from the
			// table and drops it unsent.
			b.table.remove(k)
			return ctx.Err()
		case isFull(err):
			if b.run.Reject {
				b.table.remove(k)
				return strategies.ErrBrokerFull
			}
			// Wait for room, as the in-process broker does.
		case retriable(err) && time.Since(began) < b.tune.publishGiveUp:
			b.retries.Add(1)
		default:
			b.pubErrors.Add(1)
			b.table.remove(k)
			return fmt.Errorf("jetstream broker: publishing to %s: %w", b.where(), err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
		case <-b.closed:
		}
		timer.Stop()
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// publishOnce makes one attempt, sync or async as the spec says.
func (b *Broker) publishOnce(ctx context.Context, msg *nats.Msg, k key) (*jetstream.PubAck, error) {
	if b.spec.Publish != strategies.PublishAsync {
		actx, cancel := context.WithTimeout(ctx, b.tune.publishTimeout)
		defer cancel()
		return b.js.PublishMsg(actx, msg)
	}
	return b.publishAsync(ctx, msg, k)
}

// isFull reports whether err is a full stream's refusal (discard new at
// max_msgs).
func isFull(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && strings.Contains(api.Description, "maximum messages")
}

// retriable reports whether a publish that failed with err may have been
// lost on the way (no answer, a reconnect, no stream for a moment),
// rather than refused by the server.
func retriable(err error) bool {
	var api *jetstream.APIError
	if errors.As(err, &api) {
		return api.Code >= 500 // the server's trouble, such as a leader election
	}
	return !errors.Is(err, nats.ErrConnectionClosed) && !errors.Is(err, nats.ErrBadSubject)
}

// Subscribe adds a consumer: a puller of one message at a time from the
// stream's durable consumer.
func (b *Broker) Subscribe() (strategies.BrokerConsumer, error) {
	if b.isClosed() {
		return nil, strategies.ErrBrokerClosed
	}
	ctx, cancel := context.WithCancel(b.bg)
	return &consumer{b: b, ctx: ctx, cancel: cancel}, nil
}

// Depth is the number of messages published and not yet acknowledged by a
// consumer: the backlog. After Close it is what was left: the undelivered
// messages, whether or not the server still holds them (see
// BrokerResult.StreamRemaining for the server's count).
func (b *Broker) Depth() int { return b.table.len() }

// RestartServer shuts the embedded server down and starts it again on the
// same store, as a crash and a restart would: with file storage the stream
// and its consumer come back, and the client reconnects. It is a hook for
// tests and chaos experiments; an external server's restarts are its own.
func (b *Broker) RestartServer() error {
	if b.emb == nil {
		return errors.New("jetstream broker: only an embedded server can be restarted")
	}
	if b.spec.Storage != strategies.StorageFile {
		return errors.New("jetstream broker: a memory stream does not survive a restart; restart needs storage: file")
	}
	return b.emb.Restart()
}

func (b *Broker) isClosed() bool {
	select {
	case <-b.closed:
		return true
	default:
		return false
	}
}

// Close stops the broker: consumers and publishers waiting on it return
// strategies.ErrBrokerClosed, the stream's last count is taken, the stream
// is deleted from an external server (unless keep) and an embedded server
// stops. The messages left stay counted in Depth.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		close(b.closed)
		b.bgCancel()
		b.wg.Wait() // the sampler: an answer it awaits must not land after the last count
		b.sample()
		b.shutdown()
	})
	return nil
}

// shutdown releases what open and newBroker took.
func (b *Broker) shutdown() {
	b.bgCancel()
	b.wg.Wait()
	if b.adv != nil {
		_ = b.adv.Unsubscribe()
	}
	if b.nc != nil {
		if b.emb == nil && !b.spec.Keep && b.stream != nil {
			ctx, cancel := context.WithTimeout(context.Background(), b.tune.requestTimeout)
			_ = b.js.DeleteStream(ctx, b.names.stream)
			cancel()
		}
		b.nc.Close()
	}
	if b.emb != nil {
		s, c := b.cpu.stop()
		b.mu.Lock()
		b.cpuServer, b.cpuClient, b.restarts = s, c, b.emb.Restarts()
		b.mu.Unlock()
		b.emb.Stop()
	}
}

// ackSync acknowledges msg and waits for the server's confirmation,
// trying a few times across a reconnect.
func (b *Broker) ackSync(msg jetstream.Msg) error {
	var err error
	for try := range 3 {
		if try > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(b.bg, b.tune.requestTimeout)
		err = msg.DoubleAck(ctx)
		cancel()
		if err == nil || b.bg.Err() != nil {
			return err
		}
	}
	return err
}
