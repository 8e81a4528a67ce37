package strategies

import (
	"context"
	"errors"
	"time"
)

// HedgeOptions tune a Hedged strategy.
type HedgeOptions struct {
	Delay    time.Duration
	Quantile float64
}

// Hedged is not built yet.
type Hedged struct{}

// NewHedged is not built yet.
func NewHedged(Caller, HedgeOptions) (*Hedged, error) { return nil, errors.New("hedged: not built yet") }

// Name returns "hedged".
func (*Hedged) Name() string { return "hedged" }

// Execute is not built yet.
func (*Hedged) Execute(context.Context, *Operation) Outcome { return Failed }
