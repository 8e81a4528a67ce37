// Package draws is the vocabulary that the mock upstreams and the harness
// share: latency distributions (Latency, Sampler), the counter-based hash
// behind the paired draws (Key), the Fanbench-* headers that carry an
// operation's seq and attempt, FieldError for problems of a config
// field, and the webhook signature scheme (Sign, VerifySignature) with
// the counts of a receiver (WebhookCounts). It imports nothing of the
// harness, so the mock, the strategies, the scenarios, the runner and
// the result can all speak it without depending on each other.
//
//	s, _ := draws.NewSampler(draws.Latency{P50: 40 * units.Duration(time.Millisecond), P99: 300 * units.Duration(time.Millisecond)})
//	key := draws.NewKey(seed, "profile").Request(seq, 0)
//	delay := s.Sample(key.Uniform(1))
package draws
