// Package safefile reads the files fanbench is given and writes the files it
// is asked for, so that no input exhausts memory and no output destroys a
// file it should not touch.
//
// Reading: ReadFile and Open stop at a size limit, checked from the file's
// size before anything is read and again while reading (a device or a pipe
// has no size), and say so with a *TooLargeError naming the file and the
// limit.
//
// Writing: WriteFile writes atomically, through a temporary file in the
// target's folder that is synced and then renamed over the target, so a
// reader never sees half a file and a failed write leaves the old one. It
// follows a symbolic link to the file it points at, keeps an existing
// file's mode, refuses a target that is not a regular file (a device, a
// FIFO, a folder), and first removes the temporary files that earlier
// writes killed mid-way left in that folder. Check says, before any work
// is done, whether WriteFile could write a path.
//
//	if err := safefile.Check("out/result.json"); err != nil { … }  // before a long run
//	…
//	err := safefile.WriteFile("out/result.json", data)
package safefile
