package jetstream

import (
	"strings"

	"github.com/fanbench/fanbench/strategies"
)

// names are a run's stream, its durable consumer and the subject the
// stream takes.
type names struct {
	stream, consumer, subject string
}

// namesFor returns the names spec gives, or defaults made from the run:
// fanbench_<scenario>_<label>_<run>, so that runs never share a stream.
func namesFor(spec strategies.BrokerSpec, run strategies.BrokerRun) names {
	n := names{stream: spec.Stream, consumer: spec.Consumer}
	if n.stream == "" {
		n.stream = "fanbench_" + token(run.Scenario, 40) + "_" + token(run.Strategy, 40) + "_" + token(run.RunID, 24)
	}
	if n.consumer == "" {
		n.consumer = "fanbench_consumers"
	}
	n.subject = "fanbench.queued." + n.stream
	return n
}

// token returns s as a NATS name or subject token of at most max bytes:
// letters, digits, '-' and '_' kept, anything else '_'; "x" when empty.
func token(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= max {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}
