package strictyaml

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fanbench/fanbench/internal/suggest"
)

// The decoder walks the yaml.Node tree against the Go types by reflection,
// rather than using yaml.Unmarshal into the structs, because it must report
// every problem at once, each at its line, and remember where every field
// was written so that validation can point at lines too.

// maxNodes bounds the values one document may expand to. Real files hold a
// few hundred; aliases of aliases could otherwise make billions.
const maxNodes = 100_000

// Decoder decodes one document into Go values by their yaml tags, strictly:
// unknown keys (with did-you-mean), values of the wrong type, duplicate keys
// and every other problem are gathered in Errs, each at its line and
// column, rather than stopping at the first.
type Decoder struct {
	File string
	Errs Errors
	// Pos is where each decoded field path was written: the value for a
	// scalar field, the key for a mapping, a list or an entry of a map.
	Pos map[string]Pos
	// Bad holds the paths whose value failed to decode, so that validation
	// does not report the same mistake again as a missing value.
	Bad map[string]bool
	// IgnorePrefix starts the top-level keys that are not decoded: a place
	// to define anchors for the rest of the file (x-slow: &slow {latency:
	// 2s}), as in Docker Compose files. Empty: none are ignored.
	IgnorePrefix string

	active  map[*yaml.Node]bool // anchors being expanded
	aliased bool                // some alias was expanded
	budget  int
}

// New returns a decoder for the named file.
func New(file string) *Decoder {
	return &Decoder{
		File:   file,
		Pos:    make(map[string]Pos),
		Bad:    make(map[string]bool),
		active: make(map[*yaml.Node]bool),
		budget: maxNodes,
	}
}

// Unmarshaler is a type that decodes itself from a node, in a shape the
// reflective walk does not know: a mapping read into an ordered list, or a
// mapping whose keys depend on one of its values. It reports its problems
// with d.Failf and decodes its parts with d.Value, so that positions,
// budgets and aliases work as everywhere else.
type Unmarshaler interface {
	UnmarshalStrictYAML(d *Decoder, n *yaml.Node, path string)
}

// Former is a type that names its accepted spellings, for "expected X, got
// Y" messages: "a duration such as 250ms".
type Former interface {
	YAMLForm() string
}

// TextOnly is a struct type written only as text (a threshold, a hedge
// delay): a mapping in its place is reported as such, not decoded field by
// field (whose Go field names would appear in the message).
type TextOnly interface {
	Former
	YAMLTextOnly()
}

// Failf records a problem at the node n, for the field at path. Validation
// then stays quiet about that path and below it; a problem at the root path
// "" (a second document, too many values) silences it altogether.
func (d *Decoder) Failf(n *yaml.Node, path, format string, args ...any) {
	d.Bad[path] = true
	d.Errs = append(d.Errs, &Error{File: d.File, Line: n.Line, Column: n.Column,
		Path: path, Msg: fmt.Sprintf(format, args...)})
}

// spend counts one node against the budget and says whether to go on.
func (d *Decoder) spend(n *yaml.Node) bool {
	d.budget--
	if d.budget == -1 {
		if d.aliased {
			d.Failf(n, "", "%v, counting each alias as the values it repeats", errBudget)
		} else {
			d.Failf(n, "", "%v", errBudget)
		}
	}
	return d.budget >= 0
}

// Record remembers where the field at path was written.
func (d *Decoder) Record(path string, p Pair) {
	if v := Resolve(p.Value); v.Kind == yaml.ScalarNode && !IsNull(v) {
		d.Pos[path] = PosOf(p.Value)
		return
	}
	d.Pos[path] = PosOf(p.Key)
}

var (
	unmarshaler     = reflect.TypeFor[encoding.TextUnmarshaler]()
	selfUnmarshaler = reflect.TypeFor[Unmarshaler]()
	former          = reflect.TypeFor[Former]()
	textOnly        = reflect.TypeFor[TextOnly]()
)

// formOf returns the spelling a type names for itself, if it does.
func formOf(t reflect.Type) (string, bool) {
	switch {
	case t.Implements(former):
		return reflect.Zero(t).Interface().(Former).YAMLForm(), true
	case reflect.PointerTo(t).Implements(former):
		return reflect.New(t).Interface().(Former).YAMLForm(), true
	}
	return "", false
}

func isTextOnly(t reflect.Type) bool {
	return t.Implements(textOnly) || reflect.PointerTo(t).Implements(textOnly)
}

// Value decodes n into v, which must be addressable, as the field at path.
func (d *Decoder) Value(n *yaml.Node, v reflect.Value, path string) {
	if !d.spend(n) {
		return
	}
	if n.Kind == yaml.AliasNode {
		d.alias(n, path, func(target *yaml.Node) { d.Value(target, v, path) })
		return
	}
	if IsNull(n) {
		return // absent: the zero value, then the defaults
	}
	t := v.Type()
	switch {
	case reflect.PointerTo(t).Implements(selfUnmarshaler):
		v.Addr().Interface().(Unmarshaler).UnmarshalStrictYAML(d, n, path)
		return
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.Value(n, v.Elem(), path)
		return
	case reflect.PointerTo(t).Implements(unmarshaler) && n.Kind == yaml.ScalarNode:
		u := v.Addr().Interface().(encoding.TextUnmarshaler)
		if err := u.UnmarshalText([]byte(n.Value)); err != nil {
			d.Failf(n, path, "%v", err)
		}
		return
	case isTextOnly(t) && n.Kind != yaml.ScalarNode:
		form, _ := formOf(t)
		d.Failf(n, path, "expected %s, got %s", form, Describe(n))
		return
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		d.Struct(n, v, path)
		return
	}
	if form, ok := formOf(t); ok {
		d.Failf(n, path, "expected %s, got %s", form, Describe(n))
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.Failf(n, path, "expected a mapping with the keys %s, got %s", strings.Join(fieldsOf(t).names, ", "), Describe(n))
	case reflect.Slice:
		d.list(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	default:
		if n.Kind != yaml.ScalarNode {
			d.Failf(n, path, "expected %s, got %s", scalarForm(t), Describe(n))
			return
		}
		if err := setScalar(n.Value, v); err != nil {
			d.Failf(n, path, "%v", err)
		}
	}
}

// fields is the yaml spelling of a struct's fields.
type fields struct {
	index map[string]int // key → field index
	names []string       // keys in declaration order
}

// Keys lists the keys of a struct type, in declaration order.
func Keys(t reflect.Type) []string { return fieldsOf(t).names }

// fieldsOf lists the keys of a struct from its yaml tags; a field tagged
// "-" has no key, an untagged one is spelled in lower case.
func fieldsOf(t reflect.Type) fields {
	fs := fields{index: make(map[string]int)}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fs.index[name] = i
		fs.names = append(fs.names, name)
	}
	return fs
}

// Struct decodes a mapping into the struct v, key by key.
func (d *Decoder) Struct(n *yaml.Node, v reflect.Value, path string) {
	fs := fieldsOf(v.Type())
	for _, p := range d.Pairs(n, path) {
		key := p.Key.Value
		if path == "" && d.IgnorePrefix != "" && strings.HasPrefix(key, d.IgnorePrefix) {
			continue
		}
		i, ok := fs.index[key]
		if !ok {
			d.Failf(p.Key, Join(path, key), "unknown key%s", suggest.Choices(key, "allowed", fs.names))
			if c := suggest.Closest(key, fs.names); c != "" {
				// The user meant that key: stay quiet about its absence.
				d.Bad[Join(path, c)] = true
			}
			continue
		}
		fp := Join(path, key)
		d.Record(fp, p)
		d.Value(p.Value, v.Field(i), fp)
	}
}

// list decodes a sequence into a slice.
func (d *Decoder) list(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.Failf(n, path, "expected a list, got %s", Describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		fp := fmt.Sprintf("%s[%d]", path, i)
		d.Pos[fp] = PosOf(item)
		d.Value(item, s.Index(i), fp)
	}
	v.Set(s)
}

// mapping decodes a mapping into a map whose keys are scalars (int, string).
func (d *Decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.Failf(n, path, "expected a mapping, got %s", Describe(n))
		return
	}
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(t, len(n.Content)/2))
	}
	for _, p := range d.Pairs(n, path) {
		k := reflect.New(t.Key()).Elem()
		if err := setScalar(p.Key.Value, k); err != nil {
			d.Failf(p.Key, Join(path, p.Key.Value), "%v", err)
			continue
		}
		// The path spells the key as decoded: errors.0x1F7 is errors.503.
		fp := Join(path, fmt.Sprint(k.Interface()))
		if v.MapIndex(k).IsValid() {
			d.Failf(p.Key, fp, "duplicate key; %v is set twice", k.Interface())
			continue
		}
		e := reflect.New(t.Elem()).Elem()
		d.Pos[fp] = PosOf(p.Key) // a complaint about an entry is about its key
		d.Value(p.Value, e, fp)
		v.SetMapIndex(k, e)
	}
}

// scalarForm names what a scalar of kind t looks like.
func scalarForm(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer of 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a value of type " + t.String()
}

// setScalar parses text into v, a string, bool or number.
func setScalar(text string, v reflect.Value) error {
	t := v.Type()
	bad := func() error { return fmt.Errorf("expected %s, got %q", scalarForm(t), text) }
	switch t.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Bool:
		switch text {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			return bad()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := parseInt(text)
		if errors.Is(err, strconv.ErrRange) || err == nil && v.OverflowInt(i) {
			return fmt.Errorf("%s is out of range for an integer of %d bits", text, t.Bits())
		}
		if err != nil {
			return bad()
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(text, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			u, err = strconv.ParseUint(text, 0, 64)
		}
		if errors.Is(err, strconv.ErrRange) || err == nil && v.OverflowUint(u) {
			return fmt.Errorf("%s is out of range for an integer of %d bits", text, t.Bits())
		}
		if err != nil {
			return bad()
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(text, t.Bits())
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bad()
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("cannot decode %q into %s", text, t)
	}
	return nil
}

// parseInt reads decimal first, so that 017 is seventeen, then the 0x, 0o
// and 0b forms.
func parseInt(text string) (int64, error) {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return i, nil
	}
	return strconv.ParseInt(text, 0, 64)
}
