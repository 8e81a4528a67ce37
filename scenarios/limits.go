package scenarios

import (
	"fmt"
	"math"

	"github.com/fanbench/fanbench/internal/machine"
)

// This file checks that the sizes a scenario sets fit this machine: an
// absurd number of users or operations in flight is refused with what it
// would need, rather than left to exhaust memory or file descriptors in
// the middle of a run.

// reservedFiles are the files a run keeps open besides its connections:
// listeners, the outputs, the runtime's own.
const reservedFiles = 64

// loadFits checks the users of a closed model, or the cap on operations in
// flight of an open one, against the memory and the open files this
// process may use. Each operation in flight costs about
// machine.GoroutineBytes per call; each call holds a connection, which is
// two file descriptors when its upstream is a mock in this process.
func (c *checker) loadFits(s *Scenario) {
	l := &s.Load
	calls := max(len(s.Operation.Calls), 1)
	each := uint64(calls) * machine.GoroutineBytes
	if l.Model != ModelClosed {
		if l.MaxInFlight > 0 {
			if err := machine.Fits(int64(l.MaxInFlight), each, "operations in flight"); err != nil {
				c.addf("load.max_in_flight", "%v%s", err, perCall(calls))
			}
		}
		return
	}
	peak, field := l.Users, "load.users"
	for i, st := range l.Stages {
		if v := int(math.Min(st.Target.Value, math.MaxInt32)); v > peak {
			peak, field = v, fmt.Sprintf("load.stages[%d].target", i)
		}
	}
	if peak <= 0 {
		return
	}
	if err := machine.Fits(int64(peak), each, "users"); err != nil {
		c.addf(field, "%v%s", err, perCall(calls))
		return
	}
	fds, how := 1, "one file descriptor each"
	for _, u := range s.Upstreams {
		if u.Mock != nil {
			fds, how = 2, "two file descriptors each, as its upstream is a mock in this process"
			break
		}
	}
	files := machine.OpenFiles()
	need := uint64(peak)*uint64(calls)*uint64(fds) + reservedFiles
	if files > reservedFiles && need > files {
		most := (files - reservedFiles) / uint64(calls*fds)
		c.addf(field, "%d users making %d calls each hold up to %d connections (%s), more than the %d files this process may open (ulimit -n); at most %d users here",
			peak, calls, uint64(peak)*uint64(calls), how, files, most)
	}
}

// perCall says where the size of one operation in flight comes from.
func perCall(calls int) string {
	if calls == 1 {
		return ""
	}
	return fmt.Sprintf(" (64 KiB for each of its %d calls)", calls)
}
