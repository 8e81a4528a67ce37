// Package natsembed runs a NATS server with JetStream inside the process:
// the queued strategy's embedded broker (brokers/jetstream) and the
// coordinator of agents run with --local (cluster) both start theirs here.
//
// The server's JetStream is bounded (without limits it claims 75% of the
// machine's memory and disk), it installs no signal handlers, and it
// listens on no port unless asked for a loopback one.
//
//	srv, err := natsembed.Start(natsembed.Options{Listen: "127.0.0.1:0"})
//	if err != nil { … }
//	defer srv.Stop()
//	nc, err := nats.Connect(srv.URL())
package natsembed
