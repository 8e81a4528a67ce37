//go:build !linux

package machine

// physicalMemory is unknown here: UnknownMemory is assumed.
func physicalMemory() uint64 { return 0 }

func openFiles() uint64 { return 0 }
