package htmlreport

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/fanbench/fanbench/metrics"
)

// queueSection shows, for queued strategies the backlog and ack
// against delivery, for pooled ones the pool's depth, queue wait and
// utilisation; none when no strategy queued or pooled.
func queueSection(r *metrics.Result, col colours) (*section, error) {
	var queued, pooled []metrics.StrategyResult
	for _, s := range r.Strategies {
		if s.Queue != nil {
			queued = append(queued, s)
		}
		if s.Pool != nil {
			pooled = append(pooled, s)
		}
	}
	if len(queued) == 0 && len(pooled) == 0 {
		return nil, nil
	}
	s := &section{ID: "queues", Title: "Queues and pools",
		Intro: "Where calls waited: a queued strategy's broker between the ack and the delivery, a pooled strategy's queue in front of its workers."}
	if len(queued) > 0 {
		backlog, err := gaugeChart("chart-backlog", "Queued backlog over time", "Messages in the broker, sampled while the strategy ran and drained: a backlog that keeps growing means the consumers cannot keep up.",
			queued, col, func(s metrics.StrategyResult) []metrics.Sample { return s.Queue.Backlog }, "messages")
		if err != nil {
			return nil, err
		}
		ad, err := ackDelivery(queued, col)
		if err != nil {
			return nil, err
		}
		s.addGrid(backlog, ad)
		s.Blocks = append(s.Blocks, block{Table: queueTable(queued, col)})
		if err := brokerBlocks(s, queued, col); err != nil {
			return nil, err
		}
	}
	if len(pooled) > 0 {
		depth, err := gaugeChart("chart-pool-depth", "Calls in the pool over time", "Calls queued for a worker or in service, sampled: flat at the queue's size means the pool is saturated and backpressure reaches the operations.",
			pooled, col, func(s metrics.StrategyResult) []metrics.Sample { return s.Pool.Depth }, "calls")
		if err != nil {
			return nil, err
		}
		qw, err := queueWait(pooled, col)
		if err != nil {
			return nil, err
		}
		s.addGrid(depth, qw)
		s.Blocks = append(s.Blocks, block{Table: poolTable(pooled, col)})
	}
	return s, nil
}

// gaugeChart draws a sampled gauge (backlog, pool depth) of each strategy
// over time; nil when none was sampled.
func gaugeChart(id, title, how string, ss []metrics.StrategyResult, col colours, samples func(metrics.StrategyResult) []metrics.Sample, unit string) (*chart, error) {
	line := charts.NewLine()
	line.SetGlobalOptions(append(common(fmtCount),
		charts.WithXAxisOpts(secondsAxis()),
		charts.WithYAxisOpts(axis{Name: unit, Suffix: "{value}"}.y()))...)
	var notes []string
	drawn := false
	for _, s := range ss {
		var pts []point
		for _, smp := range samples(s) {
			pts = append(pts, point{X: round(smp.AtS, 3), Y: float64(smp.Value)})
		}
		if len(pts) == 0 {
			continue
		}
		drawn = true
		pts = downsample(pts, s.Name, &notes)
		line.AddSeries(s.Name, lineData(pts), lineStyle(col.of(s.Name), false, false),
			charts.WithAreaStyleOpts(opts.AreaStyle{Color: col.of(s.Name), Opacity: opts.Float(0.12)}))
	}
	if !drawn {
		return nil, nil
	}
	return newChart(id, title, how, 300, line, notes...)
}

// ackDelivery sets a queued strategy's ack latency (what the caller waits
// for) beside its delivery latency (until every call was delivered).
func ackDelivery(ss []metrics.StrategyResult, col colours) (*chart, error) {
	bar := charts.NewBar()
	bar.SetXAxis(percentileCategories)
	var all []float64
	var faint []int
	for _, s := range ss {
		ack, del := percentilesOf(s.Latency), percentilesOf(s.Queue.DeliveryLatency)
		all = append(append(all, ack...), del...)
		faint = append(faint, len(faint)*2)
		bar.AddSeries(s.Name+" ack", barData(ack), barStyle(col.of(s.Name), true))
		bar.AddSeries(s.Name+" delivery", barData(del), barStyle(col.of(s.Name), false))
	}
	how := "Lighter, dashed: the ack, which is the operation latency a queued caller sees. Solid: delivery, from the intended start until the last call was delivered, which is what the upstreams' users wait for."
	c, err := msBars("chart-ack-delivery", "Ack against delivery latency", how, "latency",
		"Log scale: an ack is usually orders of magnitude faster than the delivery.", bar, all)
	if err != nil {
		return nil, err
	}
	return c, c.dashBorders(faint)
}

func barData(vs []float64) []opts.BarData {
	out := make([]opts.BarData, len(vs))
	for i, v := range vs {
		out[i] = opts.BarData{Value: v}
	}
	return out
}

func queueTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Queued strategies", Head: []string{"strategy", "consumers", "acked", "delivered", "delivered ok / partial / failed",
		"undelivered calls", "redeliveries", "duplicates seen upstream", "max backlog", "drain"}}
	for _, s := range ss {
		q := s.Queue
		o := q.DeliveredOutcomes
		und := num(count(q.Undelivered))
		if q.Undelivered > 0 {
			und.Class += " fail"
		}
		t.Rows = append(t.Rows, []cell{{Text: s.Name, Swatch: col.of(s.Name)}, num(count(q.Consumers)), num(count(q.Acked)), num(count(q.Delivered)),
			num(count(o.OK) + " / " + count(o.Partial) + " / " + count(o.Failed)), und, num(count(q.Redeliveries)), num(count(q.Duplicates)),
			num(count(q.MaxBacklog)), num(f1(q.DrainS) + " s")})
	}
	t.Note = "Duplicates are requests an upstream saw again with an idempotency key it already had: redelivery made safe by the key."
	return t
}

// queueWait draws each pooled strategy's wait for a worker, per upstream:
// p50 lighter, p99 solid.
func queueWait(ss []metrics.StrategyResult, col colours) (*chart, error) {
	names := upstreamNames(ss)
	bar := charts.NewBar()
	bar.SetXAxis(names)
	var all []float64
	var faint []int
	series := 0
	for _, s := range ss {
		p50, p99 := make([]opts.BarData, len(names)), make([]opts.BarData, len(names))
		found := false
		for i, n := range names {
			for _, u := range s.Upstreams {
				if u.Name == n && u.QueueWait != nil {
					p50[i], p99[i] = opts.BarData{Value: u.QueueWait.P50}, opts.BarData{Value: u.QueueWait.P99}
					all = append(all, u.QueueWait.P50, u.QueueWait.P99)
					found = true
				}
			}
		}
		if !found {
			continue
		}
		faint = append(faint, series)
		bar.AddSeries(s.Name+" p50", p50, barStyle(col.of(s.Name), true))
		bar.AddSeries(s.Name+" p99", p99, barStyle(col.of(s.Name), false))
		series += 2
	}
	if series == 0 {
		return nil, nil
	}
	how := "How long calls waited for a free worker, per upstream: p50 lighter and dashed, p99 solid. Waits near the call latency mean the pool is too small for the load."
	c, err := msBars("chart-queue-wait", "Pool queue wait per upstream", how, "wait", "", bar, all)
	if err != nil {
		return nil, err
	}
	return c, c.dashBorders(faint)
}

func poolTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Pooled strategies", Head: []string{"strategy", "workers", "queue", "when full", "utilisation", "max queued", "rejected",
		"calls in pool L (sampled)", "λW (predicted)"}}
	for _, s := range ss {
		p := s.Pool
		l := p.LittlesLaw
		util := num(percentText(p.Utilization))
		if p.Utilization > 0.9 {
			util.Class += " fail"
		}
		t.Rows = append(t.Rows, []cell{{Text: s.Name, Swatch: col.of(s.Name)}, num(count(p.Workers)), num(count(p.Queue)), {Text: p.WhenFull},
			util, num(count(p.MaxQueued)), num(count(p.Rejected)), num(f2(l.MeanInSystem)),
			num(f1(l.ArrivalRate) + "/s × " + f2(l.MeanTimeInSystemMS) + " ms = " + f2(l.Predicted))})
	}
	t.Note = "Utilisation is the share of the workers' time spent on calls; above 90% (red) the pool is the bottleneck. " +
		"Little's law, L = λW: when the sampled L and the predicted λW agree, the pool's measurements are consistent."
	return t
}

// addGrid adds a grid of the charts that were drawn (nil ones were not:
// no samples), unless none was.
func (s *section) addGrid(cs ...*chart) {
	var grid []chart
	for _, c := range cs {
		if c != nil {
			grid = append(grid, *c)
		}
	}
	if len(grid) > 0 {
		s.Blocks = append(s.Blocks, block{Grid: grid})
	}
}

// brokerBlocks adds, for queued strategies on a real broker (JetStream),
// the stream's own backlog over time and a table of what the broker saw.
func brokerBlocks(s *section, queued []metrics.StrategyResult, col colours) error {
	var real []metrics.StrategyResult
	for _, q := range queued {
		if q.Queue.Broker != nil {
			real = append(real, q)
		}
	}
	if len(real) == 0 {
		return nil
	}
	stream, err := gaugeChart("chart-stream-backlog", "Broker stream over time", "Messages the broker's stream held, as its server counted them, sampled: it should follow the backlog above and end at zero.",
		real, col, func(s metrics.StrategyResult) []metrics.Sample { return s.Queue.Broker.StreamBacklog }, "messages")
	if err != nil {
		return err
	}
	s.addGrid(stream)
	t := &table{Caption: "Brokers", Head: []string{"strategy", "broker", "publish", "publish ack p50 / p99", "published", "server duplicates",
		"redelivered", "already acked", "dead-lettered", "left in stream", "broker CPU"}}
	for _, r := range real {
		b := r.Queue.Broker
		storage := b.Storage
		if b.Sync != "" {
			storage += " (sync " + b.Sync + ")"
		}
		left := num(count(b.StreamRemaining))
		if b.StreamRemaining > 0 {
			left.Class += " fail"
		}
		cpu := "–"
		if b.CPUSeconds != nil {
			cpu = f2(*b.CPUSeconds) + " s"
		}
		t.Rows = append(t.Rows, []cell{{Text: r.Name, Swatch: col.of(r.Name)}, {Text: b.Kind + " " + storage + ", " + b.Server},
			{Text: b.Publish}, num(msText(b.PublishAck.P50) + " / " + msText(b.PublishAck.P99)), num(count(b.Published)),
			num(count(b.ServerDuplicates)), num(count(b.Redelivered)), num(count(b.AlreadyAcked)), num(count(r.Queue.DeadLettered)), left, num(cpu)})
	}
	t.Note = "Publish ack: from a publish to the stream's acknowledgement, per call. Server duplicates: publishes sent again that the server recognised by their Nats-Msg-Id and stored once. " +
		"Already acked: deliveries thrown away because another delivery of the message was acknowledged first (a consumer slower than ack_wait; its upstream got the call twice). " +
		"Broker CPU: the embedded server's goroutines, from a CPU profile of the run."
	s.Blocks = append(s.Blocks, block{Table: t})
	return nil
}
