//go:build unix

package h1

import "syscall"

// peekFD looks, without blocking or consuming, for a byte or the end of
// the stream on an idle socket: only "nothing to read" means it is open.
func (c *Conn) peekFD(fd uintptr) bool {
	_, _, err := syscall.Recvfrom(int(fd), c.peekBuf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	c.peekOpen = err == syscall.EAGAIN
	return true
}
