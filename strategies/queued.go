package strategies

import (
	"context"
	"errors"
)

// QueueOptions size a Queued strategy.
type QueueOptions struct {
	Consumers, Capacity int
	Reject              bool
}

// Queued is not built yet.
type Queued struct{}

// NewQueued is not built yet.
func NewQueued(Caller, QueueOptions) (*Queued, error) { return nil, errors.New("queued: not built yet") }

// Name returns "queued".
func (*Queued) Name() string { return "queued" }

// Execute is not built yet.
func (*Queued) Execute(context.Context, *Operation) Outcome { return Failed }
