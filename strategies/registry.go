package strategies

import (
	"cmp"
	"context"
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/fanbench/fanbench/internal/suggest"
)

// Options are one strategy's options: a pointer to a struct whose yaml
// tags are the keys a scenario file writes beside the strategy's name
// ({name: pooled, workers: 8}) and whose json tags are how a result
// records them. The struct's fields are plain values; the Definition's
// Defaults returns them filled in, and a file overrides what it writes.
type Options interface {
	// Validate reports every problem of the options at once, each as a
	// *draws.FieldError whose Field is the option's key, joined with
	// errors.Join; nil when they are valid.
	Validate() error
	// New returns the strategy, sending its calls through caller. A
	// strategy that runs goroutines of its own implements io.Closer.
	New(caller Caller, env Env) (Strategy, error)
}

// Env is what a strategy may need of the run beyond its options.
type Env struct {
	// Policies are the upstreams' call policies in force, by upstream
	// index (the hedged strategy reads each upstream's own hedging).
	Policies []Policy
	// Context bounds what a strategy starts before the load (a broker's
	// server or connection); nil for context.Background().
	Context context.Context
	// Scenario is the scenario's name, Label the strategy entry's title
	// and RunID a token unique to the run (a broker names its stream
	// from them).
	Scenario, Label, RunID string
}

// Checker is Options that depend on something outside the process (an
// external broker): Check makes sure it answers, so that the runner can
// fail a run before any load rather than halfway through.
type Checker interface {
	Check(ctx context.Context) error
}

// SecretOptions are Options that hold credentials (a broker's password or
// token): the scenario keeps Secrets out of every output, and records
// Redacted in results.
type SecretOptions interface {
	Options
	Secrets() []string
	Redacted() Options
}

// Definition registers one strategy: its name, what it is, and its options.
type Definition struct {
	// Name is how scenario files, results and the CLI name the strategy.
	Name string
	// Doc says in one line what the strategy does, for help and schemas.
	Doc string
	// Rank orders the strategies as they are usually compared: the
	// baseline first.
	Rank int
	// Defaults returns the options with every default filled in; a file
	// that names the strategy bare runs with them.
	Defaults func() Options
}

var registry struct {
	sync.RWMutex
	defs map[string]Definition
}

// Register adds a strategy; each strategy's file calls it from init. A
// second definition of one name is a programming error, and panics.
func Register(d Definition) {
	if d.Name == "" || d.Defaults == nil || reflect.TypeOf(d.Defaults()).Kind() != reflect.Pointer {
		panic(fmt.Sprintf("strategies.Register: %q needs a name and Defaults returning a pointer", d.Name))
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.defs == nil {
		registry.defs = map[string]Definition{}
	}
	if _, dup := registry.defs[d.Name]; dup {
		panic("strategies.Register: " + d.Name + " is registered twice")
	}
	registry.defs[d.Name] = d
}

// Lookup returns the definition of the named strategy.
func Lookup(name string) (Definition, bool) {
	registry.RLock()
	defer registry.RUnlock()
	d, ok := registry.defs[name]
	return d, ok
}

// Definitions lists every strategy, in the order they are usually compared.
func Definitions() []Definition {
	registry.RLock()
	defs := make([]Definition, 0, len(registry.defs))
	for _, d := range registry.defs {
		defs = append(defs, d)
	}
	registry.RUnlock()
	slices.SortFunc(defs, func(a, b Definition) int { return cmp.Or(cmp.Compare(a.Rank, b.Rank), strings.Compare(a.Name, b.Name)) })
	return defs
}

// Names lists the strategies' names, in the order they are usually compared.
func Names() []string {
	var names []string
	for _, d := range Definitions() {
		names = append(names, d.Name)
	}
	return names
}

// New returns the named strategy with opts (nil: its defaults), sending its
// calls through caller.
func New(name string, opts Options, caller Caller, env Env) (Strategy, error) {
	d, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown strategy %q%s", name, suggest.Choices(name, "known", Names()))
	}
	if opts == nil {
		opts = d.Defaults()
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return opts.New(caller, env)
}

// OptionKeys lists the keys of a strategy's options, as a file writes them,
// in declaration order.
func (d Definition) OptionKeys() []string {
	var keys []string
	t := reflect.TypeOf(d.Defaults()).Elem()
	for i := range t.NumField() {
		if k := optionKey(t.Field(i)); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// Owners lists the strategies whose options have the key, in order.
func Owners(key string) []string {
	var out []string
	for _, d := range Definitions() {
		if slices.Contains(d.OptionKeys(), key) {
			out = append(out, d.Name)
		}
	}
	return out
}

// Describe lists the options, spelled as a file writes them, for a
// result's record of what a strategy ran with.
func Describe(opts Options) map[string]string {
	if opts == nil {
		return nil
	}
	out := map[string]string{}
	v := reflect.ValueOf(opts).Elem()
	for i := range v.NumField() {
		key := optionKey(v.Type().Field(i))
		if key == "" {
			continue
		}
		f := v.Field(i)
		if f.Kind() == reflect.Pointer && f.IsNil() {
			continue
		}
		if z, ok := f.Interface().(interface{ IsZero() bool }); ok && f.Kind() == reflect.Struct && z.IsZero() {
			continue // a nested default (the in-process broker): nothing to say
		}
		switch x := f.Interface().(type) {
		case encoding.TextMarshaler:
			text, err := x.MarshalText()
			if err != nil || len(text) == 0 { // empty: not set (wait_for: all)
				continue
			}
			out[key] = string(text)
		case fmt.Stringer:
			out[key] = x.String()
		case bool:
			out[key] = strconv.FormatBool(x)
		default:
			out[key] = fmt.Sprint(x)
		}
	}
	return out
}

// optionKey is a field's key in a file: its yaml tag; "" for a field the
// file does not write.
func optionKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if !f.IsExported() || name == "-" || name == "" {
		return ""
	}
	return name
}
