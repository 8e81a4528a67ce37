package scenarios

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fanbench/fanbench/internal/strictyaml"
	"github.com/fanbench/fanbench/internal/suggest"
	"github.com/fanbench/fanbench/strategies"
)

// Strategy names a strategy to run, with its options. In YAML it is either
// a bare name (fanout) or a mapping of the name, an optional label and the
// strategy's own options ({name: pooled, workers: 8}); the options are the
// strategy's registered Options type (see strategies.Register), so a key
// of another strategy's is an error, not a silent no-op.
type Strategy struct {
	Name string
	// Label names the entry in results and reports; default Name. Two
	// entries of one strategy with different options need labels apart,
	// such as {name: pooled, label: pooled-4, workers: 4}.
	Label string
	// Options are the strategy's options, defaults filled in; nil until
	// validation fills it for an entry built in code.
	Options strategies.Options
}

// NewStrategy returns an entry for the named strategy with the default
// options, as a file that names it bare gets.
func NewStrategy(name string) Strategy {
	s := Strategy{Name: name}
	if d, ok := strategies.Lookup(name); ok {
		s.Options = d.Defaults()
	}
	return s
}

// OptionsOrDefaults returns the entry's options, or the strategy's
// defaults for an entry built in code without them; nil for an unknown
// strategy.
func (s *Strategy) OptionsOrDefaults() strategies.Options {
	if s.Options != nil {
		return s.Options
	}
	return NewStrategy(s.Name).Options
}

// Title is the entry's name in results: its label, or its strategy name.
func (s *Strategy) Title() string {
	if s.Label != "" {
		return s.Label
	}
	return s.Name
}

// YAMLForm names the spellings of a strategy entry, for the loader's
// messages.
func (Strategy) YAMLForm() string {
	return "a strategy name such as fanout or a mapping such as {name: pooled, workers: 8}"
}

// UnmarshalStrictYAML reads a bare name or a mapping: the name first, so
// that the other keys decode into that strategy's options, defaults filled
// in for the keys left out. An unknown or missing name is left for
// validation to report, with the options unread.
func (s *Strategy) UnmarshalStrictYAML(d *strictyaml.Decoder, n *yaml.Node, path string) {
	n = strictyaml.Resolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		*s = NewStrategy(n.Value)
		return
	case yaml.MappingNode:
	default:
		d.Failf(n, path, "expected %s, got %s", s.YAMLForm(), strictyaml.Describe(n))
		return
	}
	pairs := d.Pairs(n, path)
	var rest []strictyaml.Pair
	for _, p := range pairs {
		fp := strictyaml.Join(path, p.Key.Value)
		switch p.Key.Value {
		case "name":
			d.Record(fp, p)
			d.Value(p.Value, reflect.ValueOf(&s.Name).Elem(), fp)
		case "label":
			d.Record(fp, p)
			d.Value(p.Value, reflect.ValueOf(&s.Label).Elem(), fp)
		default:
			rest = append(rest, p)
		}
	}
	def, ok := strategies.Lookup(s.Name)
	if !ok {
		for _, p := range rest { // recorded, so that validation can see what was written
			d.Record(strictyaml.Join(path, p.Key.Value), p)
		}
		return
	}
	s.Options = def.Defaults()
	opts := reflect.ValueOf(s.Options).Elem()
	keys := def.OptionKeys()
	for _, p := range rest {
		key := p.Key.Value
		fp := strictyaml.Join(path, key)
		i := fieldIndex(opts.Type(), key)
		if i < 0 {
			if owners := strategies.Owners(key); len(owners) > 0 {
				at := p.Key // at the value, when it is one
				if v := strictyaml.Resolve(p.Value); v.Kind == yaml.ScalarNode && !strictyaml.IsNull(v) {
					at = p.Value
				}
				d.Failf(at, fp, "applies to %s only, not to %s", strings.Join(owners, " and "), s.Name)
				continue
			}
			d.Failf(p.Key, fp, "unknown key%s", suggest.Choices(key, "allowed", append([]string{"name", "label"}, keys...)))
			continue
		}
		d.Record(fp, p)
		d.Value(p.Value, opts.Field(i), fp)
	}
}

// fieldIndex returns the index of the field of struct t whose yaml key is
// key, or -1.
func fieldIndex(t reflect.Type, key string) int {
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name == key && t.Field(i).IsExported() {
			return i
		}
	}
	return -1
}

// MarshalJSON writes the entry as a file would, flat: the name, the label
// if any, then the options (as their json tags spell them).
func (s Strategy) MarshalJSON() ([]byte, error) {
	head := struct {
		Name  string `json:"name"`
		Label string `json:"label,omitempty"`
	}{s.Name, s.Label}
	b, err := json.Marshal(head)
	if err != nil || s.Options == nil {
		return b, err
	}
	opts, err := json.Marshal(s.Options)
	if err != nil {
		return nil, err
	}
	if opts = bytes.TrimSpace(opts); len(opts) <= 2 { // {}
		return b, nil
	}
	return append(append(b[:len(b)-1], ','), opts[1:]...), nil
}
