package scenarios_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/scenarios"
)

// lines joins YAML lines, so that a case reads top to bottom like the file
// and its line numbers can be counted.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// The valid scenario the cases below break one line of:
//
//	1 name: t
//	2 upstreams:
//	3   a: {mock: {latency: 10ms}}
//	4 operation:
//	5   calls: [{upstream: a}]
//	6 strategies: [fanout]
//	7 load: {rate: 10/s, duration: 1s}
const (
	l1 = "name: t"
	l2 = "upstreams:"
	l3 = "  a: {mock: {latency: 10ms}}"
	l4 = "operation:"
	l5 = "  calls: [{upstream: a}]"
	l6 = "strategies: [fanout]"
	l7 = "load: {rate: 10/s, duration: 1s}"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown top-level key", lines(l1, "upstream:", l3, l4, l5, l6, l7),
			`t.yaml:2:1: upstream: unknown key; did you mean "upstreams"? allowed: name, description, seed, upstreams, data, operation, strategies, policies, load, thresholds, report, receiver`},
		{"unknown key in a call", lines(l1, l2, l3, l4, "  calls: [{upstream: a, methd: PUT}]", l6, l7),
			`t.yaml:5:25: operation.calls[0].methd: unknown key; did you mean "method"? allowed: upstream, method, path, headers, body, critical, repeat, compensate, completion`},
		{"mapping where a list is expected", lines(l1, l2, l3, l4, "  calls: {upstream: a}", l6, l7),
			`t.yaml:5:10: operation.calls: expected a list, got a mapping`},
		{"list where upstreams mapping is expected", lines(l1, "upstreams: [a]", l4, l5, l6, l7),
			`t.yaml:2:12: upstreams: expected a mapping of upstream names to definitions, such as {profile: {mock: {latency: 200ms}}}, got a list`},
		{"text where an integer is expected", lines(l1, "seed: abc", l2, l3, l4, l5, l6, l7),
			`t.yaml:2:7: seed: expected an integer of 0 or more, got "abc"`},
		{"text where a bool is expected", lines(l1, l2, l3, l4, "  calls: [{upstream: a, critical: yes}]", l6, l7),
			`t.yaml:5:35: operation.calls[0].critical: expected true or false, got "yes"`},
		{"duration without unit", lines(l1, l2, l3, l4, l5, l6, "load: {rate: 10/s, duration: 200}"),
			`t.yaml:7:30: load.duration: "200" is not a duration; write it with a unit, like 250ms, 2s or 1m30s`},
		{"latency shorthand without unit", lines(l1, l2, "  a: {mock: {latency: 200}}", l4, l5, l6, l7),
			`t.yaml:3:23: upstreams.a.mock.latency: "200" is not a duration; write it with a unit, like 250ms, 2s or 1m30s`},
		{"bad rate", lines(l1, l2, l3, l4, l5, l6, "load: {rate: 10/x, duration: 1s}"),
			`t.yaml:7:14: load.rate: "10/x" has an unknown unit "x"; use /s, /m, /h, /ms or a duration such as /10s`},
		{"fraction over 100%", lines(l1, l2, "  a: {mock: {errors: {503: 150%}}}", l4, l5, l6, l7),
			`t.yaml:3:28: upstreams.a.mock.errors.503: "150%" is out of range; a percentage is from 0% to 100%`},
		{"unknown strategy", lines(l1, l2, l3, l4, l5, "strategies: [sequential, fanuot]", l7),
			`t.yaml:6:26: strategies[1].name: unknown strategy "fanuot"; did you mean "fanout"? known: sequential, fanout, pooled, queued, hedged`},
		{"strategy listed twice", lines(l1, l2, l3, l4, l5, "strategies: [fanout, {name: fanout}]", l7),
			`t.yaml:6:29: strategies[1].name: fanout is listed twice, here and at strategies[0]; give one of them a label, such as label: fanout-2`},
		{"option of another strategy", lines(l1, l2, l3, l4, l5, "strategies: [{name: fanout, workers: 4}]", l7),
			`t.yaml:6:38: strategies[0].workers: applies to pooled only, not to fanout`},
		{"same label twice", lines(l1, l2, l3, l4, l5, "strategies: [{name: pooled, label: p}, {name: fanout, label: p}]", l7),
			`t.yaml:6:62: strategies[1].label: p is listed twice, here and at strategies[0]; labels name the results, so they must differ`},
		{"pool of no workers", lines(l1, l2, l3, l4, l5, "strategies: [{name: pooled, workers: 0}]", l7),
			`t.yaml:6:38: strategies[0].workers: must be 1 or more, such as workers: 32`},
		{"unknown client", lines(l1, l2, "  a: {mock: {latency: 10ms}, client: fsat}", l4, l5, l6, l7),
			`t.yaml:3:38: upstreams.a.client: unknown client "fsat"; did you mean "fast"? allowed: fast, std`},
		{"negative max_conns", lines(l1, l2, "  a: {mock: {latency: 10ms}, max_conns: -2}", l4, l5, l6, l7),
			`t.yaml:3:41: upstreams.a.max_conns: -2 connections: must be at least 1 (leave it out for no cap)`},
		{"unknown when_full", lines(l1, l2, l3, l4, l5, "strategies: [{name: queued, when_full: drop}]", l7),
			`t.yaml:6:40: strategies[0].when_full: unknown behaviour "drop"; allowed: block, reject`},
		{"hedge delay neither", lines(l1, l2, l3, l4, l5, "strategies: [{name: hedged, hedge_delay: soon}]", l7),
			`t.yaml:6:42: strategies[0].hedge_delay: "soon" is neither a duration such as 50ms nor a percentile such as p95`},
		{"hedge percentile out of range", lines(l1, l2, l3, l4, l5, "strategies: [{name: hedged, hedge_delay: p100}]", l7),
			`t.yaml:6:42: strategies[0].hedge_delay: "p100" is not a percentile; want p50 to p99.99, such as p95`},
		{"compensation to an undefined upstream", lines(l1, l2, l3, l4, "  calls: [{upstream: a, compensate: {upstream: b}}]", l6, l7),
			`t.yaml:5:48: operation.calls[0].compensate.upstream: unknown upstream "b"; did you mean "a"? defined: a`},
		{"call to an undefined upstream", lines(l1, l2, l3, "  audit: {mock: {}}", l4, "  calls: [{upstream: audt}]", l6, l7),
			`t.yaml:6:22: operation.calls[0].upstream: unknown upstream "audt"; did you mean "audit"? defined: a, audit`},
		{"call without upstream", lines(l1, l2, l3, l4, "  calls: [{path: /x}]", l6, l7),
			`t.yaml:5:11: operation.calls[0].upstream: missing; name the upstream to call: a`},
		{"upstream with mock and url", lines(l1, l2, `  a: {mock: {}, url: "http://x"}`, l4, l5, l6, l7),
			`t.yaml:3:3: upstreams.a: has both mock and url; keep one: mock starts a fake upstream, url targets a real service`},
		{"upstream with neither", lines(l1, l2, "  a: {}", l4, l5, l6, l7),
			`t.yaml:3:3: upstreams.a: has neither mock nor url; set one, such as mock: {latency: 200ms} or url: https://api.example.com`},
		{"bad url scheme", lines(l1, l2, "  a: {url: ftp://files.example.com}", l4, l5, l6, l7),
			`t.yaml:3:12: upstreams.a.url: "ftp://files.example.com" is not an http or https URL, such as https://api.example.com`},
		{"url without host", lines(l1, l2, "  a: {url: http:///x}", l4, l5, l6, l7),
			`t.yaml:3:12: upstreams.a.url: "http:///x" has no host, as in https://api.example.com`},
		{"unknown latency dist", lines(l1, l2, "  a: {mock: {latency: {dist: zipf}}}", l4, l5, l6, l7),
			`t.yaml:3:30: upstreams.a.mock.latency.dist: unknown distribution "zipf"; allowed: fixed, uniform, normal, lognormal, exponential, pareto, percentiles, mixture`},
		{"max below min", lines(l1, l2, "  a:", "    mock:", "      latency: {dist: uniform, min: 30ms, max: 10ms}", l4, l5, l6, l7),
			`t.yaml:5:48: upstreams.a.mock.latency.max: max (10ms) is below min (30ms)`},
		{"error status 200", lines(l1, l2, "  a: {mock: {errors: {200: 1%}}}", l4, l5, l6, l7),
			`t.yaml:3:23: upstreams.a.mock.errors.200: status 200 is not an error status; allowed: 400 to 599`},
		{"probabilities over 100%", lines(l1, l2, "  a: {mock: {errors: {503: 60%, 500: 50%}}}", l4, l5, l6, l7),
			`t.yaml:3:14: upstreams.a.mock.errors: the error probabilities add up to 110%, over 100%`},
		{"bad method, path and template", lines(l1, l2, l3, l4, `  calls: [{upstream: a, method: fetch, path: "u/{{.User}}"}]`, l6, l7),
			lines(`t.yaml:5:33: operation.calls[0].method: unknown method "FETCH"; allowed: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS`,
				`t.yaml:5:46: operation.calls[0].path: "u/{{.User}}" must start with /`,
				`t.yaml:5:46: operation.calls[0].path: "u/{{.User}}": {{.User}}: unknown field; the fields are {{.Seq}}, {{.UUID}}, {{.Now}}, {{.Index}} and {{.Data.COLUMN}}`)},
		{"missing name", lines(l2, l3, l4, l5, l6, l7),
			`t.yaml:1:1: name: missing; give the scenario a name, such as name: profile-update`},
		{"missing rate", lines(l1, l2, l3, l4, l5, l6, "load: {duration: 1s}"),
			`t.yaml:7:1: load.rate: missing; set the arrival rate of operations, such as rate: 20/s (or ramp it with stages)`},
		{"zero duration", lines(l1, l2, l3, l4, l5, l6, "load: {rate: 10/s, duration: 0s}"),
			`t.yaml:7:30: load.duration: must be more than 0, such as duration: 30s`},
		{"closed model, negative cap", lines(l1, l2, l3, l4, l5, l6, "load: {model: closed, rate: 10/s, duration: 1s, max_in_flight: -1}"),
			lines(`t.yaml:7:1: load.users: missing; set the number of virtual users, such as users: 50 (or ramp them with stages)`,
				`t.yaml:7:29: load.rate: rate belongs to the open model; this load is model: closed`,
				`t.yaml:7:64: load.max_in_flight: max_in_flight belongs to the open model; this load is model: closed`)},
		{"unknown model", lines(l1, l2, l3, l4, l5, l6, "load: {model: shut, rate: 10/s, duration: 1s}"),
			`t.yaml:7:15: load.model: unknown model "shut"; allowed: open (arrivals on a schedule, the default), closed (virtual users), such as model: closed`},
		{"open with users and a bad stage", lines(l1, l2, l3, l4, l5, l6, "load: {users: 5, stages: [{duration: 0s, target: 5/s}, {duration: 1s}], duration: 1s}"),
			lines(`t.yaml:7:15: load.users: users belongs to the closed model; this load is model: open`,
				`t.yaml:7:38: load.stages[0].duration: must be more than 0; each stage needs a duration above 0, such as {duration: 30s, target: 500/s}`,
				`t.yaml:7:56: load.stages[1].target: missing; each stage needs a target, such as {duration: 30s, target: 500/s}`,
				`t.yaml:7:83: load.duration: the stages set the length of the run; remove duration (operations: N can still end it early)`)},
		{"closed with a rate target, bad think", lines(l1, l2, l3, l4, l5, l6, "load: {model: closed, stages: [{duration: 1s, target: 5/s}], think: {dist: uniform, min: 9ms}, warmup: 2s}"),
			lines(`t.yaml:7:55: load.stages[0].target: 5/s is not a number of users; a closed model's stages target a whole number of users, such as target: 50`,
				`t.yaml:7:62: load.think.max: max is required for dist: uniform, such as max: 30ms`,
				`t.yaml:7:104: load.warmup: the warm-up (2s) must be shorter than the run (1s), such as warmup: 5s`)},
		{"bad arrivals and on_cap", lines(l1, l2, l3, l4, l5, l6, "load: {rate: 1/s, operations: 10, arrivals: bursty, on_cap: shed}"),
			lines(`t.yaml:7:45: load.arrivals: unknown value "bursty"; allowed: uniform (the default), poisson`,
				`t.yaml:7:61: load.on_cap: unknown value "shed"; allowed: wait (the default), drop`)},
		{"bad target", lines(l1, l2, l3, l4, l5, l6, "load: {model: closed, stages: [{duration: 1s, target: lots}]}"),
			`t.yaml:7:55: load.stages[0].target: "lots" is not a target; write a rate such as 500/s (open model) or a number of users such as 50 (closed model)`},
		{"integer out of range", lines(l1, l2, l3, l4, l5, l6, "load: {rate: 10/s, duration: 1s, max_in_flight: 99999999999999999999}"),
			`t.yaml:7:49: load.max_in_flight: 99999999999999999999 is out of range for an integer of 64 bits`},
		{"duplicate key", lines(l1, l2, l3, l4, l5, l6, l7, "name: u"),
			`t.yaml:8:1: name: duplicate key; first set at line 1`},
		{"two documents", lines(l1, l2, l3, l4, l5, l6, l7, "---", "name: u"),
			`t.yaml:8:1: a second YAML document starts here; a scenario file holds exactly one`},
		{"empty file", "",
			`t.yaml:1:1: the file is empty; a scenario needs name, upstreams, operation, strategies and load`},
		{"comments only", "# nothing yet\n",
			`t.yaml:1:1: the file is empty; a scenario needs name, upstreams, operation, strategies and load`},
		{"a list at the top", "- name: t\n",
			`t.yaml:1:1: expected a mapping with the keys name, description, seed, upstreams, data, operation, strategies, policies, load, thresholds, report, receiver, got a list`},
		{"tab indent", lines(l1, l2, "\ta: {mock: {}}", l4, l5, l6, l7),
			`t.yaml:3:1: invalid YAML: found character that cannot start any token (a tab indents this line; YAML indents with spaces only)`},
		{"alias that contains itself", lines(l1, l2, "  a: {mock: &m {<<: *m}}", l4, l5, l6, l7),
			`t.yaml:3:21: upstreams.a.mock: alias *m refers to a value that contains it`},
		{"policies: unknown key in retry", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {retry: {attempts: 3, backof: 50ms}}"),
			`t.yaml:9:34: policies.default.retry.backof: unknown key; did you mean "backoff"? allowed: attempts, backoff, max_backoff, jitter, on, max_retry_after`},
		{"policies: override of an unknown upstream", lines(l1, l2, l3, "  audit: {mock: {}}", l4, l5, l6, l7, "policies:", "  upstreams:", "    audti: {retry: {attempts: 2}}"),
			`t.yaml:11:5: policies.upstreams.audti: unknown upstream "audti"; did you mean "audit"? defined: a, audit`},
		{"policies: zero attempts, negative consecutive", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {retry: {attempts: 0}, breaker: {consecutive: -1}}"),
			lines(`t.yaml:9:31: policies.default.retry.attempts: must be 1 or more (the first try included; 1 = no retry), such as attempts: 3`,
				`t.yaml:9:58: policies.default.breaker.consecutive: must be 0 or more (0 = not by count), such as consecutive: 5`)},
		{"policies: max_backoff below backoff", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {retry: {attempts: 3, backoff: 1s, max_backoff: 100ms}}"),
			`t.yaml:9:60: policies.default.retry.max_backoff: max_backoff (100ms) is below backoff (1s)`},
		{"policies: unknown jitter", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {retry: {attempts: 3, jitter: ful}}"),
			`t.yaml:9:42: policies.default.retry.jitter: unknown jitter "ful"; did you mean "full"? allowed: full, equal, none`},
		{"policies: unknown and repeated retry conditions", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {retry: {attempts: 3, on: [5xx, conection, 5xx]}}"),
			lines(`t.yaml:9:44: policies.default.retry.on[1]: unknown failure "conection"; did you mean "connection"? allowed: connection, timeout, 5xx, 429`,
				`t.yaml:9:55: policies.default.retry.on[2]: 5xx is listed twice, here and at on[0]`)},
		{"policies: empty retry conditions", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {retry: {attempts: 3, on: []}}"),
			`t.yaml:9:34: policies.default.retry.on: empty; list the failures to retry, from: connection, timeout, 5xx, 429 (leave on out for all of them)`},
		{"policies: retry without attempts", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {retry: {backoff: 50ms}}"),
			`t.yaml:9:13: policies.default.retry.attempts: missing; set the most tries of one call, the first included, such as attempts: 3`},
		{"policies: failure ratio without window", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {breaker: {failure_ratio: 50%}}"),
			`t.yaml:9:13: policies.default.breaker.window: missing; failure_ratio (50%) is measured over the last window calls, such as window: 20`},
		{"policies: failure ratio of 0%", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {breaker: {failure_ratio: 0%, window: 20}}"),
			`t.yaml:9:38: policies.default.breaker.failure_ratio: must be more than 0%, such as failure_ratio: 50%`},
		{"policies: breaker that never opens", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {breaker: {open_for: 5s}}"),
			`t.yaml:9:13: policies.default.breaker: sets neither consecutive nor failure_ratio; set one, such as breaker: {consecutive: 5} or {failure_ratio: 50%, window: 20}`},
		{"policies: zero open_for and probes", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {breaker: {consecutive: 5, open_for: 0s, half_open_probes: 0}}"),
			lines(`t.yaml:9:49: policies.default.breaker.open_for: must be more than 0, such as open_for: 5s`,
				`t.yaml:9:71: policies.default.breaker.half_open_probes: must be 1 or more, such as half_open_probes: 1`)},
		{"policies: rate limit without burst", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {rate_limit: {rate: 100/s}}"),
			`t.yaml:9:13: policies.default.rate_limit.burst: missing; a rate limit needs a burst of 1 or more, such as burst: 10`},
		{"policies: zero rate, zero burst", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {rate_limit: {rate: 0/s, burst: 0}}"),
			lines(`t.yaml:9:32: policies.default.rate_limit.rate: must be more than 0, such as rate: 100/s; leave rate_limit out for no limit`,
				`t.yaml:9:44: policies.default.rate_limit.burst: must be 1 or more, such as burst: 10`)},
		{"policies: deadline below timeout", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {timeout: 2s, deadline: 1s}"),
			`t.yaml:9:36: policies.default.deadline: deadline (1s) is below timeout (2s); the deadline bounds the whole call, every attempt included`},
		{"policies: override breaks a rule with the default", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {timeout: 2s, retry: {attempts: 3, backoff: 1s}}", "  upstreams:", "    a: {deadline: 1s, retry: {max_backoff: 500ms}}"),
			lines(`t.yaml:11:19: policies.upstreams.a.deadline: deadline (1s) is below timeout (2s); the deadline bounds the whole call, every attempt included`,
				`t.yaml:11:44: policies.upstreams.a.retry.max_backoff: max_backoff (500ms) is below backoff (1s)`)},
		{"policies: breaker by count and by ratio", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {breaker: {consecutive: 5, failure_ratio: 50%, window: 20}}"),
			`t.yaml:9:54: policies.default.breaker.failure_ratio: set either consecutive (5) or failure_ratio (50%), not both: the breaker opens by one rule`},
		{"policies: duration without unit", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {timeout: 2}"),
			`t.yaml:9:22: policies.default.timeout: "2" is not a duration; write it with a unit, like 250ms, 2s or 1m30s`},
		{"policies: retry as a number", lines(l1, l2, l3, l4, l5, l6, l7, "policies:", "  default: {retry: 3}"),
			`t.yaml:9:20: policies.default.retry: expected a mapping with the keys attempts, backoff, max_backoff, jitter, on, max_retry_after, got "3"`},
		{"several errors, in line order", lines("upstreams:", "  a: {url: x}", l4, l5, "strategies: [fanuot]", "load: {rate: often, duration: 1s}"),
			lines(`t.yaml:1:1: name: missing; give the scenario a name, such as name: profile-update`,
				`t.yaml:2:12: upstreams.a.url: "x" is not an http or https URL, such as https://api.example.com`,
				`t.yaml:5:14: strategies[0].name: unknown strategy "fanuot"; did you mean "fanout"? known: sequential, fanout, pooled, queued, hedged`,
				`t.yaml:6:14: load.rate: "often" is not a rate; write it as a number per unit, like 500/s or 30/m`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := scenarios.Parse("t.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, nil; want error\n%s", tt.yaml, s, tt.want)
			}
			if got, want := err.Error(), strings.TrimSuffix(tt.want, "\n"); got != want {
				t.Errorf("Parse(%q) error:\n got: %s\nwant: %s", tt.yaml, got, want)
			}
			if !errors.Is(err, scenarios.ErrInvalid) {
				t.Errorf("Parse(%q) error does not match ErrInvalid", tt.yaml)
			}
			if s != nil {
				t.Errorf("Parse(%q) returned a scenario with its error", tt.yaml)
			}
		})
	}
}
