// Package otelexport exports a run's live figures as OpenTelemetry
// metrics over OTLP/HTTP, every second while it runs, with the
// OpenTelemetry Go SDK (go.opentelemetry.io/otel/sdk/metric): per strategy,
// operations by outcome, operation latency, service time and schedule lag
// as exponential histograms, operations in flight and the strategy's
// backlog; per upstream, calls by status or error type, requests sent and
// call latency. Attribute names follow the HTTP semantic conventions where
// they apply (http.response.status_code, error.type, server.address,
// server.port, url.scheme); fanbench's own are fanbench.scenario,
// fanbench.strategy, fanbench.upstream and fanbench.outcome.
//
// The workers never touch an OpenTelemetry instrument: the exporter is a
// runner.Exporter, fed the runner's once-a-second snapshots of the live
// counts (metrics.Live), and each exponential histogram is the HDR
// histogram of the same values re-bucketed.
//
//	e, err := otelexport.New(ctx, otelexport.Options{Endpoint: "http://localhost:4318"})
//	if err != nil { … }
//	res, err := runner.Run(ctx, sc, runner.Options{Exporters: []runner.Exporter{e}})
//	_ = e.Shutdown(ctx) // the last figures
//	if w := e.Warning(); w != "" { … }
package otelexport
