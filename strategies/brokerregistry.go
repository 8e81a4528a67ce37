package strategies

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// BrokerRun is what a broker knows of the run it serves, besides its spec.
type BrokerRun struct {
	// Scenario is the scenario's name, Strategy the entry's label (or
	// name) and RunID a token unique to the run: a broker makes its
	// default names (a stream, a consumer) from them.
	Scenario, Strategy, RunID string
	// Capacity bounds the messages held, and Reject says a full broker
	// refuses rather than makes the publisher wait: the queued strategy's
	// capacity and when_full.
	Capacity int
	Reject   bool
}

// BrokerDefinition registers one kind of broker.
type BrokerDefinition struct {
	Kind BrokerKind
	// New starts the broker spec describes (its server, its connection,
	// its stream) for one strategy's run; ctx bounds the start. The
	// queued strategy closes it.
	New func(ctx context.Context, spec BrokerSpec, run BrokerRun) (Broker, error)
	// Check, when not nil, makes sure that what spec names outside the
	// process (an external server) answers, so that a run fails before
	// any load rather than halfway through. Its error names the server
	// without credentials.
	Check func(ctx context.Context, spec BrokerSpec) error
}

var brokers struct {
	sync.RWMutex
	defs map[BrokerKind]BrokerDefinition
}

// RegisterBroker adds a kind of broker; its package calls it from init. A
// kind not in BrokerKinds, or registered twice, is a programming error, and
// panics.
func RegisterBroker(d BrokerDefinition) {
	if !slices.Contains(BrokerKinds, string(d.Kind)) || d.New == nil {
		panic(fmt.Sprintf("strategies.RegisterBroker: kind %q needs to be one of BrokerKinds, with New", d.Kind))
	}
	brokers.Lock()
	defer brokers.Unlock()
	if brokers.defs == nil {
		brokers.defs = map[BrokerKind]BrokerDefinition{}
	}
	if _, dup := brokers.defs[d.Kind]; dup {
		panic("strategies.RegisterBroker: " + string(d.Kind) + " is registered twice")
	}
	brokers.defs[d.Kind] = d
}

func lookupBroker(kind BrokerKind) (BrokerDefinition, error) {
	if kind == "" {
		kind = BrokerInProc
	}
	brokers.RLock()
	d, ok := brokers.defs[kind]
	brokers.RUnlock()
	if !ok {
		// Kinds are declared here, implemented elsewhere: a program that
		// loads scenarios without running them need not link a broker.
		return d, fmt.Errorf("broker kind %q is not linked into this program: import _ \"github.com/fanbench/fanbench/brokers/%s\" (the runner does)", kind, kind)
	}
	return d, nil
}

// NewBroker starts the broker spec names, through its kind's registered
// factory.
func NewBroker(ctx context.Context, spec BrokerSpec, run BrokerRun) (Broker, error) {
	d, err := lookupBroker(spec.Kind)
	if err != nil {
		return nil, err
	}
	return d.New(ctx, spec.WithDefaults(), run)
}

// CheckBroker makes sure the broker spec names can be reached; nil for a
// kind that has nothing outside the process to reach.
func CheckBroker(ctx context.Context, spec BrokerSpec) error {
	d, err := lookupBroker(spec.Kind)
	if err != nil {
		return err
	}
	if d.Check == nil {
		return nil
	}
	return d.Check(ctx, spec.WithDefaults())
}

func init() {
	RegisterBroker(BrokerDefinition{Kind: BrokerInProc,
		New: func(_ context.Context, _ BrokerSpec, run BrokerRun) (Broker, error) {
			return NewInProcBroker(InProcOptions{Capacity: run.Capacity, Reject: run.Reject})
		}})
}
