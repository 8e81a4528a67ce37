package strategies_test

import (
	"context"
	"fmt"

	"github.com/fanbench/fanbench/strategies"
)

// answer is a Caller without I/O: the audit API fails.
type answer struct{}

func (answer) Call(_ context.Context, _ uint64, c *strategies.Call) strategies.CallResult {
	if c.Upstream == "audit" {
		return strategies.CallResult{Status: 503, Attempts: 1}
	}
	return strategies.CallResult{Status: 200, Attempts: 1}
}

// CallFrom makes answer an AttemptCaller, which hedged requires.
func (a answer) CallFrom(ctx context.Context, seq uint64, _ int, c *strategies.Call) strategies.CallResult {
	return a.Call(ctx, seq, c)
}

// The audit call is not critical, so its failure makes the operation
// partial, not failed, under every strategy but queued, whose outcome is
// the ack: its calls are delivered later, and Results stay zero.
func ExampleNew() {
	calls := []strategies.Call{
		{Upstream: "profile", Method: "PUT", Critical: true},
		{Upstream: "audit", Method: "POST"},
	}
	for _, name := range strategies.Names() {
		s, _ := strategies.New(name, nil, answer{}, strategies.Env{})
		op := strategies.NewOperation(calls)
		fmt.Println(name, s.Execute(context.Background(), op), op.Results[1].Status)
		if c, ok := s.(interface{ Close() error }); ok { // pooled, queued run goroutines of their own
			_ = c.Close()
		}
	}
	// Output:
	// sequential partial 503
	// fanout partial 503
	// pooled partial 503
	// queued ok 0
	// hedged partial 503
}
