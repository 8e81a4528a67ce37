package strictyaml

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// This file expands ${NAME} and ${NAME:-default} in the values of a parsed
// document, before it is decoded, so that a value from the environment is
// checked like any other and a missing variable is reported at its line.

// MinSecretLen is the shortest value from the environment that is kept as a
// secret. Shorter ones (a port, a count, "on") cannot be told from ordinary
// text: replacing every "80" in the output would garble it while hiding
// nothing that a guess would not find. Credentials belong in sensitive
// headers or URL passwords, which are redacted whatever their length.
const MinSecretLen = 4

// envProblem is one mistake in a value's ${...} references.
type envProblem string

// envExpander expands the references of one value after another, gathering
// the values it took from the environment.
type envExpander struct {
	lookup   func(string) (string, bool)
	secrets  []string
	problems []envProblem
	// open is set once a reference runs to the end of the value without
	// its }, so that the references around it do not say so again.
	open bool
}

// ExpandEnv expands every scalar value (never a key) under n, recording a
// problem of a value as an error at its node, for the field at its path.
// A value with a problem becomes null, so that the decoder does not report
// the unexpanded text again. It returns the values taken from the
// environment that are long enough to be secrets.
func (d *Decoder) ExpandEnv(root *yaml.Node, lookup func(string) (string, bool)) []string {
	e := &envExpander{lookup: lookup}
	d.expandNode(e, root, "")
	slices.Sort(e.secrets)
	return slices.Compact(e.secrets)
}

func (d *Decoder) expandNode(e *envExpander, n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "$") {
			return
		}
		e.problems, e.open = e.problems[:0], false
		out, changed := e.expand(n.Value)
		if len(e.problems) > 0 {
			for _, p := range e.problems {
				d.Failf(n, path, "%s", p)
			}
			n.Value, n.Tag, n.Style = "", "!!null", 0
			return
		}
		if changed {
			n.Value = out
			if n.Tag == "" || n.Style&(yaml.TaggedStyle) == 0 {
				n.Tag = "!!str" // text from the environment is text, never null or a number's tag
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			d.expandNode(e, item, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			child := path
			if k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
				child = Join(path, k.Value)
			}
			d.expandNode(e, v, child)
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			d.expandNode(e, c, path)
		}
	}
	// An alias is expanded where its anchor is defined, once.
}

// expand returns text with its references replaced, and whether anything
// was; problems are appended to e.problems.
func (e *envExpander) expand(text string) (string, bool) {
	if !strings.Contains(text, "$") {
		return text, false
	}
	var b strings.Builder
	e.scan(text, 0, &b, true, false)
	return b.String(), true
}

// reference reads the reference that starts at text[start] ("${"), writes
// its value to b when eval is set (a default that is not used is only
// checked) and returns the index after it.
func (e *envExpander) reference(text string, start int, b *strings.Builder, eval bool) int {
	i := start + 2
	nameEnd := i
	for nameEnd < len(text) && isNameByte(text[nameEnd], nameEnd == i) {
		nameEnd++
	}
	name := text[i:nameEnd]
	switch {
	case nameEnd < len(text) && text[nameEnd] == '}' && name != "":
		if eval {
			e.substitute(name, b)
		}
		return nameEnd + 1
	case strings.HasPrefix(text[nameEnd:], ":-") && name != "":
		var def strings.Builder
		value, set := e.lookup(name)
		useDefault := !set || value == ""
		end, closed := e.scan(text, nameEnd+2, &def, eval && useDefault, true)
		if !closed {
			if !e.open {
				e.unclosed(text, start)
			}
			return end
		}
		if eval {
			if useDefault {
				b.WriteString(def.String())
			} else {
				e.take(value, b)
			}
		}
		return end
	}
	// A bad name or an operator other than :-.
	end := strings.IndexByte(text[start:], '}')
	if end < 0 {
		e.unclosed(text, start)
		return len(text)
	}
	ref := text[start : start+end+1]
	switch {
	case name == "" && nameEnd == i && (i == len(text) || text[i] == '}' || text[i] == ':'):
		e.problems = append(e.problems, envProblem(fmt.Sprintf(
			"%s names no variable; write ${NAME} or ${NAME:-default}, or $$ for a literal $", ref)))
	case name == "":
		e.problems = append(e.problems, envProblem(fmt.Sprintf(
			"%s: %q is not a variable name, which is letters, digits and _, not starting with a digit; write ${NAME} or ${NAME:-default}, or $$ for a literal $",
			ref, ref[2:len(ref)-1])))
	default:
		e.problems = append(e.problems, envProblem(fmt.Sprintf(
			"%s: expected } or :-default after ${%s (only ${NAME} and ${NAME:-default} are supported); write $$ for a literal $", ref, name)))
	}
	return start + end + 1
}

// scan copies text from i to b, expanding its references when eval is set
// ($$ is a literal $ either way). In a default (nested) it stops after the
// } that closes the reference, counting the braces inside as the shell does
// (${A:-{x}} is {x}); at the top level braces are text. It returns the index
// where it stopped and, in a default, whether the closing brace was found.
func (e *envExpander) scan(text string, i int, b *strings.Builder, eval, nested bool) (int, bool) {
	depth := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == '$' && i+1 < len(text) && text[i+1] == '$':
			b.WriteByte('$')
			i += 2
			continue
		case c == '$' && i+1 < len(text) && text[i+1] == '{':
			i = e.reference(text, i, b, eval)
			continue
		case nested && c == '}' && depth == 0:
			return i + 1, true
		case nested && c == '{':
			depth++
		case nested && c == '}':
			depth--
		}
		b.WriteByte(c)
		i++
	}
	return i, !nested
}

// substitute writes the value of name, or records that it is not set.
func (e *envExpander) substitute(name string, b *strings.Builder) {
	value, ok := e.lookup(name)
	if !ok {
		e.problems = append(e.problems, envProblem(fmt.Sprintf(
			"${%s} is not set; export it or write ${%s:-default}", name, name)))
		return
	}
	e.take(value, b)
}

// take writes a value from the environment, remembering it as a secret.
func (e *envExpander) take(value string, b *strings.Builder) {
	b.WriteString(value)
	if utf8.RuneCountInString(value) >= MinSecretLen {
		e.secrets = append(e.secrets, value)
	}
}

func (e *envExpander) unclosed(text string, start int) {
	e.open = true
	ref := text[start:]
	if r := []rune(ref); len(r) > 40 {
		ref = string(r[:40]) + "…"
	}
	e.problems = append(e.problems, envProblem(fmt.Sprintf(
		"%q has no closing }; write ${NAME} or ${NAME:-default}, or $$ for a literal $", ref)))
}

// isNameByte reports whether c may be in a variable name, first or later.
func isNameByte(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}
