package compare

import (
	"fmt"
	"io"
	"strings"
)

// Formats lists the renderers' names, for a --format flag.
func Formats() []string { return []string{"table", "markdown", "json", "junit"} }

// Render writes c in the named format (see Formats).
func Render(w io.Writer, c *Comparison, format string) error {
	switch format {
	case "table":
		return Table(w, c)
	case "markdown":
		return Markdown(w, c)
	case "json":
		return JSON(w, c)
	case "junit":
		return JUnit(w, c)
	}
	return fmt.Errorf("format %q: allowed: %s", format, strings.Join(Formats(), ", "))
}
