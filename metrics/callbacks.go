package metrics

// Callbacks counts the completion events the run's webhook receiver took
// for one strategy, and what the mock upstreams sent.
type Callbacks struct {
	// Received counts the POSTs; each is one of Completed, Duplicates,
	// Unmatched, BadSignature, Stale or Malformed.
	Received uint64 `json:"received"`
	// Completed counts the events that completed a waiting call.
	Completed uint64 `json:"completed"`
	// Duplicates counts the events whose id was seen before: refused,
	// never completing a call twice.
	Duplicates uint64 `json:"duplicates"`
	// Unmatched counts the events for no waiting call (past its deadline,
	// or a second event for one already completed).
	Unmatched uint64 `json:"unmatched"`
	// BadSignature, Stale and Malformed count the events refused.
	BadSignature uint64 `json:"bad_signature"`
	Stale        uint64 `json:"stale"`
	Malformed    uint64 `json:"malformed"`
	// Sent, Duplicated and Lost are the mock upstreams' own counts of the
	// callbacks they sent (duplicates included), sent twice, and never
	// sent (the lost fault); zero for real upstreams.
	Sent       uint64 `json:"sent"`
	Duplicated uint64 `json:"duplicated"`
	Lost       uint64 `json:"lost"`
}

func mergeCallbacks(a, b *Callbacks) *Callbacks {
	if one, ok := eitherOf(a, b); ok {
		return one
	}
	return &Callbacks{Received: a.Received + b.Received, Completed: a.Completed + b.Completed,
		Duplicates: a.Duplicates + b.Duplicates, Unmatched: a.Unmatched + b.Unmatched,
		BadSignature: a.BadSignature + b.BadSignature, Stale: a.Stale + b.Stale, Malformed: a.Malformed + b.Malformed,
		Sent: a.Sent + b.Sent, Duplicated: a.Duplicated + b.Duplicated, Lost: a.Lost + b.Lost}
}
