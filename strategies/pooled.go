package strategies

import (
	"context"
	"errors"
)

// PoolOptions size a Pooled strategy.
type PoolOptions struct {
	Workers, Queue int
	Reject         bool
}

// Pooled is not built yet.
type Pooled struct{}

// NewPooled is not built yet.
func NewPooled(Caller, PoolOptions) (*Pooled, error) { return nil, errors.New("pooled: not built yet") }

// Name returns "pooled".
func (*Pooled) Name() string { return "pooled" }

// Execute is not built yet.
func (*Pooled) Execute(context.Context, *Operation) Outcome { return Failed }
