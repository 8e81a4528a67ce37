// Package htmlreport renders a result as one self-contained HTML page with
// charts: the summary and verdicts, the latency percentile spectrum,
// percentiles per strategy, latency, throughput and errors over time with
// incident windows shaded, upstreams, outcomes, queues and pools, cost, and
// the scenario as run. The page is opened from CI artifacts and e-mail, so
// it works offline: the ECharts script is embedded in the binary and
// inlined, and the page loads nothing.
//
// Chart options are built with go-echarts and written as HTML-escaped JSON
// that a small script of the page hands to ECharts, so no string from a
// scenario or an upstream reaches the page unescaped.
//
//	res, _ := metrics.ReadResult("result.json")
//	_ = htmlreport.WriteFile("report.html", res)
package htmlreport
