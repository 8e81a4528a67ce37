package loadgen_test

import (
	"fmt"
	"time"

	"github.com/fanbench/fanbench/loadgen"
)

// A constant rate of 20 operations per second for a quarter of a second:
// the intended start of each operation is known before the run.
func ExampleConstant() {
	p := loadgen.Constant{Rate: 20, Duration: 250 * time.Millisecond}
	for n := uint64(0); ; n++ {
		at, ok := p.Due(n)
		if !ok {
			break
		}
		fmt.Println(n, at)
	}
	// Output:
	// 0 0s
	// 1 50ms
	// 2 100ms
	// 3 150ms
	// 4 200ms
}

// Three agents split a schedule of 10 operations: each runs every third
// operation, at its usual intended start, and together they run them all.
func ExampleShare() {
	for i := range 3 {
		seg := loadgen.Share(i, 3)
		var ops []uint64
		for n := range uint64(10) {
			if seg.Has(n) {
				ops = append(ops, n)
			}
		}
		fmt.Println(seg, ops)
	}
	// Output:
	// 0:1/3 [0 3 6 9]
	// 1/3:2/3 [1 4 7]
	// 2/3:1 [2 5 8]
}
