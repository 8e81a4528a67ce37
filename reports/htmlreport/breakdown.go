package htmlreport

import (
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
)

// breakdownTable shows where each upstream's calls spent their time, when
// the run traced its requests (--breakdown); nil without a breakdown.
func breakdownTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Where the time went (per call, the request whose answer it took; p50 / p99 in ms, over the calls in which the phase took place)",
		Head: []string{"strategy", "upstream", "new connections", "reused connections", "DNS", "connect", "TLS", "first byte", "body"}}
	for _, s := range ss {
		for _, u := range s.Upstreams {
			b := u.Breakdown
			if b == nil {
				continue
			}
			t.Rows = append(t.Rows, []cell{{Text: s.Name, Swatch: col.of(s.Name)}, {Text: u.Name},
				num(count(b.NewConnections)), num(count(b.ReusedConnections)), num(reports.Phase(b.DNS)), num(reports.Phase(b.Connect)),
				num(reports.Phase(b.TLS)), num(reports.Phase(b.TTFB)), num(reports.Phase(b.Body))})
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}
