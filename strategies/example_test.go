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

// The audit call is not critical, so its failure makes the operation
// partial, not failed, under every strategy.
func ExampleNew() {
	calls := []strategies.Call{
		{Upstream: "profile", Method: "PUT", Critical: true},
		{Upstream: "audit", Method: "POST"},
	}
	for _, name := range strategies.Names {
		s, _ := strategies.New(strategies.Spec{Name: name}, answer{})
		op := strategies.NewOperation(calls)
		fmt.Println(name, s.Execute(context.Background(), op), op.Results[1].Status)
	}
	// Output:
	// sequential partial 503
	// fanout partial 503
}
