package mockupstream

// HeaderIdempotencyKey is the request header whose values the ledger records.
const HeaderIdempotencyKey = "Idempotency-Key"

// Ledger records the idempotency keys a mock upstream received.
// STUB: to be built (issue 3).
type Ledger struct{}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{} }

// Record notes one request carrying key ("" when it had none), answered with
// status.
func (l *Ledger) Record(key string, status int) {}
