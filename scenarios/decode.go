package scenarios

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/units"
)

// The decoder walks the yaml.Node tree against the Go types by reflection,
// rather than using yaml.Unmarshal into the structs, because it must report
// every problem at once, each at its line, and remember where every field
// was written so that validation can point at lines too.

// maxNodes bounds the values one document may expand to. Real scenarios
// hold a few hundred; aliases of aliases could otherwise make billions.
const maxNodes = 100_000

type decoder struct {
	file string
	errs Errors
	// pos is where each decoded field path was written: the value for a
	// scalar field, the key for a mapping, a list or an entry of a map.
	pos map[string]pos
	// bad holds the paths whose value failed to decode, so that validation
	// does not report the same mistake again as a missing value.
	bad    map[string]bool
	active map[*yaml.Node]bool // anchors being expanded
	budget int
}

func newDecoder(file string) *decoder {
	return &decoder{
		file:   file,
		pos:    make(map[string]pos),
		bad:    make(map[string]bool),
		active: make(map[*yaml.Node]bool),
		budget: maxNodes,
	}
}

// failf records a problem at the node n, for the field at path. Validation
// then stays quiet about that path and below it; a problem at the root path
// "" (a second document, too many values) silences it altogether.
func (d *decoder) failf(n *yaml.Node, path, format string, args ...any) {
	d.bad[path] = true
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Column: n.Column,
		Path: path, Msg: fmt.Sprintf(format, args...)})
}

// spend counts one node against the budget and says whether to go on.
func (d *decoder) spend(n *yaml.Node) bool {
	d.budget--
	if d.budget == -1 {
		d.failf(n, "", "%v", errBudget)
	}
	return d.budget >= 0
}

// record remembers where the field at path was written.
func (d *decoder) record(path string, p pair) {
	if v := resolve(p.value); v.Kind == yaml.ScalarNode && !isNull(v) {
		d.pos[path] = nodePos(p.value)
		return
	}
	d.pos[path] = nodePos(p.key)
}

var (
	scenarioType  = reflect.TypeFor[Scenario]()
	upstreamsType = reflect.TypeFor[Upstreams]()
	unmarshaler   = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// forms describes the accepted spellings of the types that read text, for
// "expected X" messages.
var forms = map[reflect.Type]string{
	reflect.TypeFor[units.Duration](): "a duration such as 250ms",
	reflect.TypeFor[units.Rate]():     "a rate such as 500/s",
	reflect.TypeFor[units.Fraction](): "a percentage such as 1%",
	reflect.TypeFor[draws.Latency]():  "a duration such as 200ms or a mapping such as {dist: uniform, min: 10ms, max: 30ms} or {p50: 40ms, p99: 300ms}",
	reflect.TypeFor[Strategy]():       "a strategy name such as fanout or a mapping such as {name: pooled, workers: 8}",
	reflect.TypeFor[HedgeDelay]():     "a duration such as 50ms or a percentile such as p95",
	reflect.TypeFor[HedgePolicy]():    "off, a duration such as 50ms or a percentile such as p95",
	reflect.TypeFor[StageTarget]():    "a rate such as 500/s or a number of users such as 50",
	reflect.TypeFor[SLO]():            `an objective such as "p99 < 300ms and error_rate < 1%"`,
	reflect.TypeFor[Threshold]():      `an assertion such as "p99 < 350ms"`,
}

// textOnly are the struct types written only as text: a mapping in their
// place is a mistake to report as such, not a struct to decode field by
// field (whose Go field names would appear in the message).
var textOnly = map[reflect.Type]bool{
	reflect.TypeFor[SLO]():         true,
	reflect.TypeFor[Threshold]():   true,
	reflect.TypeFor[HedgeDelay]():  true,
	reflect.TypeFor[HedgePolicy](): true,
	reflect.TypeFor[StageTarget](): true,
}

// value decodes n into v, which must be addressable.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if !d.spend(n) {
		return
	}
	if n.Kind == yaml.AliasNode {
		d.alias(n, path, func(target *yaml.Node) { d.value(target, v, path) })
		return
	}
	if isNull(n) {
		return // absent: the zero value, then the defaults
	}
	t := v.Type()
	switch {
	case t == upstreamsType:
		d.upstreams(n, v, path)
		return
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.value(n, v.Elem(), path)
		return
	case reflect.PointerTo(t).Implements(unmarshaler) && n.Kind == yaml.ScalarNode:
		u := v.Addr().Interface().(encoding.TextUnmarshaler)
		if err := u.UnmarshalText([]byte(n.Value)); err != nil {
			d.failf(n, path, "%v", err)
		}
		return
	case textOnly[t] && n.Kind != yaml.ScalarNode:
		d.failf(n, path, "expected %s, got %s", forms[t], describe(n))
		return
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		d.structure(n, v, path)
		return
	}
	if form, ok := forms[t]; ok {
		d.failf(n, path, "expected %s, got %s", form, describe(n))
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.failf(n, path, "expected a mapping with the keys %s, got %s", strings.Join(fieldsOf(t).names, ", "), describe(n))
	case reflect.Slice:
		d.list(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	default:
		if n.Kind != yaml.ScalarNode {
			d.failf(n, path, "expected %s, got %s", scalarForm(t), describe(n))
			return
		}
		if err := setScalar(n.Value, v); err != nil {
			d.failf(n, path, "%v", err)
		}
	}
}

// extensionPrefix starts the top-level keys that fanbench ignores, a place
// to define anchors for the rest of the file (x-slow: &slow {latency: 2s}),
// as in Docker Compose files.
const extensionPrefix = "x-"

// fields is the yaml spelling of a struct's fields.
type fields struct {
	index map[string]int // key → field index
	names []string       // keys in declaration order
}

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

// structure decodes a mapping into a struct, key by key.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	fs := fieldsOf(v.Type())
	for _, p := range d.pairs(n, path) {
		key := p.key.Value
		if path == "" && strings.HasPrefix(key, extensionPrefix) {
			continue
		}
		i, ok := fs.index[key]
		if !ok {
			d.failf(p.key, join(path, key), "unknown key%s", choices(key, "allowed", fs.names))
			if c := closest(key, fs.names); c != "" {
				// The user meant that key: stay quiet about its absence.
				d.bad[join(path, c)] = true
			}
			continue
		}
		fp := join(path, key)
		d.record(fp, p)
		d.value(p.value, v.Field(i), fp)
	}
}

// upstreams decodes the mapping of name to upstream into the slice, in file
// order, each Upstream named after its key.
func (d *decoder) upstreams(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.failf(n, path, "expected a mapping of upstream names to definitions, such as {profile: {mock: {latency: 200ms}}}, got %s", describe(n))
		return
	}
	var us Upstreams
	for _, p := range d.pairs(n, path) {
		u := Upstream{Name: p.key.Value}
		fp := join(path, u.Name)
		d.record(fp, p)
		d.value(p.value, reflect.ValueOf(&u).Elem(), fp)
		us = append(us, u)
	}
	v.Set(reflect.ValueOf(us))
}

// list decodes a sequence into a slice.
func (d *decoder) list(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.failf(n, path, "expected a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		fp := fmt.Sprintf("%s[%d]", path, i)
		d.pos[fp] = nodePos(item)
		d.value(item, s.Index(i), fp)
	}
	v.Set(s)
}

// mapping decodes a mapping into a map whose keys are scalars (int, string).
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.failf(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(t, len(n.Content)/2))
	}
	for _, p := range d.pairs(n, path) {
		k := reflect.New(t.Key()).Elem()
		if err := setScalar(p.key.Value, k); err != nil {
			d.failf(p.key, join(path, p.key.Value), "%v", err)
			continue
		}
		// The path spells the key as decoded: errors.0x1F7 is errors.503.
		fp := join(path, fmt.Sprint(k.Interface()))
		if v.MapIndex(k).IsValid() {
			d.failf(p.key, fp, "duplicate key; %v is set twice", k.Interface())
			continue
		}
		e := reflect.New(t.Elem()).Elem()
		d.pos[fp] = nodePos(p.key) // a complaint about an entry is about its key
		d.value(p.value, e, fp)
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
