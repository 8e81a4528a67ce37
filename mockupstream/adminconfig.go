package mockupstream

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// maxProblems bounds the problems one PUT reports.
const maxProblems = 100

// decodeConfig reads a Config from the JSON body of PUT /__fanbench/config,
// strictly: it reports every unknown field (encoding/json matches keys
// without regard to case and stops at the first unknown one; this does
// neither) and every value of the wrong type, each with its field path in
// the file spelling ("latency.max", "errors.503"). A JSON number where a
// value is read from text (a fraction, a rate, a duration) is read as its
// text, so {"503": 0.01} means what errors: {503: 0.01} means in a scenario
// file. The Config is not validated; SetConfig does that.
func decodeConfig(data []byte) (Config, []problem) {
	var c Config
	if len(bytes.TrimSpace(data)) == 0 {
		return c, []problem{{Message: `the body is empty; send a JSON Config, such as {"latency": "20ms", "errors": {"503": "1%"}}`}}
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return c, []problem{{Message: "invalid JSON: " + jsonErrorText(err)}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return c, []problem{{Message: fmt.Sprintf("invalid JSON: more data after the Config, at byte %d; send one object", dec.InputOffset())}}
	}
	if _, ok := tree.(map[string]any); !ok {
		return c, []problem{{Message: "expected a JSON object (a Config), got " + jsonKind(tree)}}
	}
	w := walker{}
	tree = w.value(tree, reflect.TypeFor[Config](), "")
	if len(w.problems) > 0 {
		return Config{}, w.problems
	}
	// The walk found nothing wrong; decode the tree it leaves (numbers
	// turned to text) for real, still strictly, in case a type decodes in a
	// way the walk cannot foresee.
	data, err := json.Marshal(tree)
	if err != nil {
		return Config{}, []problem{{Message: err.Error()}}
	}
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		field := ""
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			field = te.Field
		}
		return Config{}, []problem{{Field: field, Message: jsonErrorText(err)}}
	}
	return c, nil
}

// jsonErrorText drops the "json: " prefix of encoding/json's messages.
func jsonErrorText(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// walker checks a decoded JSON tree against a Go type, collecting problems.
type walker struct{ problems []problem }

func (w *walker) addf(path, format string, args ...any) {
	if len(w.problems) == maxProblems {
		w.problems = append(w.problems, problem{Message: "too many problems; fix the ones above first"})
	}
	if len(w.problems) > maxProblems {
		return
	}
	w.problems = append(w.problems, problem{Field: path, Message: fmt.Sprintf(format, args...)})
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value checks the JSON value v against type t at path, and returns it
// with the numbers meant for text turned into strings. An object meant for
// a struct must use the struct's json keys, spelled exactly; a type that
// reads itself (UnmarshalJSON, UnmarshalText) and is given anything else,
// and every scalar, is decoded on its own to see whether it fits.
func (w *walker) value(v any, t reflect.Type, path string) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil // null leaves the zero value
	}
	if n, ok := v.(json.Number); ok && reflect.PointerTo(t).Implements(textUnmarshaler) {
		v = n.String()
	}
	custom := reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)
	obj, isObj := v.(map[string]any)
	switch {
	case t.Kind() == reflect.Struct && isObj:
		w.object(obj, t, path)
	case custom:
		w.leaf(v, t, path)
	case t.Kind() == reflect.Map:
		if !isObj {
			w.addf(path, "expected a JSON object, got %s", jsonKind(v))
			return v
		}
		w.mapping(obj, t, path)
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		list, ok := v.([]any)
		if !ok {
			w.addf(path, "expected a JSON array, got %s", jsonKind(v))
			return v
		}
		for i, item := range list {
			list[i] = w.value(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case t.Kind() == reflect.Struct:
		w.addf(path, "expected a JSON object with the keys %s, got %s", strings.Join(jsonKeys(t), ", "), jsonKind(v))
	case t.Kind() == reflect.Interface:
	default:
		w.leaf(v, t, path)
	}
	return v
}

// object checks the members of a JSON object against the fields of struct t.
func (w *walker) object(obj map[string]any, t reflect.Type, path string) {
	keys := jsonKeys(t)
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names) // a stable order for the problems
	for _, k := range names {
		fp := joinPath(path, k)
		i := slices.Index(keys, k)
		if i < 0 {
			w.addf(fp, "unknown field; allowed: %s", strings.Join(keys, ", "))
			continue
		}
		f, _ := fieldByJSONName(t, k)
		obj[k] = w.value(obj[k], f.Type, fp)
	}
}

// mapping checks the keys of a JSON object against the key type of map t,
// and its values against the element type.
func (w *walker) mapping(obj map[string]any, t reflect.Type, path string) {
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		fp := joinPath(path, k)
		switch t.Key().Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if _, err := strconv.ParseInt(k, 10, t.Key().Bits()); err != nil {
				w.addf(fp, "key %q is not an integer", k)
				continue
			}
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if _, err := strconv.ParseUint(k, 10, t.Key().Bits()); err != nil {
				w.addf(fp, "key %q is not an integer of 0 or more", k)
				continue
			}
		}
		obj[k] = w.value(obj[k], t.Elem(), fp)
	}
}

// leaf decodes v alone into a new value of type t.
func (w *walker) leaf(v any, t reflect.Type, path string) {
	raw, err := json.Marshal(v) // json.Number keeps its text
	if err != nil {
		w.addf(path, "%v", err)
		return
	}
	if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field == "" {
			w.addf(path, "expected %s, got %s", goForm(t), jsonKind(v))
			return
		}
		w.addf(path, "%s", jsonErrorText(err))
	}
}

// goForm names what JSON a type takes, for "expected X" messages.
func goForm(t reflect.Type) string {
	if reflect.PointerTo(t).Implements(textUnmarshaler) && !reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return "a JSON string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a JSON string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("an integer that fits in %d bits", t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("an integer of 0 or more that fits in %d bits", t.Bits())
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a value of type " + t.String()
}

// jsonKind names a decoded JSON value for "got X" messages.
func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return "the number " + v.String()
	case string:
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return "the string " + strconv.Quote(v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonKeys lists the JSON keys of struct t, in declaration order; embedded
// structs without a tag contribute their own keys, as in encoding/json.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Tag.Get("json") == "" && f.Type.Kind() == reflect.Struct {
			keys = append(keys, jsonKeys(f.Type)...)
			continue
		}
		if name := jsonFieldName(f); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

// fieldByJSONName finds the field of struct t spelled key in JSON.
func fieldByJSONName(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Tag.Get("json") == "" && f.Type.Kind() == reflect.Struct {
			if sf, ok := fieldByJSONName(f.Type, key); ok {
				return sf, true
			}
			continue
		}
		if jsonFieldName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonFieldName is the key of a field as encoding/json spells it: the json
// tag, or the Go name; "" for a field JSON leaves out.
func jsonFieldName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
