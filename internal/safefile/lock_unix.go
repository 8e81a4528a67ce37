//go:build unix

package safefile

import (
	"io/fs"
	"os"
	"syscall"
)

// lock takes an advisory lock on the temporary file f for as long as it is
// open: the kernel drops it when the writer dies, which is how cleanStale
// in another process tells a killed write from one under way. A file
// system without locks gets none, and its stale files are then never
// removed, which is the safe side.
func lock(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// unlocked reports whether no process holds the file at path locked (so
// that its writer is gone), taking and dropping the lock to find out.
func unlocked(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return true
}

// keepOwner gives the temporary file f the owner of the file it replaces,
// when the process may (root may; others keep their own).
func keepOwner(f *os.File, old fs.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		_ = f.Chown(int(st.Uid), int(st.Gid))
	}
}
