package main

import (
	"fmt"
	"time"
)

// Every check drives the same operation: a GET to each of two upstreams,
// a and b, fanned out. These build its files.

// twoMocks is the upstreams block of two mock upstreams of a fixed latency,
// as a scenario or (with no client) a fanbench mock file holds it; client,
// when set, is the HTTP client of the scenario's calls to them.
func twoMocks(latency time.Duration, client string) string {
	return fmt.Sprintf(`seed: 1
upstreams:
  a:
    mock: {latency: %v}%[2]s
  b:
    mock: {latency: %[1]v}%[2]s
`, latency, clientLine("\n    ", client))
}

// twoURLs is the upstreams block of a and b served elsewhere (a standalone
// mock process).
func twoURLs(a, b, client string) string {
	return fmt.Sprintf(`seed: 1
upstreams:
  a: {url: %q%[3]s}
  b: {url: %[2]q%[3]s}
`, a, b, clientLine(", ", client))
}

// clientLine is the key that sets an upstream's client, after sep; none for
// the default.
func clientLine(sep, client string) string {
	if client == "" {
		return ""
	}
	return sep + "client: " + client
}

// fanoutScenario is the scenario named name: fanout of a GET to a and b,
// as upstreams defines them, under load (a flow mapping).
func fanoutScenario(name, upstreams, load string) string {
	return callsScenario(name, upstreams, "GET", 2, "", load)
}

// callsScenario is the scenario named name: fanout of calls requests
// (1: to a; 2: to a and b) of method with body (if any), as upstreams
// defines them, under load.
func callsScenario(name, upstreams, method string, calls int, body, load string) string {
	s := fmt.Sprintf("name: %s\n%soperation:\n  calls:\n", name, upstreams)
	for _, u := range []string{"a", "b"}[:calls] {
		s += fmt.Sprintf("    - {upstream: %s, method: %s, path: /", u, method)
		if body != "" {
			s += fmt.Sprintf(", body: %q", body)
		}
		s += "}\n"
	}
	return s + fmt.Sprintf("strategies: [fanout]\nload: %s\n", load)
}
