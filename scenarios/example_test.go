package scenarios_test

import (
	"fmt"

	"github.com/fanbench/fanbench/scenarios"
)

// Load the embedded seed scenario: two mocks of 200 ms and 300 ms.
func Example() {
	s, err := scenarios.Example("seed")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name)
	for _, u := range s.Upstreams {
		fmt.Println(u.Name, u.Mock.Latency.Value)
	}
	fmt.Println(s.Load.Rate)
	// Output:
	// seed
	// profile 200ms
	// audit 300ms
	// 20/s
}

// Every problem is reported at once, each with its line, column and field.
func ExampleParse() {
	_, err := scenarios.Parse("scenario.yaml", []byte(`name: demo
upstreams:
  profile: {mock: {latency: 200}}
operation:
  calls: [{upstream: profil}]
strategies: [fanuot]
load: {rate: 20/s, duration: 10s}
`))
	fmt.Println(err)
	// Output:
	// scenario.yaml:3:29: upstreams.profile.mock.latency: "200" is not a duration; write it with a unit, like 250ms, 2s or 1m30s
	// scenario.yaml:5:22: operation.calls[0].upstream: unknown upstream "profil"; did you mean "profile"? defined: profile
	// scenario.yaml:6:14: strategies[0].name: unknown strategy "fanuot"; did you mean "fanout"? known: sequential, fanout, pooled, queued, hedged
}
