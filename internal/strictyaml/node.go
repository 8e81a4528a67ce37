package strictyaml

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file turns bytes into a yaml.Node tree and answers the questions the
// decoder asks of nodes: which key-value pairs a mapping holds once merge
// keys are applied, what a node is called in an error message.

// Pos is a line and column in the file, both from 1.
type Pos struct{ Line, Col int }

// PosOf returns where n was written.
func PosOf(n *yaml.Node) Pos { return Pos{n.Line, n.Column} }

// Pair is one key and its value in a mapping.
type Pair struct{ Key, Value *yaml.Node }

// Document parses data and returns the root mapping of its only document, or
// nil after recording why there is none. what says what the file must hold,
// for the message about an empty one ("a scenario needs name, upstreams, …");
// root is the Go type the mapping decodes into, whose keys the message about
// a root that is not a mapping lists.
func (d *Decoder) Document(data []byte, what string, root reflect.Type) *yaml.Node {
	if n := separators(data); n > maxSeparators {
		d.Errs = append(d.Errs, &Error{File: d.File, Line: 1, Column: 1, Msg: fmt.Sprintf(
			"the file has %d line breaks, commas, colons, dashes and brackets, more than the %d that bound a file of %d values (keys, values and list items), the most fanbench reads",
			n, maxSeparators, maxNodes)})
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decodeNode(dec, &doc); err != nil {
		if err == io.EOF {
			d.Errs = append(d.Errs, &Error{File: d.File, Line: 1, Column: 1,
				Msg: "the file is empty; " + what})
		} else {
			d.syntaxError(err, dec, data)
		}
		return nil
	}
	var next yaml.Node
	switch err := decodeNode(dec, &next); {
	case err == io.EOF:
	case err != nil:
		d.syntaxError(err, dec, data)
	default:
		d.Failf(&next, "", "a second YAML document starts here; a scenario file holds exactly one")
	}
	if len(doc.Content) == 0 {
		return nil
	}
	top := doc.Content[0]
	if IsNull(top) {
		d.Failf(top, "", "the document is empty; %s", what)
		return nil
	}
	if top.Kind != yaml.MappingNode {
		d.Failf(top, "", "expected a mapping with the keys %s, got %s", strings.Join(Keys(root), ", "), Describe(top))
		return nil
	}
	d.Pos[""] = PosOf(top)
	return top
}

// maxSeparators bounds the characters where a YAML value can begin (line
// breaks, commas, colons, dashes, brackets and braces) in one document,
// counted before the parser runs: the parser builds a tree of the whole
// file before any budget of the decoder applies, about 400 bytes per value,
// so a large file of small values would take gigabytes. A document of
// maxNodes values has about that many separators; twice as many leave room
// for text full of punctuation.
const maxSeparators = 2 * maxNodes

// separators counts the characters of data where a value can begin.
func separators(data []byte) int {
	n := 0
	for _, c := range data {
		switch c {
		case '\n', ',', ':', '-', '[', '{':
			n++
		}
	}
	return n
}

// decodeNode reads the next document. The parser reports its errors by
// panicking internally and recovering; a panic that escapes it anyway must
// not take the caller down with a bad file, so it becomes an error here.
func decodeNode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

// syntaxError records a parser error, whose text is "yaml: line N: what".
// The line there is that of the block the problem is in, often lines above
// it; the parser's own mark of the problem, with its column, is used when
// it can be read (see problemMark), and the block is named after it.
func (d *Decoder) syntaxError(err error, dec *yaml.Decoder, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, col := 0, 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, what, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				line, msg = n, what
			}
		}
	}
	if m, ok := problemMark(dec); ok && m.line > 0 {
		if m.context != "" && (m.contextLine != m.line || m.contextCol != m.col) && m.contextLine > 0 {
			msg += fmt.Sprintf(" (%s that starts at line %d, column %d)", m.context, m.contextLine, m.contextCol)
		}
		line, col = m.line, m.col
	}
	if line == 0 {
		line = unknownAnchorLine(msg, data)
	}
	msg = "invalid YAML: " + msg
	if line > 0 && hasTabIndent(data, line) {
		msg += " (a tab indents this line; YAML indents with spaces only)"
	}
	d.Errs = append(d.Errs, &Error{File: d.File, Line: line, Column: col, Msg: msg})
}

// mark is where the parser found a problem, from 1, and the construct it
// was reading ("while parsing a flow mapping") and where that began.
type mark struct {
	line, col               int
	context                 string
	contextLine, contextCol int
}

// contextWords turn the parser's names of what it was reading into the
// words of a YAML user.
var contextWords = strings.NewReplacer("quoted scalar", "quoted string", "block scalar", "block of text",
	"plain scalar", "value", "simple key", "key", "a node", "a value")

// problemMark reads the parser's marks of its last error. go.yaml.in/yaml/v3
// keeps them in unexported fields (its message gives only the line of the
// enclosing block), so they are read by reflection; false when the fields
// are not where this version keeps them (TestSyntaxErrorColumns then fails).
func problemMark(dec *yaml.Decoder) (m mark, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	p := reflect.ValueOf(dec).Elem().FieldByName("parser")
	if p.Kind() != reflect.Pointer || p.IsNil() {
		return mark{}, false
	}
	yp := p.Elem().FieldByName("parser")
	pm, cm, ctx, kind := yp.FieldByName("problem_mark"), yp.FieldByName("context_mark"), yp.FieldByName("context"), yp.FieldByName("error")
	if !pm.IsValid() || !cm.IsValid() || ctx.Kind() != reflect.String || !kind.CanInt() || kind.Int() == 0 {
		return mark{}, false // not a parser's error (an unknown anchor is the decoder's)
	}
	at := func(v reflect.Value) (int, int) {
		return int(v.FieldByName("line").Int()) + 1, int(v.FieldByName("column").Int()) + 1
	}
	m.line, m.col = at(pm)
	m.contextLine, m.contextCol = at(cm)
	if what := strings.TrimPrefix(ctx.String(), "while "); what != "" {
		what = strings.TrimPrefix(strings.TrimPrefix(what, "parsing "), "scanning ")
		m.context = "in " + contextWords.Replace(what)
	}
	return m, true
}

// unknownAnchorLine finds the line (from 1) of the first use of the anchor
// that the parser's "unknown anchor 'NAME' referenced" message names, since
// that message has no line; 0 for any other message.
func unknownAnchorLine(msg string, data []byte) int {
	rest, ok := strings.CutPrefix(msg, "unknown anchor '")
	if !ok {
		return 0
	}
	name, _, ok := strings.Cut(rest, "' referenced")
	if !ok {
		return 0
	}
	i := bytes.Index(data, []byte("*"+name))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// hasTabIndent reports whether the given line (from 1) or the one before it,
// where the parser often notices the problem, begins with a tab.
func hasTabIndent(data []byte, line int) bool {
	lines := bytes.Split(data, []byte("\n"))
	for _, i := range []int{line - 1, line - 2} {
		if i >= 0 && i < len(lines) {
			indent := lines[i][:len(lines[i])-len(bytes.TrimLeft(lines[i], " \t"))]
			if bytes.ContainsRune(indent, '\t') {
				return true
			}
		}
	}
	return false
}

// pairs returns the key-value pairs of a mapping in file order, reporting
// keys that are not scalars and keys given twice. Merge keys (<<: *base) are
// expanded: the merged pairs follow the explicit ones, which override them.
func (d *Decoder) Pairs(n *yaml.Node, path string) []Pair {
	var out, merged []Pair
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !d.spend(n) {
			return out
		}
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			d.Failf(k, path, "expected a key name, got %s", Describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, d.merge(v, path)...)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.Failf(k, Join(path, k.Value), "duplicate key; first set at line %d", first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, Pair{k, v})
	}
	for _, p := range merged {
		if _, dup := seen[p.Key.Value]; !dup {
			seen[p.Key.Value] = p.Key
			out = append(out, p)
		}
	}
	return out
}

// merge returns the pairs that a merge key's value brings in: a mapping, an
// alias to one, or a list of those (the first in the list wins).
func (d *Decoder) merge(v *yaml.Node, path string) []Pair {
	switch v.Kind {
	case yaml.AliasNode:
		var out []Pair
		d.alias(v, path, func(target *yaml.Node) {
			if target.Kind != yaml.MappingNode {
				d.Failf(v, path, "<< merges a mapping, but *%s is %s", v.Value, Describe(target))
				return
			}
			out = d.Pairs(target, path)
		})
		return out
	case yaml.MappingNode:
		return d.Pairs(v, path)
	case yaml.SequenceNode:
		var out []Pair
		for _, item := range v.Content {
			if item.Kind == yaml.SequenceNode {
				d.Failf(item, path, "<< takes a mapping, an alias to one or a list of those, not a list of lists")
				continue
			}
			out = append(out, d.merge(item, path)...)
		}
		return out
	}
	d.Failf(v, path, "<< takes a mapping, an alias to one (<<: *base) or a list of those, got %s", Describe(v))
	return nil
}

// alias calls f with the node an alias refers to, unless that node is being
// expanded already: an anchor that contains its own alias would never end.
func (d *Decoder) alias(n *yaml.Node, path string, f func(target *yaml.Node)) {
	target := n.Alias
	if target == nil {
		d.Failf(n, path, "unknown alias *%s", n.Value)
		return
	}
	if d.active[target] {
		d.Failf(n, path, "alias *%s refers to a value that contains it", n.Value)
		return
	}
	d.active[target] = true
	d.aliased = true
	defer delete(d.active, target)
	f(target)
}

// resolve follows aliases to the node they stand for, for looking at a value
// without decoding it; cycles end at the alias.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 100 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

func IsNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node is, for "expected X, got Y" messages.
func Describe(n *yaml.Node) string {
	switch Resolve(n).Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		v := Resolve(n).Value
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return strconv.Quote(v)
	}
	return "an alias"
}

// join appends a key to a field path: "load" + "rate" = "load.rate".
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// errBudget is recorded once when a document expands to too many values.
var errBudget = fmt.Errorf("the document holds more than %d values (keys, values and list items), the most fanbench reads", maxNodes)
