package runner

import (
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// phasesOf is what the recorder takes of a call's traced phases (none when
// nil: not traced).
func phasesOf(p *strategies.Phases) metrics.Phases {
	if p == nil {
		return metrics.Phases{}
	}
	return metrics.Phases{Traced: p.Traced, Reused: p.Reused, DNS: p.DNS, Connect: p.Connect, TLS: p.TLS, TTFB: p.TTFB, Body: p.Body}
}
