package strategies

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/fanbench/fanbench/draws"
)

// Every registered strategy's defaults are valid, build a strategy of
// that name, and spell their keys in snake_case with a json twin.
func TestRegistryDefinitions(t *testing.T) {
	t.Parallel()
	if got, want := Names(), []string{"sequential", "fanout", "pooled", "queued", "hedged"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	for _, d := range Definitions() {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			if d.Doc == "" {
				t.Error("no Doc")
			}
			opts := d.Defaults()
			if err := opts.Validate(); err != nil {
				t.Errorf("Defaults().Validate() = %v", err)
			}
			if d.Defaults() == opts {
				t.Error("Defaults returns one shared value; each call must return a fresh one")
			}
			s, err := New(d.Name, nil, nopCaller{}, Env{})
			if err != nil {
				t.Fatalf("New(%q) = %v", d.Name, err)
			}
			if c, ok := s.(interface{ Close() error }); ok {
				defer c.Close()
			}
			if s.Name() != d.Name {
				t.Errorf("New(%q).Name() = %q", d.Name, s.Name())
			}
			ty := reflect.TypeOf(opts).Elem()
			for i := range ty.NumField() {
				f := ty.Field(i)
				if key := optionKey(f); key != "" && f.Tag.Get("json") == "" {
					t.Errorf("option %s has no json tag", key)
				}
			}
		})
	}
}

func TestOwnersAndKeys(t *testing.T) {
	t.Parallel()
	if got := Owners("when_full"); !slices.Equal(got, []string{"pooled", "queued"}) {
		t.Errorf("Owners(when_full) = %q", got)
	}
	if got := Owners("nothing"); got != nil {
		t.Errorf("Owners(nothing) = %q", got)
	}
	d, _ := Lookup("queued")
	if got := d.OptionKeys(); !slices.Equal(got, []string{"consumers", "capacity", "when_full", "drain", "broker"}) {
		t.Errorf("queued OptionKeys() = %q", got)
	}
}

// Describe spells the options as a file does, for a result's record.
func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want map[string]string
	}{
		{"sequential", map[string]string{"stop_on_critical_failure": "false"}},
		{"fanout", map[string]string{"fail_fast": "false"}},
		{"pooled", map[string]string{"workers": "32", "queue": "1024", "when_full": "block"}},
		{"queued", map[string]string{"consumers": "16", "capacity": "100000", "when_full": "block", "drain": "30s"}},
		{"hedged", map[string]string{"hedge_delay": "p95"}},
	}
	for _, tt := range tests {
		d, _ := Lookup(tt.name)
		if got := Describe(d.Defaults()); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Describe(%s defaults) = %v, want %v", tt.name, got, tt.want)
		}
	}
	if Describe(nil) != nil {
		t.Error("Describe(nil) is not nil")
	}
}

// Validation reports every bad option at once, each at its key.
func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts Options
		want []string
	}{
		{&PoolOptions{Workers: 0, Queue: -1, WhenFull: "blok"}, []string{"workers", "queue", "when_full"}},
		{&QueueOptions{Consumers: 1, Capacity: 1, WhenFull: WhenFullReject}, []string{"drain"}},
		{&HedgeOptions{HedgeDelay: HedgeDelay{Fixed: 1, Quantile: 0.5}}, []string{"hedge_delay"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range draws.FieldErrors(tt.opts.Validate()) {
			fe, ok := errors.AsType[*draws.FieldError](e)
			if !ok {
				t.Fatalf("%T.Validate(): %v is not a FieldError", tt.opts, e)
			}
			got = append(got, fe.Field)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v.Validate() blames %q, want %q", tt.opts, got, tt.want)
		}
	}
	if _, err := New("fanuot", nil, nopCaller{}, Env{}); err == nil || err.Error() != `unknown strategy "fanuot"; did you mean "fanout"? known: sequential, fanout, pooled, queued, hedged` {
		t.Errorf(`New("fanuot") = %v`, err)
	}
}
