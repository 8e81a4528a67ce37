package main

import (
	"fmt"
	"time"
)

// Every check drives the same operation: a GET to each of two upstreams,
// a and b, fanned out. These build its files.

// twoMocks is the upstreams block of two mock upstreams of a fixed latency,
// as a scenario or a fanbench mock file holds it.
func twoMocks(latency time.Duration) string {
	return fmt.Sprintf(`seed: 1
upstreams:
  a:
    mock: {latency: %v}
  b:
    mock: {latency: %v}
`, latency, latency)
}

// twoURLs is the upstreams block of a and b served elsewhere (a standalone
// mock process).
func twoURLs(a, b string) string {
	return fmt.Sprintf(`seed: 1
upstreams:
  a: {url: %q}
  b: {url: %q}
`, a, b)
}

// fanoutScenario is the scenario named name: fanout of a GET to a and b,
// as upstreams defines them, under load (a flow mapping).
func fanoutScenario(name, upstreams, load string) string {
	return fmt.Sprintf(`name: %s
%soperation:
  calls:
    - {upstream: a, method: GET, path: /}
    - {upstream: b, method: GET, path: /}
strategies: [fanout]
load: %s
`, name, upstreams, load)
}

// postScenario is the scenario named name: fanout of calls POSTs of body
// (1 or 2: to a, then b), as upstreams defines them, under load.
func postScenario(name, upstreams string, calls int, body, load string) string {
	s := fmt.Sprintf("name: %s\n%soperation:\n  calls:\n", name, upstreams)
	for _, u := range []string{"a", "b"}[:calls] {
		s += fmt.Sprintf("    - {upstream: %s, method: POST, path: /, body: %q}\n", u, body)
	}
	return s + fmt.Sprintf("strategies: [fanout]\nload: %s\n", load)
}
