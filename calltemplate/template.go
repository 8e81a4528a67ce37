// Package calltemplate expands the templates of a call — its path, header
// values and body — with the fields of the operation: {{.Seq}}, {{.UUID}},
// {{.Now}} and {{.Data.COLUMN}}, and the call's own {{.Index}} among the
// copies of a repeated call.
//
// The syntax is Go's text/template, parsed with it so errors read the same,
// but only those fields may appear: a template is compiled into literal
// text and field references, and expanding it appends bytes to a buffer
// without reflection, so the hot path of a load test pays for a template
// about what it pays for a string copy. Everything a template expands to
// is a pure function of (seed, seq) but {{.Now}}, so every strategy sends
// operation n the same values.
package calltemplate

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
	"unicode"

	"github.com/fanbench/fanbench/draws"
)

// Fields names the fields a template may use, for error messages.
const Fields = "{{.Seq}}, {{.UUID}}, {{.Now}}, {{.Index}} and {{.Data.COLUMN}}"

// ErrNoData marks a template that uses {{.Data.COLUMN}} when there is no
// data table.
var ErrNoData = errors.New("the scenario has no data")

// Data is a table of values: operation seq takes row seq mod len(Rows).
type Data struct {
	Columns []string
	Rows    [][]string
}

// Env is what a template's fields draw from: the seed of the operation's
// UUID, the data table, and the call's index among the copies of a
// repeated call (0 for a call that is not repeated), which is fixed when
// the template is parsed: {{.Index}} compiles to literal text.
type Env struct {
	Seed  uint64
	Data  *Data
	Index int
}

type kind uint8

const (
	literal kind = iota
	seqField
	uuidField
	nowField
	dataField
)

type part struct {
	kind kind
	text string // literal
	col  int    // dataField
}

// Template is a compiled template. The zero Template expands to nothing.
type Template struct {
	source string
	parts  []part
	env    Env
}

// Parse compiles text. An unknown field, a data column the table lacks, or
// anything but a field reference between {{ and }} is an error.
func Parse(text string, env Env) (Template, error) {
	t := Template{source: text, env: env}
	if !strings.Contains(text, "{{") {
		if text != "" {
			t.parts = []part{{kind: literal, text: text}}
		}
		return t, nil
	}
	tmpl, err := template.New("").Parse(text)
	if err != nil {
		return Template{}, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "template: :"))
	}
	if tmpl.Tree == nil {
		return t, nil
	}
	for _, n := range tmpl.Tree.Root.Nodes {
		p, err := compile(n, env)
		if err != nil {
			return Template{}, err
		}
		if p.kind == literal && len(t.parts) > 0 && t.parts[len(t.parts)-1].kind == literal {
			t.parts[len(t.parts)-1].text += p.text
			continue
		}
		t.parts = append(t.parts, p)
	}
	return t, nil
}

func compile(n parse.Node, env Env) (part, error) {
	switch n := n.(type) {
	case *parse.TextNode:
		return part{kind: literal, text: string(n.Text)}, nil
	case *parse.ActionNode:
		if len(n.Pipe.Decl) == 0 && len(n.Pipe.Cmds) == 1 && len(n.Pipe.Cmds[0].Args) == 1 {
			if f, ok := n.Pipe.Cmds[0].Args[0].(*parse.FieldNode); ok {
				return field(f.Ident, n.String(), env)
			}
		}
		return part{}, fmt.Errorf("%s: only the fields %s can be used in a template", n, Fields)
	}
	return part{}, fmt.Errorf("%s: only the fields %s can be used in a template", n, Fields)
}

func field(ident []string, written string, env Env) (part, error) {
	switch {
	case len(ident) == 1 && ident[0] == "Seq":
		return part{kind: seqField}, nil
	case len(ident) == 1 && ident[0] == "UUID":
		return part{kind: uuidField}, nil
	case len(ident) == 1 && ident[0] == "Now":
		return part{kind: nowField}, nil
	case len(ident) == 1 && ident[0] == "Index":
		return part{kind: literal, text: strconv.Itoa(env.Index)}, nil
	case len(ident) == 2 && ident[0] == "Data":
		if env.Data == nil || len(env.Data.Rows) == 0 {
			return part{}, fmt.Errorf("%s: %w; add data: {rows: [...]} or data: {csv: FILE}", written, ErrNoData)
		}
		col := slices.Index(env.Data.Columns, ident[1])
		if col < 0 {
			return part{}, fmt.Errorf("%s: the data has no column %q; %s", written, ident[1], columnList(env.Data.Columns))
		}
		return part{kind: dataField, col: col}, nil
	}
	return part{}, fmt.Errorf("%s: unknown field; the fields are %s", written, Fields)
}

// maxListed bounds the columns an error lists, and the length of each.
const maxListed, maxColumnName = 20, 40

// columnList says what the data's columns are, for an error about a column
// it lacks; when they do not look like column names (a file whose first
// line is not a header, say /etc/passwd), it does not quote them, so that
// an error never shows a line of a file it was not meant to read.
func columnList(cols []string) string {
	if len(cols) > maxListed {
		return fmt.Sprintf("it has %d columns (is its first line the column names?)", len(cols))
	}
	for _, c := range cols {
		if !looksLikeName(c) {
			return "its first line does not look like column names (letters, digits, _ and -, each up to 40 characters, separated by commas)"
		}
	}
	return "its columns: " + strings.Join(cols, ", ")
}

// looksLikeName reports whether s could be a column's name.
func looksLikeName(s string) bool {
	if s == "" || len(s) > maxColumnName {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r == ' ' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// String returns the template as written.
func (t Template) String() string { return t.source }

// IsZero reports whether the template is empty.
func (t Template) IsZero() bool { return len(t.parts) == 0 }

// Static reports whether the template has no fields: it always expands to
// the same text.
func (t Template) Static() bool {
	return len(t.parts) == 0 || len(t.parts) == 1 && t.parts[0].kind == literal
}

// Append appends the template expanded for operation seq to b. It
// allocates only when b must grow.
func (t Template) Append(b []byte, seq uint64) []byte {
	for _, p := range t.parts {
		switch p.kind {
		case literal:
			b = append(b, p.text...)
		case seqField:
			b = strconv.AppendUint(b, seq, 10)
		case uuidField:
			b = AppendUUID(b, t.env.Seed, seq)
		case nowField:
			b = time.Now().UTC().AppendFormat(b, time.RFC3339Nano)
		case dataField:
			rows := t.env.Data.Rows
			b = append(b, rows[seq%uint64(len(rows))][p.col]...)
		}
	}
	return b
}

// Expand returns the template expanded for operation seq.
func (t Template) Expand(seq uint64) string {
	switch {
	case len(t.parts) == 0:
		return ""
	case t.Static():
		return t.parts[0].text
	}
	return string(t.Append(nil, seq))
}

// AppendUUID appends operation seq's UUID: a version 4 UUID whose 122
// random bits are drawn from (seed, seq), so every strategy, and every run
// with the seed, gives operation seq the same one.
func AppendUUID(b []byte, seed, seq uint64) []byte {
	hi := draws.SplitMix(seed ^ draws.SplitMix(seq))
	lo := draws.SplitMix(hi ^ draws.Golden)
	hi = hi&^(0xf<<12) | 0x4<<12 // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	var raw [16]byte
	for i := range 8 {
		raw[i] = byte(hi >> (56 - 8*i))
		raw[8+i] = byte(lo >> (56 - 8*i))
	}
	const hex = "0123456789abcdef"
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&0xf])
	}
	return b
}
