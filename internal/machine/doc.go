// Package machine says what this machine can hold, so that a size written
// in a scenario (workers, a queue's capacity, users) is refused with a
// message rather than left to exhaust memory or file descriptors: the
// memory this process may use, the files it may open, and a check of a
// count of items of a given size against them.
//
//	if err := machine.Fits(workers, machine.GoroutineBytes, "workers"); err != nil {
//		ps.Add("workers", "%v", err) // "1000000000 workers need about 59.6 TiB (64 KiB each), … at most 370000 fit"
//	}
package machine
