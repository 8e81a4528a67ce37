package compare

import (
	"encoding/json"
	"io"
)

// JSON writes the comparison as indented JSON: the Comparison type's
// fields, a stable format for scripts.
func JSON(w io.Writer, c *Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}
