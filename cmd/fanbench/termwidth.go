package main

import (
	"io"
	"os"
	"strconv"
)

// termWidth is how many columns the terminal that w writes to has: COLUMNS
// when it is set to a number, else what the terminal says; 0 when w is not
// a terminal (the table then fits reports.DefaultWidth).
func termWidth(w io.Writer) int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	f, ok := w.(*os.File)
	if !ok || !isTerminal(w) {
		return 0
	}
	return windowWidth(f)
}
