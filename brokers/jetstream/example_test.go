package jetstream_test

import (
	"context"
	"fmt"
	"time"

	"github.com/fanbench/fanbench/brokers/jetstream"
	"github.com/fanbench/fanbench/strategies"
)

// A broker on an embedded JetStream server, memory storage: a message
// published (the ack), delivered to a consumer and acknowledged. A
// queued strategy does this for each call of each operation.
func Example() {
	ctx := context.Background()
	spec := strategies.BrokerSpec{Kind: strategies.BrokerJetStream, Storage: strategies.StorageMemory}
	b, err := jetstream.New(ctx, spec, strategies.BrokerRun{Scenario: "example", Strategy: "queued", RunID: "r1", Capacity: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	if err := b.Publish(ctx, strategies.Message{Seq: 42, Call: 1, Intended: time.Now()}); err != nil {
		fmt.Println(err)
		return
	}
	c, _ := b.Subscribe()
	d, _ := c.Next(ctx)
	fmt.Printf("delivered call %d of operation %d; backlog %d\n", d.Call, d.Seq, b.Depth())
	_ = c.Ack(d)
	fmt.Printf("acknowledged; backlog %d\n", b.Depth())
	_ = c.Close()
	_ = b.Close()
	r, _ := b.Report()
	fmt.Printf("%s %s on the %s server: %d published, %d left in the stream\n", r.Kind, r.Storage, r.Server, r.Published, r.StreamRemaining)
	// Output:
	// delivered call 1 of operation 42; backlog 1
	// acknowledged; backlog 0
	// jetstream memory on the embedded server: 1 published, 0 left in the stream
}
