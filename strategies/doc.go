// Package strategies holds the ways one operation's calls can be sent to
// their upstreams, and the Caller that makes one call.
//
// A Strategy orchestrates: it decides the order and concurrency of an
// operation's calls and when the operation's result is known. A Caller makes
// one call. Strategies know nothing of pacing, histograms or reports: they
// fill in each call's CallResult and return the operation's Outcome, and the
// runner records them.
//
//	caller := strategies.NewHTTPCaller(strategies.HTTPOptions{MaxConnsPerHost: 64})
//	defer caller.Close()
//	s, _ := strategies.New("fanout", caller)
//	op := strategies.NewOperation(calls)
//	op.Seq = 7
//	outcome := s.Execute(ctx, op) // op.Results now holds each call's result
package strategies
