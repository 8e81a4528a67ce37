package htmlreport

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/fanbench/fanbench/metrics"
)

// outcomeSection shows how operations ended, and what the strategies
// did about failures (compensations, skipped and wasted calls).
func outcomeSection(r *metrics.Result, col colours) (*section, error) {
	type row struct {
		label string
		o     metrics.Outcomes
	}
	var rows []row
	for _, s := range r.Strategies {
		if s.Operations == 0 {
			continue
		}
		rows = append(rows, row{s.Name, s.Outcomes})
		if q := s.Queue; q != nil && q.Delivered > 0 {
			rows = append(rows, row{s.Name + " · delivered", q.DeliveredOutcomes})
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	bar := charts.NewBar()
	labels := make([]string, len(rows))
	for i, rw := range rows {
		labels[len(rows)-1-i] = rw.label
	}
	bar.SetGlobalOptions(append(common(fmtPercent), shareAxes()...)...)
	bar.SetXAxis(labels)
	for _, k := range []string{"ok", "partial", "failed"} {
		data := make([]opts.BarData, len(rows))
		for i, rw := range rows {
			n := rw.o.Total()
			v := map[string]uint64{"ok": rw.o.OK, "partial": rw.o.Partial, "failed": rw.o.Failed}[k]
			share := 0.0
			if n > 0 {
				share = round(float64(v)*100/float64(n), 2)
			}
			data[len(rows)-1-i] = opts.BarData{Value: share}
		}
		bar.AddSeries(k, data, charts.WithBarChartOpts(opts.BarChart{Stack: "outcomes", BarWidth: "60%"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: kindColour(k)}))
	}
	bar.XYReversal()
	how := "Operations by outcome: ok (every call succeeded), partial (a non-critical call failed), failed (a critical call failed). " +
		"A queued strategy acks every operation it enqueued; its \"delivered\" row is what became of them in the background."
	c, err := newChart("chart-outcomes", "Outcomes", how, 70+rowHeight*len(rows), bar)
	if err != nil {
		return nil, err
	}
	s := &section{ID: "outcomes", Title: "Outcomes and compensations", Blocks: []block{{Chart: c}}}
	s.Blocks = append(s.Blocks, block{Table: outcomeTable(r.Strategies, col)})
	return s, nil
}

func outcomeTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Outcomes and what the strategies did about failures",
		Head: []string{"strategy", "ok", "partial", "failed", "skipped calls", "wasted calls", "compensations sent", "compensations failed"}}
	for _, s := range ss {
		var skipped uint64
		for _, u := range s.Upstreams {
			skipped += u.Statuses["skipped"]
		}
		sent, failed := "–", "–"
		if c := s.Compensations; c != nil {
			sent, failed = count(c.Sent), count(c.Failed)
		}
		fc := num(failed)
		if s.Compensations != nil && s.Compensations.Failed > 0 {
			fc.Class += " fail"
		}
		t.Rows = append(t.Rows, []cell{{Text: s.Name, Swatch: col.of(s.Name)}, num(count(s.Outcomes.OK)), num(count(s.Outcomes.Partial)),
			num(count(s.Outcomes.Failed)), num(count(skipped)), num(count(s.WastedCalls)), num(sent), fc})
	}
	t.Note = "Skipped: calls not sent after a critical call failed. Wasted: calls that ended after their operation's fate was known. " +
		"A failed compensation is an inconsistency to repair by hand."
	return t
}
