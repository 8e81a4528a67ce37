package machine

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/fanbench/fanbench/internal/safefile"
)

// GoroutineBytes is what one goroutine that makes calls costs, about: its
// stack once an HTTP call has grown it, and its connection's buffers on
// both ends of a loopback connection to an in-process mock. A generous
// estimate, so that what it refuses could not have run.
const GoroutineBytes = 64 << 10

// UnknownMemory is the memory assumed where it cannot be read.
const UnknownMemory = 8 << 30

// Memory returns the memory this process may use, in bytes: the least of
// the machine's physical memory, its cgroup's limit and GOMEMLIMIT when
// set. It is read once.
func Memory() uint64 { return memory() }

var memory = sync.OnceValue(func() uint64 {
	m := physicalMemory()
	if m == 0 {
		m = UnknownMemory
	}
	if c := cgroupLimit(); c > 0 && c < m {
		m = c
	}
	if g := debug.SetMemoryLimit(-1); g > 0 && g < math.MaxInt64 && uint64(g) < m {
		m = uint64(g)
	}
	return m
})

// cgroupLimit is the memory limit of this process's cgroup (v2, then v1);
// 0 when there is none or it cannot be read.
func cgroupLimit() uint64 {
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil && n > 0 && n < 1<<60 {
			return n
		}
	}
	return 0
}

// OpenFiles returns how many files this process may have open (Go raises
// the soft limit to the hard one at start); 0 when unknown.
func OpenFiles() uint64 { return openFiles() }

// Fits returns nil when n items (named by what) of each bytes fit in
// Memory; otherwise an error that says how much they need, what the
// machine has and the most that fit: "1000000000 workers need about 59.6
// TiB (64 KiB each), more than the 23 GiB of memory here; at most 370000
// fit".
func Fits(n int64, each uint64, what string) error {
	if n <= 0 || each == 0 {
		return nil
	}
	mem := Memory()
	most := mem / each
	if uint64(n) <= most {
		return nil
	}
	need := uint64(math.MaxInt64)
	if uint64(n) <= math.MaxInt64/each {
		need = uint64(n) * each
	}
	return fmt.Errorf("%d %s need about %s (%s each), more than the %s of memory here; at most %d fit",
		n, what, safefile.Size(int64(need)), safefile.Size(int64(each)), safefile.Size(int64(mem)), round(most))
}

// round keeps the first two digits of n, rounded down, for a message.
func round(n uint64) uint64 {
	p := uint64(1)
	for n/p >= 100 {
		p *= 10
	}
	return n / p * p
}
