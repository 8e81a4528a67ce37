package mockupstream

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/fanbench/fanbench/units"
)

// fields lists the Field of every *FieldError joined in err, sorted.
func fields(err error) []string {
	var out []string
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		if fe, ok := errors.AsType[*FieldError](e); ok {
			out = append(out, fe.Field)
		} else if e != nil {
			out = append(out, "not a *FieldError: "+e.Error())
		}
	}
	slices.Sort(out)
	return out
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Config
		want []string // fields blamed; nil for a valid config
	}{
		{"zero", Config{}, nil},
		{"fixed", Config{Latency: Latency{Dist: DistFixed, Value: ms(20)}}, nil},
		{"uniform", uniformConfig(ms(10), ms(30)), nil},
		{"errors at 100%", Config{Errors: map[int]units.Fraction{500: 0.25, 503: 0.75}}, nil},
		{"unknown dist", Config{Latency: Latency{Dist: "normal"}}, []string{"latency.dist"}},
		{"max below min", uniformConfig(ms(30), ms(10)), []string{"latency.max"}},
		{"uniform with value", Config{Latency: Latency{Dist: DistUniform, Value: ms(1)}}, []string{"latency.value"}},
		{"fixed with min", Config{Latency: Latency{Min: ms(1)}}, []string{"latency"}},
		{"negative value", Config{Latency: Latency{Value: units.Duration(-time.Second)}}, []string{"latency.value"}},
		{"status 200", Config{Errors: map[int]units.Fraction{200: 0.1}}, []string{"errors.200"}},
		{"status 600", Config{Errors: map[int]units.Fraction{600: 0.1}}, []string{"errors.600"}},
		{"over 100%", Config{Errors: map[int]units.Fraction{500: 0.6, 503: 0.5}}, []string{"errors"}},
		{"negative probability", Config{Errors: map[int]units.Fraction{503: -0.1}}, []string{"errors.503"}},
		{"NaN probability", Config{Errors: map[int]units.Fraction{503: units.Fraction(math.NaN())}}, []string{"errors.503"}},
		{"every problem at once", Config{
			Latency: Latency{Dist: "zipf"},
			Errors:  map[int]units.Fraction{302: 0.6, 503: 0.6},
		}, []string{"errors", "errors.302", "latency.dist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(tt.c)
			if got := fields(err); !slices.Equal(got, tt.want) {
				t.Errorf("Compile(%+v) blames %q, want %q (error: %v)", tt.c, got, tt.want, err)
			}
		})
	}
}

func TestStartRefusesBadConfig(t *testing.T) {
	t.Parallel()
	srv, err := Start(Options{Name: "x", Config: uniformConfig(ms(2), ms(1))})
	if srv != nil {
		srv.Close()
	}
	if got := fields(err); !slices.Equal(got, []string{"latency.max"}) {
		t.Errorf("Start with max < min: error %v blames %q, want [latency.max]", err, got)
	}
}

func TestConfigJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Config
	}{
		{"object", `{"latency":{"dist":"uniform","min":"10ms","max":"30ms"},"errors":{"503":"1%"}}`,
			Config{Latency: Latency{Dist: DistUniform, Min: ms(10), Max: ms(30)}, Errors: map[int]units.Fraction{503: 0.01}}},
		{"shorthand", `{"latency":"200ms"}`, Config{Latency: Latency{Dist: DistFixed, Value: ms(200)}}},
		{"fixed object", `{"latency":{"value":"5ms"}}`, Config{Latency: Latency{Value: ms(5)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got Config
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("json.Unmarshal(%s) = %+v, %v; want %+v, nil", tt.in, got, err, tt.want)
			}
			// What the result file writes must read back the same.
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("json.Marshal(%+v): %v", got, err)
			}
			var back Config
			if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, got) {
				t.Errorf("round trip through %s = %+v, %v; want %+v, nil", out, back, err, got)
			}
		})
	}
	var c Config
	if err := json.Unmarshal([]byte(`{"latency":"200"}`), &c); err == nil {
		t.Errorf(`json.Unmarshal({"latency":"200"}) = nil error, want an error asking for a unit`)
	}
}
