package strategies

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/internal/precise"
)

// ErrIncomplete is the Err of an asynchronous call whose completion did
// not come by its deadline.
var ErrIncomplete = errors.New("accepted (202) but not completed by the deadline")

// CompletionCaller waits for the completion of asynchronous calls (those
// with a Completion) around another Caller: the call's request goes
// through inner, and when it is answered 202 Accepted, the call waits for
// its callback (from the Receiver) or polls its Location through inner, so
// that the call policies apply to the polls too, until the work is done or
// the deadline passes (FailureIncomplete). Latency then runs to the
// completion; Accepted keeps the 202's. A call without a Completion goes
// straight to inner, so every strategy gets this without knowing of it.
// It is safe for concurrent use.
type CompletionCaller struct {
	inner Caller
	recv  *Receiver // nil: no callback-mode call
	// now and sleepUntil are the clock; tests replace them.
	now        func() time.Time
	sleepUntil func(ctx context.Context, t time.Time) error
}

// NewCompletionCaller wraps inner; recv takes the callbacks (nil when no
// call completes by callback).
func NewCompletionCaller(inner Caller, recv *Receiver) *CompletionCaller {
	return &CompletionCaller{inner: inner, recv: recv, now: time.Now, sleepUntil: precise.SleepUntil}
}

// Call makes the call and, for an asynchronous one answered 202, waits for
// its completion.
func (c *CompletionCaller) Call(ctx context.Context, seq uint64, call *Call) CallResult {
	if call.Completion == nil {
		return c.inner.Call(ctx, seq, call)
	}
	return c.complete(ctx, seq, -1, call)
}

// CallFrom is Call with the attempts numbered from first (a hedge); see
// AttemptCaller. An inner Caller that cannot number them makes a plain call.
func (c *CompletionCaller) CallFrom(ctx context.Context, seq uint64, first int, call *Call) CallResult {
	if call.Completion == nil {
		return c.send(ctx, seq, first, call)
	}
	return c.complete(ctx, seq, first, call)
}

// send makes the call's request through inner, from attempt first (-1: a
// plain Call).
func (c *CompletionCaller) send(ctx context.Context, seq uint64, first int, call *Call) CallResult {
	if ac, ok := c.inner.(AttemptCaller); ok && first >= 0 {
		return ac.CallFrom(ctx, seq, first, call)
	}
	return c.inner.Call(ctx, seq, call)
}

func (c *CompletionCaller) complete(ctx context.Context, seq uint64, first int, call *Call) CallResult {
	comp := call.Completion
	start := c.now()
	deadline := start.Add(comp.deadline())
	if comp.Mode == CompletionCallback && c.recv != nil {
		key := IdempotencyKey(seq, call.Index)
		w := c.recv.expect(ctx, key)
		res := c.send(ctx, seq, first, call)
		if res.Status != http.StatusAccepted {
			c.recv.forget(key, w)
			return res
		}
		res.Accepted = res.Latency
		_ = c.sleepUntil(w.ctx, deadline) // ends early when the event comes
		at, fired := c.recv.forget(key, w)
		switch {
		case fired:
			res.Latency = max(at.Sub(start), res.Accepted)
		case ctx.Err() != nil:
			c.fail(&res, FailureCanceled, ctx.Err(), c.now().Sub(start))
		default:
			c.fail(&res, FailureIncomplete, ErrIncomplete, deadline.Sub(start))
		}
		return res
	}
	res := c.send(ctx, seq, first, call)
	if res.Status != http.StatusAccepted {
		return res
	}
	res.Accepted = res.Latency
	if comp.Mode != CompletionPoll || res.Location == "" {
		// A callback with no receiver, or a 202 with nothing to poll:
		// the completion cannot be seen.
		c.fail(&res, FailureIncomplete, ErrIncomplete, res.Latency)
		return res
	}
	c.poll(ctx, seq, call, &res, start, deadline)
	return res
}

// poll asks res.Location on the schedule until it answers done (2xx but
// 202), another status (the call ends with it), or the deadline passes.
func (c *CompletionCaller) poll(ctx context.Context, seq uint64, call *Call, res *CallResult, start, deadline time.Time) {
	pc := *call
	pc.Method, pc.Body, pc.Path, pc.Headers, pc.ContentType, pc.Completion, pc.Compensation =
		http.MethodGet, calltemplate.Template{}, calltemplate.Template{}, nil, "", nil, nil
	pc.BaseURL = resolve(call.BaseURL, res.Location)
	wait, backoff, most := call.Completion.Poll.waits()
	// The polls keep to their schedule, each wait counted from when the
	// last poll was due rather than from when its answer came, so that a
	// poll's round trip does not stretch the interval (and the delay until
	// a completion is seen); a poll slower than the wait is followed by
	// the next at once, never by a burst to catch up.
	next := c.now().Add(wait)
	for {
		if !next.Before(deadline) {
			if c.sleepUntil(ctx, deadline) != nil {
				c.fail(res, FailureCanceled, ctx.Err(), c.now().Sub(start))
			} else {
				c.fail(res, FailureIncomplete, ErrIncomplete, deadline.Sub(start))
			}
			return
		}
		if c.sleepUntil(ctx, next) != nil {
			c.fail(res, FailureCanceled, ctx.Err(), c.now().Sub(start))
			return
		}
		pr := c.inner.Call(ctx, seq, &pc)
		res.Polls += pr.Attempts
		switch {
		case pr.Status == http.StatusAccepted:
		case pr.OK():
			res.Latency = c.now().Sub(start)
			return
		default: // an error status or no answer: the call ends with it
			res.Status, res.Failure, res.Err = pr.Status, pr.Failure, pr.Err
			res.Latency = c.now().Sub(start)
			return
		}
		wait = min(time.Duration(float64(wait)*backoff), most)
		next = next.Add(wait)
		if now := c.now(); next.Before(now) {
			next = now
		}
	}
}

// fail ends res without a completion.
func (c *CompletionCaller) fail(res *CallResult, f Failure, err error, latency time.Duration) {
	res.Status, res.Failure, res.Err, res.Latency = 0, f, err, latency
}

// resolve returns the absolute URL of a Location, relative to base.
func resolve(base, loc string) string {
	if strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://") {
		return loc
	}
	b, err := url.Parse(base)
	if err != nil {
		return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(loc, "/")
	}
	r, err := b.Parse(loc)
	if err != nil {
		return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(loc, "/")
	}
	return r.String()
}
