//go:build !unix

package safefile

import (
	"io/fs"
	"os"
)

// lock does nothing where there are no advisory locks.
func lock(*os.File) {}

// unlocked cannot tell a killed write from one under way without locks: it
// says no, so stale temporary files are left alone.
func unlocked(string) bool { return false }

// keepOwner does nothing: ownership is not kept here.
func keepOwner(*os.File, fs.FileInfo) {}
