// Package runner runs a whole scenario: for each strategy in turn it starts
// fresh mock upstreams, drives the load through the strategy, records what
// happened, and assembles the metrics.Result.
//
// Each strategy gets new upstream servers, so no strategy inherits another's
// connections, queues or counters; the seed stays the same, so every strategy
// meets the same upstream behaviour (paired draws).
//
//	sc, _ := scenarios.Example("seed")
//	res, err := runner.Run(ctx, sc, runner.Options{Progress: os.Stderr})
package runner
