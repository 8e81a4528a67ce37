package mockupstream

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanbench/fanbench/draws"
)

// AsyncStats count the asynchronous completions of a mock upstream.
type AsyncStats struct {
	// Accepted counts the 202s sent; Overflow the requests answered 503
	// because MaxPending completions were outstanding.
	Accepted uint64 `json:"accepted"`
	Overflow uint64 `json:"overflow"`
	// Pending is the completions outstanding now.
	Pending int64 `json:"pending"`
	// CallbacksSent counts the callback POSTs sent, duplicates included;
	// CallbacksDuplicated the second sends of duplicated events;
	// CallbacksLost the completions never sent (the lost fault);
	// CallbacksLate those sent late_by after their drawn time;
	// CallbacksFailed the POSTs that got no 2xx; CallbacksCancelled the
	// completions cut short by Close.
	CallbacksSent       uint64 `json:"callbacks_sent"`
	CallbacksDuplicated uint64 `json:"callbacks_duplicated"`
	CallbacksLost       uint64 `json:"callbacks_lost"`
	CallbacksLate       uint64 `json:"callbacks_late"`
	CallbacksFailed     uint64 `json:"callbacks_failed"`
	CallbacksCancelled  uint64 `json:"callbacks_cancelled"`
	// Polls counts the status requests, answered pending, done, or unknown
	// (404: no such operation, or one forgotten pollRetention after it
	// was done).
	Polls        uint64 `json:"polls"`
	PollsPending uint64 `json:"polls_pending"`
	PollsDone    uint64 `json:"polls_done"`
	PollsUnknown uint64 `json:"polls_unknown"`
	// Lost counts the poll-mode operations that will never be done.
	Lost uint64 `json:"lost"`
}

// pollRetention is how long a poll-mode operation is remembered after it
// is done (a lost one, after it was accepted) once MaxPending is reached.
const pollRetention = 5 * time.Minute

// callbackTimeout bounds one callback POST.
const callbackTimeout = 5 * time.Second

// asyncServer holds a server's outstanding completions. Its counters are
// atomic; ops is guarded by mu.
type asyncServer struct {
	next    atomic.Uint64 // operation ids
	pending atomic.Int64
	wg      sync.WaitGroup // callback goroutines
	client  *http.Client

	mu  sync.Mutex
	ops map[string]pollOp // poll mode

	accepted, overflow                            atomic.Uint64
	sent, duplicated, lost, late, failed, stopped atomic.Uint64
	polls, pollsPending, pollsDone, pollsUnknown  atomic.Uint64
	pollsLost                                     atomic.Uint64
}

// pollOp is a poll-mode operation: done from doneAt (never when lost),
// forgotten after expires once the table is full.
type pollOp struct {
	doneAt, expires time.Time
	lost            bool
}

func newAsyncServer() *asyncServer {
	return &asyncServer{
		ops: map[string]pollOp{},
		client: &http.Client{Transport: &http.Transport{
			Proxy: nil, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second,
		}, Timeout: callbackTimeout},
	}
}

func (a *asyncServer) stats() AsyncStats {
	return AsyncStats{
		Accepted: a.accepted.Load(), Overflow: a.overflow.Load(), Pending: a.pending.Load(),
		CallbacksSent: a.sent.Load(), CallbacksDuplicated: a.duplicated.Load(), CallbacksLost: a.lost.Load(),
		CallbacksLate: a.late.Load(), CallbacksFailed: a.failed.Load(), CallbacksCancelled: a.stopped.Load(),
		Polls: a.polls.Load(), PollsPending: a.pollsPending.Load(), PollsDone: a.pollsDone.Load(),
		PollsUnknown: a.pollsUnknown.Load(), Lost: a.pollsLost.Load(),
	}
}

func (a *asyncServer) reset() {
	for _, c := range []*atomic.Uint64{&a.accepted, &a.overflow, &a.sent, &a.duplicated, &a.lost, &a.late,
		&a.failed, &a.stopped, &a.polls, &a.pollsPending, &a.pollsDone, &a.pollsUnknown, &a.pollsLost} {
		c.Store(0)
	}
}

// close waits for the callbacks in flight, which the server's base context
// has ended, and releases the callback connections.
func (a *asyncServer) close() {
	a.wg.Wait()
	a.client.CloseIdleConnections()
}

// accept answers a request whose draw succeeded 202, and schedules its
// completion; or answers 400 for a missing callback URL, 503 when
// MaxPending completions are outstanding.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, p *asyncPhase, d Draw, seq uint64, attempt uint32) {
	a := s.async
	callback := r.Header.Get(draws.HeaderCallback)
	if p.mode == AsyncCallback {
		if err := checkCallbackURL(callback); err != nil {
			s.answerText(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	key := r.Header.Get(HeaderIdempotencyKey)
	if !s.reserve(p) {
		a.overflow.Add(1)
		w.Header()["Retry-After"] = []string{"1"}
		s.refuse(w, r, http.StatusServiceUnavailable, "too many completions outstanding (async.max_pending)")
		return
	}
	id := "op_" + strconv.FormatUint(a.next.Add(1), 16)
	now := time.Now()
	if p.mode == AsyncPoll {
		op := pollOp{doneAt: now.Add(d.Completion), lost: d.AsyncFault == AsyncLost}
		op.expires = op.doneAt.Add(pollRetention)
		if op.lost {
			a.pollsLost.Add(1)
			op.expires = now.Add(pollRetention)
		}
		a.mu.Lock()
		a.ops[id] = op
		a.mu.Unlock()
	}
	h := w.Header()
	h["Location"] = []string{PollPrefix + id}
	h[draws.HeaderOperation] = []string{id}
	h["Content-Type"] = contentJSON
	s.ledger.Record(key, http.StatusAccepted)
	s.count(http.StatusAccepted)
	a.accepted.Add(1)
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"upstream":`+strconv.Quote(s.name)+`,"operation":"`+id+`","status":"pending"}`+"\n")
	if p.mode != AsyncCallback {
		return
	}
	if d.AsyncFault == AsyncLost {
		a.lost.Add(1)
		a.pending.Add(-1)
		return
	}
	ev := event{ID: "evt_" + id[3:], Type: "operation.completed", Operation: id, Key: key, Upstream: s.name,
		Seq: seq, Attempt: attempt, Status: "done"}
	a.wg.Add(1)
	go s.deliver(callback, ev, now.Add(d.Completion), d.AsyncFault, p)
}

// reserve takes one of p's MaxPending slots; in poll mode it first forgets
// the operations past their retention when the table is full.
func (s *Server) reserve(p *asyncPhase) bool {
	a := s.async
	if p.mode == AsyncPoll {
		a.mu.Lock()
		defer a.mu.Unlock()
		if len(a.ops) >= p.maxPending {
			now := time.Now()
			for id, op := range a.ops {
				if now.After(op.expires) {
					delete(a.ops, id)
				}
			}
		}
		return len(a.ops) < p.maxPending
	}
	if a.pending.Add(1) > int64(p.maxPending) {
		a.pending.Add(-1)
		return false
	}
	return true
}

// event is the body of a completion callback.
type event struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Operation string `json:"operation"`
	Key       string `json:"key"`
	Upstream  string `json:"upstream"`
	Seq       uint64 `json:"seq"`
	Attempt   uint32 `json:"attempt"`
	Status    string `json:"status"`
}

// deliver waits until at, then posts ev to url, twice for a duplicate. It
// ends at once when the server closes.
func (s *Server) deliver(url string, ev event, at time.Time, fault AsyncFault, p *asyncPhase) {
	a := s.async
	defer a.wg.Done()
	defer a.pending.Add(-1)
	if !sleep(s.base, time.Until(at)) {
		a.stopped.Add(1)
		return
	}
	body, _ := json.Marshal(ev) // plain fields always marshal
	if fault == AsyncLate {
		a.late.Add(1)
	}
	s.post(url, body, p)
	if fault == AsyncDuplicate {
		a.duplicated.Add(1)
		s.post(url, body, p)
	}
}

// post sends one callback, signed as p says.
func (s *Server) post(url string, body []byte, p *asyncPhase) {
	a := s.async
	ctx, cancel := context.WithTimeout(s.base, callbackTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.failed.Add(1)
		return
	}
	req.Header["Content-Type"] = contentJSON
	req.Header[p.header] = []string{draws.Sign(p.secret, time.Now().Unix(), body)}
	req.Header[draws.HeaderUpstream] = s.nameHdr
	a.sent.Add(1)
	resp, err := a.client.Do(req)
	if err != nil {
		a.failed.Add(1)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.failed.Add(1)
	}
}

// servePoll answers a status URL of poll mode: 202 pending with a
// Retry-After, 200 done, or 404 for an operation it does not know.
func (s *Server) servePoll(w http.ResponseWriter, r *http.Request) {
	a := s.async
	h := w.Header()
	h[draws.HeaderUpstream] = s.nameHdr
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h["Allow"] = []string{"GET, HEAD"}
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "a status URL answers GET"})
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBodyBytes))
	a.polls.Add(1)
	id := strings.TrimPrefix(r.URL.Path, PollPrefix)
	a.mu.Lock()
	op, ok := a.ops[id]
	a.mu.Unlock()
	h["Content-Type"] = contentJSON
	now := time.Now()
	switch {
	case !ok:
		a.pollsUnknown.Add(1)
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"operation":`+strconv.Quote(id)+`,"status":"unknown"}`+"\n")
	case op.lost || now.Before(op.doneAt):
		a.pollsPending.Add(1)
		wait := 1
		if !op.lost {
			wait = max(1, int((op.doneAt.Sub(now)+time.Second-1)/time.Second))
		}
		h["Retry-After"] = []string{strconv.Itoa(wait)}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"operation":"`+id+`","status":"pending"}`+"\n")
	default:
		a.pollsDone.Add(1)
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"operation":"`+id+`","status":"done"}`+"\n")
	}
}
