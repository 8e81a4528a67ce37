//go:build !unix

package h1

// peekFD cannot look at a socket here: an idle connection is taken as
// open, and a close by the server shows as the next request's failure.
func (c *Conn) peekFD(uintptr) bool {
	c.peekOpen = true
	return true
}
