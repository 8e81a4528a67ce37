package jetstream

import (
	"context"

	"github.com/fanbench/fanbench/strategies"
)

func init() {
	strategies.RegisterBroker(strategies.BrokerDefinition{
		Kind: strategies.BrokerJetStream,
		New: func(ctx context.Context, spec strategies.BrokerSpec, run strategies.BrokerRun) (strategies.Broker, error) {
			b, err := New(ctx, spec, run)
			if err != nil {
				return nil, err
			}
			return b, nil
		},
		Check: check,
	})
}
