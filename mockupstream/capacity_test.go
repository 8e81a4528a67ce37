package mockupstream

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

// queueUp starts an acquire in a goroutine and waits until it is queued,
// so that arrivals have a known order. Its outcome comes on the channel.
func queueUp(t *testing.T, g *gate, ctx context.Context, c Capacity) <-chan admission {
	t.Helper()
	before := g.queued.Load()
	out := make(chan admission, 1)
	go func() { out <- g.acquire(ctx, c) }()
	eventually(t, "the request to queue", func() bool { return g.queued.Load() == before+1 })
	return out
}

func TestGateFIFO(t *testing.T) {
	t.Parallel()
	g := newGate()
	c := Capacity{Concurrency: 1, Queue: 3}
	ctx := context.Background()
	if got := g.acquire(ctx, c); got != admitted {
		t.Fatalf("first acquire = %v, want admitted", got)
	}
	waiters := []<-chan admission{queueUp(t, g, ctx, c), queueUp(t, g, ctx, c), queueUp(t, g, ctx, c)}
	if got := g.acquire(ctx, c); got != queueFull {
		t.Errorf("acquire with 1 in service and 3 queued = %v, want queueFull", got)
	}
	for i, w := range waiters {
		select {
		case got := <-w:
			t.Fatalf("waiter %d admitted (%v) before its turn", i, got)
		default:
		}
		g.release()
		if got := <-w; got != admitted {
			t.Fatalf("waiter %d = %v, want admitted after a release", i, got)
		}
	}
	g.release()
	if g.busy != 0 || g.queued.Load() != 0 {
		t.Errorf("after every release: busy %d, queued %d; want 0, 0", g.busy, g.queued.Load())
	}
}

func TestGateCancelWhileQueued(t *testing.T) {
	t.Parallel()
	g := newGate()
	c := Capacity{Concurrency: 1, Queue: 2}
	_ = g.acquire(context.Background(), c)
	ctx, cancel := context.WithCancel(context.Background())
	first := queueUp(t, g, ctx, c)
	second := queueUp(t, g, context.Background(), c)
	cancel()
	if got := <-first; got != gaveUp {
		t.Errorf("a queued request whose context ended = %v, want gaveUp", got)
	}
	if q := g.queued.Load(); q != 1 {
		t.Errorf("queued after a cancel = %d, want 1", q)
	}
	g.release()
	if got := <-second; got != admitted {
		t.Errorf("the next in the queue after a release = %v, want admitted", got)
	}
	g.release()
	if g.busy != 0 {
		t.Errorf("busy = %d after every release, want 0", g.busy)
	}
}

func TestGateRaisedLimit(t *testing.T) {
	t.Parallel()
	g := newGate()
	small := Capacity{Concurrency: 1, Queue: 5}
	_ = g.acquire(context.Background(), small)
	w1, w2 := queueUp(t, g, context.Background(), small), queueUp(t, g, context.Background(), small)
	// An incident (or its end) raises the limit: the queue goes in first.
	if got := g.acquire(context.Background(), Capacity{Concurrency: 4}); got != admitted {
		t.Errorf("acquire under a raised limit = %v, want admitted", got)
	}
	if a, b := <-w1, <-w2; a != admitted || b != admitted {
		t.Errorf("queued requests after the limit rose = %v, %v; want both admitted", a, b)
	}
	// Unlimited (a phase without capacity) still counts the slot.
	if got := g.acquire(context.Background(), Capacity{}); got != admitted || g.busy != 5 {
		t.Errorf("acquire unlimited = %v with busy %d, want admitted and 5 busy", got, g.busy)
	}
}

// TestServerCapacityQueueing fills the server's N slots with hanging
// requests and its queue of Q with quick ones, then checks that the extra
// requests are refused 503 at once, and that the queued ones are served,
// in turn, once a slot frees.
func TestServerCapacityQueueing(t *testing.T) {
	t.Parallel()
	const n, q, extra = 2, 3, 2
	cfg := Config{Faults: Faults{Hang: 0.5}, Capacity: Capacity{Concurrency: n, Queue: q}}
	srv := start(t, Options{Name: "pool", Seed: 9, Config: cfg})
	d := NewDrawer(9, "pool", mustCompile(t, cfg))
	var hangs, quick []uint64
	for seq := uint64(0); len(hangs) < n || len(quick) < q+extra; seq++ {
		if d.Draw(seq, 0).Fault == FaultHang {
			hangs = append(hangs, seq)
		} else {
			quick = append(quick, seq)
		}
	}
	c := client(t, 20*time.Second)
	send := func(ctx context.Context, seq uint64) (int, string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL(), nil)
		req.Header.Set(draws.HeaderSeq, strconv.FormatUint(seq, 10))
		resp, err := c.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), nil
	}
	var wg sync.WaitGroup
	hangCtx, release := context.WithCancel(context.Background())
	defer release()
	for _, seq := range hangs[:n] {
		wg.Go(func() { _, _, _ = send(hangCtx, seq) })
	}
	eventually(t, "n hanging requests in service", func() bool { return srv.Stats().InFlight == n })
	type result struct {
		status int
		end    time.Time
	}
	queued := make([]result, q)
	for i, seq := range quick[:q] {
		wg.Go(func() {
			status, _, err := send(context.Background(), seq)
			if err != nil {
				t.Errorf("queued request %d: %v", i, err)
			}
			queued[i] = result{status, time.Now()}
		})
		eventually(t, "the request to queue", func() bool { return srv.Stats().Queued == int64(i+1) })
	}
	for i, seq := range quick[q : q+extra] {
		status, ra, err := send(context.Background(), seq)
		if err != nil || status != http.StatusServiceUnavailable || ra != "1" {
			t.Errorf("extra request %d with the queue full = %d, Retry-After %q, %v; want 503 with Retry-After 1", i, status, ra, err)
		}
	}
	if st := srv.Stats(); st.Queued != q || st.Statuses[200] != 0 {
		t.Errorf("Stats() with the queue full = %+v, want %d queued and none answered", st, q)
	}
	releasedAt := time.Now()
	release() // the hangs end, their slots free, the queue goes through
	wg.Wait()
	for i, r := range queued {
		if r.status != http.StatusOK || r.end.Before(releasedAt) {
			t.Errorf("queued request %d = %d at %v, want 200 after the slots were freed at %v", i, r.status, r.end, releasedAt)
		}
	}
	eventually(t, "every request to end", func() bool { return srv.Stats().InFlight == 0 })
	st := srv.Stats()
	if st.Overloaded != extra || st.Statuses[503] != extra || st.Statuses[200] != q || st.Faults[FaultHang] != n || st.Queued != 0 {
		t.Errorf("Stats() = %+v, want %d overloaded (503), %d answered 200, %d hangs, none queued", st, extra, q, n)
	}
}

// TestServerCapacityCancelInQueue: a client that gives up while queued
// frees its place and is counted as cancelled.
func TestServerCapacityCancelInQueue(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: "pool", Config: Config{
		Latency:  draws.Latency{Value: units.Duration(10 * time.Second)},
		Capacity: Capacity{Concurrency: 1, Queue: 1},
	}})
	c := client(t, 20*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL(), nil)
			if resp, err := c.Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	eventually(t, "one in service and one queued", func() bool { st := srv.Stats(); return st.InFlight == 2 && st.Queued == 1 })
	cancel()
	wg.Wait()
	eventually(t, "both to end", func() bool { return srv.Stats().InFlight == 0 })
	if st := srv.Stats(); st.Cancelled != 2 || st.Queued != 0 || len(st.Statuses) != 0 {
		t.Errorf("Stats() = %+v, want 2 cancelled (one in its delay, one in the queue), none queued", st)
	}
}
