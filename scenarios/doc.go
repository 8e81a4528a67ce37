// Package scenarios defines the scenario file, fanbench's input: the
// upstreams to call (mock or real), the operation that calls them, the
// strategies to compare, the call policies (timeouts, retries, circuit
// breakers, client-side rate limits) per upstream, and the load to drive
// them with. Scenario.PolicyFor gives an upstream's effective policy: the
// default merged field by field with the upstream's override.
//
// Loading is strict, because a typo in a benchmark's input silently
// measures something else: unknown keys, values without units ("200" for a
// duration) and duplicate keys are errors. Every problem of a file is
// reported at once, each as FILE:LINE:COL: PATH: MESSAGE with the allowed
// values or a did-you-mean, and every error matches ErrInvalid. Defaults
// (method GET, path /, the open load model, DefaultMaxInFlight) are applied
// to the returned Scenario, so users of it need not repeat them.
//
// Anchors, aliases and merge keys (<<: *base) work as in any YAML; top-level
// keys starting with x- are ignored, a place to define anchors:
//
//	x-slow: &slow {dist: uniform, min: 100ms, max: 300ms}
//	upstreams:
//	  search: {mock: {latency: *slow}}
//
// A few example scenarios are embedded (see ExampleNames), "seed" being the
// textbook case: two upstreams of 200 ms and 300 ms, sequential costs 500 ms
// and fan-out 300 ms.
//
//	s, err := scenarios.Load("scenario.yaml")
//	if errors.Is(err, scenarios.ErrInvalid) {
//		fmt.Fprintln(os.Stderr, err) // scenario.yaml:7:11: load.rate: "fast" is not a rate; ...
//		return 2
//	}
//	for _, u := range s.Upstreams {
//		fmt.Println(u.Name, u.Mock != nil)
//	}
//
// The package only describes experiments; it runs nothing.
package scenarios
