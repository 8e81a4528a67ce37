package strategies

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkQueued measures the whole of an operation of two calls with a
// caller that does no I/O: the ack (both messages held) and the delivery by
// the consumers, up to the drain of the last one. ns/op is wall time per
// operation with the consumers running beside the publisher; ack-ns/op is
// the time Execute took alone (each timed with two clock reads, which it
// includes).
func BenchmarkQueued(b *testing.B) {
	for _, consumers := range []int{1, 4, DefaultQueueConsumers} {
		b.Run(fmt.Sprintf("consumers=%d", consumers), func(b *testing.B) {
			q, err := NewQueued(nopCaller{}, QueueOptions{Consumers: consumers, Capacity: 1024})
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			if err := q.Start(nil); err != nil {
				b.Fatal(err)
			}
			op := NewOperation(queuedCalls())
			ctx := context.Background()
			var ack time.Duration
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				op.Seq = uint64(n)
				began := time.Now()
				q.Execute(ctx, op)
				ack += time.Since(began)
				n++
			}
			if left := q.Drain(ctx); left != 0 {
				b.Fatalf("%d calls undelivered", left)
			}
			b.ReportMetric(float64(ack.Nanoseconds())/float64(n), "ack-ns/op")
		})
	}
}
