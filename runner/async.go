package runner

import (
	"fmt"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// asyncRun is what a strategy's run needs for asynchronous calls: the
// webhook receiver (nil when no call completes by callback).
type asyncRun struct {
	recv *strategies.Receiver
}

// startAsync starts the receiver when a call completes by callback.
func startAsync(sc *scenarios.Scenario) (*asyncRun, error) {
	a := &asyncRun{}
	if !sc.NeedsReceiver() {
		return a, nil
	}
	recv, err := strategies.StartReceiver(sc.ReceiverOptions())
	if err != nil {
		return nil, fmt.Errorf("starting the webhook receiver: %w", err)
	}
	a.recv = recv
	return a, nil
}

func (a *asyncRun) close() {
	if a.recv != nil {
		_ = a.recv.Close()
	}
}

// hasCompletions reports whether any call of sc is asynchronous.
func hasCompletions(sc *scenarios.Scenario) bool {
	for _, c := range sc.Operation.Calls {
		if c.Completion != nil {
			return true
		}
	}
	return false
}

// caller wraps c so that asynchronous calls wait for their completion; c
// itself when no call is asynchronous (the hot path unchanged).
func (a *asyncRun) caller(sc *scenarios.Scenario, c strategies.Caller) strategies.Caller {
	if !hasCompletions(sc) {
		return c
	}
	return strategies.NewCompletionCaller(c, a.recv)
}

// prepare gives the built calls their completion, and those that complete
// by callback the receiver's URL in Fanbench-Callback. calls are in the
// order buildCalls made them: each scenario call, repeated.
func (a *asyncRun) prepare(sc *scenarios.Scenario, calls []strategies.Call) error {
	i := 0
	for _, c := range sc.Operation.Calls {
		for range max(c.Repeat, 1) {
			if c.Completion != nil {
				calls[i].Completion = c.Completion
				if c.Completion.Mode == strategies.CompletionCallback && a.recv != nil {
					t, err := calltemplate.Parse(a.recv.URL(), calltemplate.Env{})
					if err != nil {
						return fmt.Errorf("receiver url: %w", err)
					}
					calls[i].Headers = append(calls[i].Headers, strategies.NewHeader(draws.HeaderCallback, t))
				}
			}
			i++
		}
	}
	return nil
}

// result is what the receiver and the mocks counted of the callbacks.
func (a *asyncRun) result(ups *upstreams) *metrics.Callbacks {
	if a.recv == nil {
		return nil
	}
	cb := &metrics.Callbacks{WebhookCounts: a.recv.Stats()}
	for _, s := range ups.servers {
		as := s.Stats().Async
		cb.Sent += as.CallbacksSent
		cb.Duplicated += as.CallbacksDuplicated
		cb.Lost += as.CallbacksLost
		cb.Late += as.CallbacksLate
	}
	return cb
}
