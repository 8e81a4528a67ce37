package strategies

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/draws"
)

// ReceiverOptions configure a webhook Receiver.
type ReceiverOptions struct {
	// Listen is the address to listen on; "127.0.0.1:0" when empty.
	Listen string
	// URL is the callback URL given to upstreams (the Fanbench-Callback
	// header), for a receiver reached through a tunnel or a proxy; the
	// listener's own http://ADDR/callbacks when empty.
	URL string
	// Header is the signature header's name; draws.HeaderSignature when
	// empty.
	Header string
	// Secret is the shared HMAC secret; draws.DefaultWebhookSecret when
	// empty.
	Secret string
	// Tolerance is how far an event's timestamp may be from now;
	// draws.DefaultSignatureTolerance when 0.
	Tolerance time.Duration
}

// ReceiverPath is the path the receiver takes events on.
const ReceiverPath = "/callbacks"

// maxEventBytes bounds an event's body.
const maxEventBytes = 1 << 20

// Receiver is the run's webhook receiver: a real HTTP server that takes
// signed completion events and wakes the calls waiting for them, by the
// call's idempotency key (the event's "key"). Each event id is applied
// once. It is safe for concurrent use.
type Receiver struct {
	url       string
	header    string
	secret    []byte
	tolerance time.Duration
	srv       *http.Server
	served    chan struct{}

	mu      sync.Mutex
	waiters map[string]*waiter
	seen    map[string]struct{} // event ids applied or refused as duplicates

	received, completed, duplicates, unmatched, badSig, stale, malformed atomic.Uint64
}

// waiter is a call waiting for its completion: done is cancelled when the
// event comes, at.
type waiter struct {
	ctx    context.Context
	cancel context.CancelFunc
	at     time.Time
	fired  bool // guarded by Receiver.mu
}

// StartReceiver listens and serves until Close.
func StartReceiver(o ReceiverOptions) (*Receiver, error) {
	addr := o.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver: %w", err)
	}
	r := &Receiver{url: o.URL, header: o.Header, secret: []byte(o.Secret), tolerance: o.Tolerance,
		waiters: map[string]*waiter{}, seen: map[string]struct{}{}, served: make(chan struct{})}
	if r.url == "" {
		r.url = "http://" + ln.Addr().String() + ReceiverPath
	}
	if r.header == "" {
		r.header = draws.HeaderSignature
	}
	if len(r.secret) == 0 {
		r.secret = []byte(draws.DefaultWebhookSecret)
	}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(r.served)
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// URL is the callback URL to give upstreams.
func (r *Receiver) URL() string { return r.url }

// Close stops the server and returns when it is done.
func (r *Receiver) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := r.srv.Shutdown(ctx)
	if err != nil {
		err = r.srv.Close()
	}
	<-r.served
	return err
}

// Stats reads the counters.
func (r *Receiver) Stats() draws.WebhookCounts {
	return draws.WebhookCounts{Received: r.received.Load(), Completed: r.completed.Load(), Duplicates: r.duplicates.Load(),
		Unmatched: r.unmatched.Load(), BadSignature: r.badSig.Load(), Stale: r.stale.Load(), Malformed: r.malformed.Load()}
}

// expect registers a call waiting for the event of key, before its request
// is sent (the event may come before the 202 is read).
func (r *Receiver) expect(ctx context.Context, key string) *waiter {
	w := &waiter{}
	w.ctx, w.cancel = context.WithCancel(ctx)
	r.mu.Lock()
	r.waiters[key] = w
	r.mu.Unlock()
	return w
}

// forget ends a wait; it reports whether the event came, and when.
func (r *Receiver) forget(key string, w *waiter) (time.Time, bool) {
	r.mu.Lock()
	if r.waiters[key] == w {
		delete(r.waiters, key)
	}
	at, fired := w.at, w.fired
	r.mu.Unlock()
	w.cancel()
	return at, fired
}

// receivedEvent is what the receiver reads of an event.
type receivedEvent struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Status string `json:"status"`
}

// ServeHTTP takes one event: 204 when applied or unmatched, 200 for a
// duplicate (so that the sender stops), 401 for a bad signature, 400 for
// a malformed body, 405 for another method.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "the webhook receiver takes POST", http.StatusMethodNotAllowed)
		return
	}
	now := time.Now()
	r.received.Add(1)
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxEventBytes))
	if err != nil {
		r.malformed.Add(1)
		http.Error(w, "reading the event: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := draws.VerifySignature(r.secret, req.Header.Get(r.header), body, now, r.tolerance); err != nil {
		if errors.Is(err, draws.ErrSignatureStale) {
			r.stale.Add(1)
		} else {
			r.badSig.Add(1)
		}
		http.Error(w, r.header+": "+err.Error(), http.StatusUnauthorized)
		return
	}
	var ev receivedEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Key == "" {
		r.malformed.Add(1)
		http.Error(w, `an event is a JSON object with "id" and "key"`, http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	if _, dup := r.seen[ev.ID]; dup {
		r.mu.Unlock()
		r.duplicates.Add(1)
		w.WriteHeader(http.StatusOK)
		return
	}
	r.seen[ev.ID] = struct{}{}
	wt := r.waiters[ev.Key]
	if wt != nil && !wt.fired && (ev.Status == "" || strings.EqualFold(ev.Status, "done")) {
		wt.fired, wt.at = true, now
		delete(r.waiters, ev.Key)
		r.mu.Unlock()
		r.completed.Add(1) // before the call learns it: its caller may read the counts at once
		wt.cancel()
	} else {
		r.mu.Unlock()
		r.unmatched.Add(1)
	}
	w.WriteHeader(http.StatusNoContent)
}
