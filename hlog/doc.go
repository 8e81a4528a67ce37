// Package hlog writes and reads HdrHistogram interval logs (.hlog), the
// format of HdrHistogram's HistogramLogWriter that tools such as
// HistogramLogAnalyzer and HdrLogProcessing read.
//
// A Writer is a runner.Exporter: given as runner.Options.Exporters, it logs
// every second of every strategy one V2-compressed interval histogram per
// tag, "STRATEGY.latency", "STRATEGY.service_time", "STRATEGY.schedule_lag"
// and "STRATEGY.upstream.NAME", in microseconds. The intervals of a tag add
// up to the result's histogram of the same name exactly. Read and Summarize
// read a log back (fanbench report x.hlog).
//
//	w, err := hlog.Create("run.hlog", time.Now(), "fanbench: scenario seed")
//	if err != nil { … }
//	res, err := runner.Run(ctx, sc, runner.Options{Exporters: []runner.Exporter{w}})
//	err = w.Close()
package hlog
