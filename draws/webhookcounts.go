package draws

// WebhookCounts are what a webhook receiver counts of the completion
// events it took. The receiver (strategies) counts them and the result
// (metrics) records them: one type, so that neither copies the other's.
type WebhookCounts struct {
	// Received counts the POSTs; each ends as exactly one of the others.
	Received uint64 `json:"received"`
	// Completed counts the events that completed a waiting call.
	Completed uint64 `json:"completed"`
	// Duplicates counts the events whose id was seen before (a replay or
	// a provider's second send): acknowledged, never applied twice.
	Duplicates uint64 `json:"duplicates"`
	// Unmatched counts the events for no waiting call: past its deadline,
	// or a second event for a call already completed.
	Unmatched uint64 `json:"unmatched"`
	// BadSignature counts the events refused for a missing or wrong
	// signature, Stale those whose timestamp was out of tolerance (a
	// replay of an old event), Malformed those whose body was not an
	// event.
	BadSignature uint64 `json:"bad_signature"`
	Stale        uint64 `json:"stale"`
	Malformed    uint64 `json:"malformed"`
}

// Add returns the sums of c's and o's counts.
func (c WebhookCounts) Add(o WebhookCounts) WebhookCounts {
	return WebhookCounts{Received: c.Received + o.Received, Completed: c.Completed + o.Completed,
		Duplicates: c.Duplicates + o.Duplicates, Unmatched: c.Unmatched + o.Unmatched,
		BadSignature: c.BadSignature + o.BadSignature, Stale: c.Stale + o.Stale, Malformed: c.Malformed + o.Malformed}
}
