// Package cluster runs one scenario on several fanbench processes, the
// agents, coordinated over NATS JetStream, and merges what they measured
// exactly into one result.
//
// The coordinator puts a Plan (the scenario as written, its ${ENV}
// references unexpanded, so no secret travels) in a key-value bucket and
// one message per segment of the load on a work-queue stream. Each agent
// claims one segment (the stream hands each message to one consumer; an
// agent that dies loses its claim when its ack wait lapses, which is how
// the coordinator notices), estimates its clock's offset, and runs the
// ordinary runner on its segment (loadgen.Segment), waiting at a barrier
// before each strategy's load for a common start T0. Once a second it
// publishes what it measured in that second (encoded HDR histograms and
// counters) with a message id, so the stream drops a duplicate; as each
// strategy ends, its whole result. The coordinator merges the results
// with metrics.MergeStrategy, exactly, and for an agent it lost, merges
// the seconds it received and counts the rest of its share as interrupted.
//
//	res, err := cluster.Coordinate(ctx, nc, cluster.Options{Scenario: sc, Plan: plan, Agents: 3})
//
// Agents run cluster.RunAgent; StartLocal starts an embedded server on
// loopback and N agent processes (fanbench run --agents N --local).
package cluster
