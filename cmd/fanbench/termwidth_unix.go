//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// windowWidth asks the terminal behind f for its width; 0 when it cannot.
func windowWidth(f *os.File) int {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}
