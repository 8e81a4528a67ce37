// Package metrics records what a run measured and holds the result file
// format.
//
// A Recorder belongs to one worker: it is not safe for concurrent use, takes
// no lock and allocates nothing per sample. Each worker records into its own,
// and the recorders are merged at the end (histograms merge exactly, so no
// percentile is ever averaged). The merged recorder becomes a StrategyResult
// inside a Result, the schema-versioned JSON document that reports render and
// CI compares.
//
//	rec := metrics.NewRecorder(metrics.Layout{Upstreams: []string{"profile", "audit"}})
//	rec.RecordOperation(metrics.OutcomeOK, 501*time.Millisecond, 500*time.Millisecond, time.Millisecond, time.Millisecond)
//	fmt.Println(rec.Latency.Summary().P50)
package metrics
