package metrics

import "github.com/fanbench/fanbench/draws"

// Callbacks counts the completion events the run's webhook receiver took
// for one strategy (the receiver's own counts, in the result's keys), and
// what the mock upstreams sent.
type Callbacks struct {
	draws.WebhookCounts
	// Sent, Duplicated and Lost are the mock upstreams' own counts of the
	// callbacks they sent (duplicates included), sent twice, and never
	// sent (the lost fault); Late those sent late (the late fault). Zero
	// for real upstreams.
	Sent       uint64 `json:"sent"`
	Duplicated uint64 `json:"duplicated"`
	Lost       uint64 `json:"lost"`
	Late       uint64 `json:"late,omitempty"`
}

func mergeCallbacks(a, b *Callbacks) *Callbacks {
	if one, ok := eitherOf(a, b); ok {
		return one
	}
	return &Callbacks{WebhookCounts: a.WebhookCounts.Add(b.WebhookCounts),
		Sent: a.Sent + b.Sent, Duplicated: a.Duplicated + b.Duplicated, Lost: a.Lost + b.Lost, Late: a.Late + b.Late}
}
