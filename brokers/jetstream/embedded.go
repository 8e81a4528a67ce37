package jetstream

import (
	"github.com/fanbench/fanbench/internal/natsembed"
	"github.com/fanbench/fanbench/strategies"
)

// startEmbedded starts a server for spec (internal/natsembed, which the
// agents' coordinator shares), its goroutines under the server's CPU
// label.
func startEmbedded(spec strategies.BrokerSpec) (*natsembed.Server, error) {
	return natsembed.Start(natsembed.Options{Listen: spec.Listen, SyncAlways: spec.SyncAlways, Keep: spec.Keep,
		Under: func(f func()) { under(labelServer, f) }})
}
