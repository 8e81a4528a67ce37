// Package jetstream implements the queued strategy's broker
// (strategies.Broker) on NATS JetStream: a work-queue stream with explicit
// acknowledgements, a server embedded in the process by default or an
// external server or cluster named by URL.
//
// The package registers itself with strategies.RegisterBroker from init,
// so a program runs {kind: jetstream} brokers once it imports it, which
// the runner does; nothing else of fanbench imports NATS.
//
//	strategies:
//	  - {name: queued, label: queued-js, broker: {kind: jetstream, storage: file}}
//	  - {name: queued, label: queued-ext, broker: {kind: jetstream, url: "nats://127.0.0.1:4222"}}
//
// What it does:
//
//   - Publish publishes one message per call, with the call's idempotency
//     key as its Nats-Msg-Id, and returns on the stream's PubAck: the
//     operation's ack. A publish left unanswered is sent again under the
//     same id, so the server stores it once (PubAck.Duplicate counts it).
//   - Consumers pull one message at a time from a durable consumer with
//     explicit acks and acknowledge it (waiting for the server's
//     confirmation) after delivering its call. A consumer that dies holding
//     a message leaves it to the server, which delivers it again after
//     ack_wait; a message delivered max_deliver times is dead-lettered (the
//     server's advisory), its call failed as dead_letter.
//   - The broker keeps the messages it published and no consumer has
//     acknowledged in a table of its own, so that a message the server
//     delivers again after it was acknowledged is dropped, not sent twice,
//     and what is left after the drain is counted undelivered even if the
//     server lost it.
package jetstream
