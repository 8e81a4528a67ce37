package reports

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// detailsTable shows what is particular to each strategy: the options it
// ran with and the numbers only it has (wasted and skipped calls,
// compensations, pool, queue, hedges, rate-limit waits, early retries,
// delayed starts). nil when no strategy has any.
func detailsTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "options", "what it did"})
	rows := 0
	for _, s := range r.Strategies {
		d := details(s)
		if len(d) == 0 && !hasOptionsSet(s.Options) {
			continue
		}
		rows++
		t.AppendRow(table.Row{s.Name, options(s.Options), strings.Join(d, "\n")})
	}
	if rows == 0 {
		return nil
	}
	return t
}

// details lists a strategy's particular numbers, each with its unit.
func details(s metrics.StrategyResult) []string {
	var d []string
	var skipped, hedges, won, calls, tooEarly uint64
	for _, u := range s.Upstreams {
		skipped += u.Statuses["skipped"]
		hedges += u.Hedges
		won += u.HedgesWon
		calls += u.Calls
		tooEarly += u.TooEarly
	}
	if skipped > 0 {
		d = append(d, fmt.Sprintf("skipped calls %d (after a critical failure)", skipped))
	}
	if s.GoodEnough > 0 {
		d = append(d, fmt.Sprintf("good enough %d operations (wait_for met), %d calls given up (%.1f an operation)",
			s.GoodEnough, s.GivenUpCalls, float64(s.GivenUpCalls)/float64(s.GoodEnough)))
	}
	if s.WastedCalls > 0 {
		d = append(d, fmt.Sprintf("wasted calls %d (ended after the operation had failed)", s.WastedCalls))
	}
	if c := s.Compensations; c != nil {
		d = append(d, fmt.Sprintf("compensations %d sent, %d failed", c.Sent, c.Failed))
	}
	if hedges > 0 {
		d = append(d, fmt.Sprintf("hedges %d sent (%s of calls), %d won", hedges, pct(hedges, calls), won))
	}
	if tooEarly > 0 {
		d = append(d, fmt.Sprintf("retries sent before Retry-After had passed %d", tooEarly))
	}
	for _, u := range s.Upstreams {
		if w := u.LimiterWait; w != nil {
			d = append(d, fmt.Sprintf("rate-limit wait %s p50 %s ms, p99 %s ms", u.Name, ms(w.P50), ms(w.P99)))
		}
	}
	if delayedStarts(s) {
		d = append(d, fmt.Sprintf("service time (from the actual start) p50 %s ms, p99 %s ms: starts were delayed",
			ms(s.ServiceTime.P50), ms(s.ServiceTime.P99)))
	}
	if p := s.Pool; p != nil {
		d = append(d, fmt.Sprintf("pool utilisation %s, max queued %d, rejected %d", pct100(p.Utilization), p.MaxQueued, p.Rejected))
		for _, u := range s.Upstreams {
			if w := u.QueueWait; w != nil {
				d = append(d, fmt.Sprintf("queue wait %s p50 %s ms, p99 %s ms", u.Name, ms(w.P50), ms(w.P99)))
			}
		}
		l := p.LittlesLaw
		d = append(d, fmt.Sprintf("calls in pool L = %s, λW = %s/s × %s ms = %s", f2(l.MeanInSystem), f1(l.ArrivalRate), f2(l.MeanTimeInSystemMS), f2(l.Predicted)))
	}
	if q := s.Queue; q != nil {
		d = append(d, fmt.Sprintf("ack p50 %s ms, p99 %s ms; delivery p50 %s ms, p99 %s ms",
			ms(s.Latency.P50), ms(s.Latency.P99), ms(q.DeliveryLatency.P50), ms(q.DeliveryLatency.P99)))
		o := q.DeliveredOutcomes
		d = append(d, fmt.Sprintf("acked %d, delivered %d (ok %d, partial %d, failed %d), undelivered %d calls",
			q.Acked, q.Delivered, o.OK, o.Partial, o.Failed, q.Undelivered))
		d = append(d, fmt.Sprintf("redeliveries %d, duplicates seen upstream %d", q.Redeliveries, q.Duplicates))
		d = append(d, fmt.Sprintf("max backlog %d, drain %s s", q.MaxBacklog, f1(q.DrainS)))
		d = append(d, brokerDetails(q)...)
	}
	return d
}

// brokerDetails are a real broker's own lines: how its publishes were
// acknowledged, what it delivered again, and what it cost.
func brokerDetails(q *metrics.QueueResult) []string {
	b := q.Broker
	if b == nil {
		return nil
	}
	storage := b.Storage
	if b.Sync != "" {
		storage += ", sync " + b.Sync
	}
	d := []string{
		fmt.Sprintf("%s %s (%s %s): publish ack p50 %s ms, p99 %s ms; published %d, retried %d, server duplicates %d",
			b.Kind, storage, b.Server, b.Version, ms(b.PublishAck.P50), ms(b.PublishAck.P99), b.Published, b.PublishRetries, b.ServerDuplicates),
		fmt.Sprintf("redelivered by the server %d, already acked %d, dead-lettered %d; stream max %d messages, %d left",
			b.Redelivered, b.AlreadyAcked, q.DeadLettered, b.MaxStreamBacklog, b.StreamRemaining),
	}
	if b.CPUSeconds != nil {
		client := ""
		if b.ClientCPUSeconds != nil {
			client = fmt.Sprintf(" (its client %s s)", f2(*b.ClientCPUSeconds))
		}
		d = append(d, fmt.Sprintf("broker CPU %s s%s", f2(*b.CPUSeconds), client))
	}
	return d
}

// delayedStarts reports whether the latency counted from the schedule is
// well above the service time counted from the actual start: the
// generator or an in-flight cap held operations back, and the difference
// is the coordinated omission a naive tool would have hidden.
func delayedStarts(s metrics.StrategyResult) bool {
	if s.LatencyFrom == "actual_start" || s.ServiceTime.Count == 0 {
		return false
	}
	return s.Latency.P99 > 1.1*s.ServiceTime.P99+1
}

// hasOptionsSet reports whether an option is on (not false, 0 or empty):
// bare sequential and fanout need no details row.
func hasOptionsSet(o map[string]string) bool {
	for _, v := range o {
		if v != "false" && v != "" && v != "0" {
			return true
		}
	}
	return false
}

// options shows options as "key value" lines in key order.
func options(o map[string]string) string {
	if len(o) == 0 {
		return "–"
	}
	keys := slices.Sorted(maps.Keys(o))
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + " " + o[k]
	}
	return strings.Join(lines, "\n")
}
