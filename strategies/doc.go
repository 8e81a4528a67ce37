// Package strategies holds the ways one operation's calls can be sent to
// their upstreams, and the Caller that makes one call.
//
// A Strategy orchestrates: it decides the order and concurrency of an
// operation's calls and when the operation's result is known. A Caller makes
// one call. Strategies know nothing of pacing, histograms or reports: they
// fill in each call's CallResult and return the operation's Outcome, and the
// runner records them.
//
// Call policies are not strategies: a PolicyCaller wraps an Attempter (one
// HTTP request, such as an HTTPCaller) into a Caller that applies each
// upstream's Policy — per-attempt timeout, overall deadline, retries with
// exponential backoff, jitter and Retry-After (both forms), a circuit
// breaker and a client-side token bucket — so every strategy can use them,
// and counts what they did in the CallResult (attempts, 429s, retries sent
// too early, limiter wait, breaker refusals).
//
//	http := strategies.NewHTTPCaller(strategies.HTTPOptions{MaxIdleConnsPerHost: 64})
//	defer http.Close()
//	caller, err := strategies.NewPolicyCaller(http, []strategies.Policy{{
//		Timeout: 2 * time.Second,
//		Retry:   strategies.Retry{Attempts: 3, Backoff: 50 * time.Millisecond},
//		Breaker: strategies.Breaker{Consecutive: 5, OpenFor: 5 * time.Second},
//	}})
//	s, _ := strategies.New("fanout", nil, caller, strategies.Env{}) // nil options: the defaults
//	op := strategies.NewOperation(calls)
//	op.Seq = 7
//	outcome := s.Execute(ctx, op) // op.Results now holds each call's result
package strategies
