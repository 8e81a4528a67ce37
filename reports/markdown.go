package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/fanbench/fanbench/metrics"
)

// Markdown writes r for a pull-request comment: a title and the
// environment, the warnings as a blockquote, the headline figures per
// strategy, the verdicts on the thresholds, and the per-upstream table
// folded in a <details> block so the comment stays short. Every name and
// message that comes from the scenario is escaped, so it shows as text.
func Markdown(w io.Writer, r *metrics.Result) error {
	var b strings.Builder
	mdTitle(&b, r)
	mdVerdict(&b, r)
	mdWarnings(&b, r)
	mdSummary(&b, r)
	mdAsync(&b, r)
	mdWidths(&b, r)
	mdThresholds(&b, r)
	mdUpstreams(&b, r)
	mdAgents(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func mdTitle(b *strings.Builder, r *metrics.Result) {
	fmt.Fprintf(b, "### fanbench: %s · %d strategies · %.1f s", mdText(scenarioName(r)), len(r.Strategies), r.DurationS)
	if r.Interrupted {
		b.WriteString(" · **interrupted**")
	}
	e := r.Environment
	fmt.Fprintf(b, "\n\nfanbench %s · %s · %s/%s · %d CPUs · started %s\n\n",
		mdText(e.FanbenchVersion), mdText(e.GoVersion), mdText(e.OS), mdText(e.Arch), e.CPUs,
		r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
}

func mdWarnings(b *strings.Builder, r *metrics.Result) {
	warns := Warnings(r)
	if len(warns) == 0 {
		return
	}
	noun := "1 warning"
	if len(warns) > 1 {
		noun = fmt.Sprintf("%d warnings", len(warns))
	}
	fmt.Fprintf(b, "> ⚠️ **%s: read the figures with care**\n>\n", noun)
	for _, w := range warns {
		fmt.Fprintf(b, "> - %s\n", mdText(w))
	}
	b.WriteString("\n")
}

func mdSummary(b *strings.Builder, r *metrics.Result) {
	mdHeader(b, "lrrrrrrrrrrrrr", "strategy", "operations", "throughput (ops/s)", "p50 (ms)", "p90 (ms)", "p95 (ms)", "p99 (ms)",
		"p99.9 (ms)", "max (ms)", "errors (%)", "partial (%)", "speed-up vs sequential (p50)", "harness overhead p99 (ms)",
		"CPU per 1,000 ops (ms)")
	for _, s := range r.Strategies {
		l, j := judgedLatency(s), judge(s)
		speed, speedOK := speedUp(r, s)
		over, overOK := overheadP99(s)
		cpu, cpuOK := cpuPer1000(s)
		mdRow(b, mdText(markAsync(s.Name, j)), fmt.Sprint(s.Operations), f1(s.Throughput),
			measured(j, ms(l.P50)), measured(j, ms(l.P90)), measured(j, ms(l.P95)), measured(j, ms(l.P99)), measured(j, ms(l.P999)), measured(j, ms(l.Max)),
			measured(j, f2(j.ErrorRate*100)), measured(j, f2(j.PartialRate*100)),
			orDash(speed, speedOK, times), orDash(over, overOK, ms), orDash(cpu, cpuOK, f1))
	}
	b.WriteString("\n_Latency from each operation's intended start (corrected for coordinated omission); errors: operations not ok (partial or failed); speed-up: sequential p50 ÷ this p50.")
	if hasQueued(r) {
		b.WriteString(" †: answers its caller before the work is done, so judged by delivery latency and delivered errors (its ack is what its caller waits).")
	}
	if includesMocks(r) {
		b.WriteString(" CPU: the whole fanbench process, in-process mock upstreams included.")
	}
	b.WriteString("_\n\n")
}

func mdThresholds(b *strings.Builder, r *metrics.Result) {
	if len(r.Thresholds) == 0 {
		return
	}
	n := r.FailedThresholds()
	if n == 0 {
		fmt.Fprintf(b, "#### Thresholds: ✅ all %d passed\n\n", len(r.Thresholds))
	} else {
		fmt.Fprintf(b, "#### Thresholds: ❌ %d of %d failed", n, len(r.Thresholds))
		if r.Interrupted {
			b.WriteString(" (judged on what ran before the interruption)")
		}
		b.WriteString("\n\n")
	}
	mdHeader(b, "cllr", "", "strategy", "threshold", "measured")
	for _, v := range r.Thresholds {
		mark := "✅"
		if !v.Pass {
			mark = "❌"
		}
		mdRow(b, mark, mdText(v.Strategy), mdText(v.Threshold), mdText(thresholdValue(v)))
	}
	b.WriteString("\n")
}

func mdUpstreams(b *strings.Builder, r *metrics.Result) {
	rows := 0
	for _, s := range r.Strategies {
		rows += len(s.Upstreams)
	}
	if rows == 0 {
		return
	}
	b.WriteString("<details>\n<summary>Per upstream: calls, attempts, 429s, breaker refusals, latency, statuses</summary>\n\n")
	mdHeader(b, "llrrrrrrrrrrl", "strategy", "upstream", "calls", "attempts", "retries", "429s received", "breaker refusals",
		"p50 (ms)", "p90 (ms)", "p99 (ms)", "p99.9 (ms)", "max (ms)", "answers (calls by final status)")
	for _, s := range r.Strategies {
		for _, u := range s.Upstreams {
			l := u.Latency
			mdRow(b, mdText(s.Name), mdText(u.Name), fmt.Sprint(u.Calls), fmt.Sprint(u.Attempts), fmt.Sprint(u.Retries),
				fmt.Sprint(u.Responses429), fmt.Sprint(u.Statuses[breakerOpen]),
				ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.Max), mdText(statuses(u.Statuses)))
		}
	}
	if waits := ConnWaits(r.Strategies); len(waits) > 0 {
		b.WriteString("\n")
		for _, w := range waits {
			fmt.Fprintf(b, "- %s\n", mdText(w))
		}
	}
	b.WriteString("\n</details>\n")
}

// mdRow writes cells, already escaped, as one table row.
func mdRow(b *strings.Builder, cells ...string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// mdHeader writes a table's header row and its delimiter row; align has
// one letter per column: l (left, text), r (right, numbers), c (centre).
func mdHeader(b *strings.Builder, align string, names ...string) {
	mdRow(b, names...)
	delims := make([]string, len(align))
	for i, a := range align {
		delims[i] = map[rune]string{'l': ":--", 'r': "--:", 'c': ":-:"}[a]
	}
	b.WriteString("|" + strings.Join(delims, "|") + "|\n")
}

// mdVerdict opens the report with the verdict, the concerns about the
// system under test and the note on the harness.
func mdVerdict(b *strings.Builder, r *metrics.Result) {
	v := Decide(r)
	for i, l := range v.Lines {
		if i == 0 {
			fmt.Fprintf(b, "**%s**\n", mdText(l))
			continue
		}
		fmt.Fprintf(b, "- %s\n", mdText(l))
	}
	fmt.Fprintf(b, "\n<sub>%s</sub>\n\n", mdText(v.Basis))
	if cs := Concerns(r); len(cs) > 0 {
		fmt.Fprintf(b, "**System under test: %s**\n\n", plural(len(cs), "concern", "concerns"))
		for _, c := range cs {
			fmt.Fprintf(b, "- %s\n", mdText(c.String()))
		}
		b.WriteString("\n")
	}
	if line, ok := HarnessNote(r); ok {
		fmt.Fprintf(b, "_Harness: %s._\n\n", mdText(line))
	}
}
