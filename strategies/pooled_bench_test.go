package strategies

import (
	"context"
	"testing"
)

// BenchmarkPooled measures the pool's orchestration of an operation of two
// calls with a caller that does no I/O: queueing, handing over to workers,
// waiting for both, classifying. "serial" runs one operation at a time (the
// latency cost of going through the pool); "parallel" many at once (the
// cost under contention for the queue).
func BenchmarkPooled(b *testing.B) {
	benches := []struct {
		name     string
		opts     PoolOptions
		parallel bool
	}{
		{"serial", PoolOptions{}, false},
		{"serial-1-worker", PoolOptions{Workers: 1}, false},
		{"parallel", PoolOptions{}, true},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			p, err := NewPooled(nopCaller{}, bb.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			ctx := context.Background()
			b.ReportAllocs()
			if !bb.parallel {
				op := NewOperation(twoCalls())
				for b.Loop() {
					p.Execute(ctx, op)
				}
				return
			}
			b.RunParallel(func(pb *testing.PB) {
				op := NewOperation(twoCalls())
				for pb.Next() {
					p.Execute(ctx, op)
				}
			})
		})
	}
}
