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
