package reports

import "strings"

// mdActive holds the characters that can start Markdown (GitHub flavour)
// anywhere in a line: emphasis, code, links and images, raw HTML and
// entities, table cells, strikethrough, headings and issue references, and
// mentions. Backslash-escaping an ASCII punctuation character always
// yields the character itself.
const mdActive = "\\`*_[]<>|~&!#@"

// mdText escapes s, a name or message that may come from a scenario, so
// that it shows as text in Markdown: line breaks become spaces, the
// characters of mdActive are backslash-escaped, and so is a first
// character that would start a list, a block quote or a heading.
func mdText(s string) string {
	var b strings.Builder
	for i, c := range s {
		switch {
		case c == '\n' || c == '\r' || c == '\t':
			c = ' '
		case strings.ContainsRune(mdActive, c):
			b.WriteByte('\\')
		case i == 0 && strings.ContainsRune("+-=", c):
			b.WriteByte('\\')
		case (c == '.' || c == ')') && i > 0 && isDigits(s[:i]) && (i+1 == len(s) || strings.ContainsRune(" \t\n\r", rune(s[i+1]))):
			b.WriteByte('\\') // "1. " or "1) " would start an ordered list
		}
		b.WriteRune(c)
	}
	return b.String()
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
