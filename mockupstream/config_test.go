package mockupstream

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

// fields lists the Field of every *draws.FieldError joined in err, sorted.
func fields(err error) []string {
	var out []string
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		if fe, ok := errors.AsType[*draws.FieldError](e); ok {
			out = append(out, fe.Field)
		} else if e != nil {
			out = append(out, "not a *draws.FieldError: "+e.Error())
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
		{"fixed", Config{Latency: draws.Latency{Dist: draws.DistFixed, Value: ms(20)}}, nil},
		{"uniform", uniformConfig(ms(10), ms(30)), nil},
		{"errors at 100%", Config{Errors: map[int]units.Fraction{500: 0.25, 503: 0.75}}, nil},
		{"unknown dist", Config{Latency: draws.Latency{Dist: "zipf"}}, []string{"latency.dist"}},
		{"max below min", uniformConfig(ms(30), ms(10)), []string{"latency.max"}},
		{"uniform with value", Config{Latency: draws.Latency{Dist: draws.DistUniform, Value: ms(1), Max: ms(2)}}, []string{"latency.value"}},
		{"fixed with min", Config{Latency: draws.Latency{Dist: draws.DistFixed, Min: ms(1)}}, []string{"latency.min"}},
		{"negative value", Config{Latency: draws.Latency{Value: units.Duration(-time.Second)}}, []string{"latency.value"}},
		{"status 200", Config{Errors: map[int]units.Fraction{200: 0.1}}, []string{"errors.200"}},
		{"status 600", Config{Errors: map[int]units.Fraction{600: 0.1}}, []string{"errors.600"}},
		{"over 100%", Config{Errors: map[int]units.Fraction{500: 0.6, 503: 0.5}}, []string{"errors"}},
		{"negative probability", Config{Errors: map[int]units.Fraction{503: -0.1}}, []string{"errors.503"}},
		{"NaN probability", Config{Errors: map[int]units.Fraction{503: units.Fraction(math.NaN())}}, []string{"errors.503"}},
		{"every problem at once", Config{
			Latency: draws.Latency{Dist: "zipf"},
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
			Config{Latency: draws.Latency{Dist: draws.DistUniform, Min: ms(10), Max: ms(30)}, Errors: map[int]units.Fraction{503: 0.01}}},
		{"shorthand", `{"latency":"200ms"}`, Config{Latency: draws.Latency{Dist: draws.DistFixed, Value: ms(200)}}},
		{"fixed object", `{"latency":{"value":"5ms"}}`, Config{Latency: draws.Latency{Value: ms(5)}}},
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

func TestConfigValidationNewFields(t *testing.T) {
	t.Parallel()
	inc := func(from, to float64) Incident { return Incident{From: sec(from), To: sec(to)} }
	withIncidents := func(incs ...Incident) Config { return Config{Incidents: incs} }
	tests := []struct {
		name string
		c    Config
		want []string // fields blamed; nil for a valid config
	}{
		{"every feature", fullConfig(), nil},
		{"faults at 100%", Config{Faults: Faults{Hang: 0.25, Reset: 0.25, Empty: 0.25, Malformed: 0.25}}, nil},
		{"errors and faults at 100%", Config{Errors: map[int]units.Fraction{503: 0.5}, Faults: Faults{Reset: 0.5}}, nil},
		{"adjacent incidents", withIncidents(inc(10, 20), inc(20, 30), inc(0, 10)), nil},
		{"rate limit off", Config{RateLimit: RateLimit{}}, nil},
		{"capacity without queue", Config{Capacity: Capacity{Concurrency: 3}}, nil},
		{"hang out of range", Config{Faults: Faults{Hang: 1.5}}, []string{"faults.hang"}},
		{"reset negative", Config{Faults: Faults{Reset: -0.1}}, []string{"faults.reset"}},
		{"empty NaN", Config{Faults: Faults{Empty: units.Fraction(math.NaN())}}, []string{"faults.empty"}},
		{"malformed over", Config{Faults: Faults{Malformed: 2}}, []string{"faults.malformed"}},
		{"faults over 100%", Config{Faults: Faults{Hang: 0.6, Reset: 0.6}}, []string{"faults"}},
		{"errors and faults over 100%", Config{Errors: map[int]units.Fraction{503: 0.6}, Faults: Faults{Empty: 0.6}}, []string{"faults"}},
		{"rate negative", Config{RateLimit: RateLimit{Rate: -1, Burst: 1}}, []string{"rate_limit.rate"}},
		{"rate infinite", Config{RateLimit: RateLimit{Rate: units.Rate(math.Inf(1)), Burst: 1}}, []string{"rate_limit.rate"}},
		{"rate missing", Config{RateLimit: RateLimit{Burst: 50}}, []string{"rate_limit.rate"}},
		{"burst missing", Config{RateLimit: RateLimit{Rate: 500}}, []string{"rate_limit.burst"}},
		{"burst negative", Config{RateLimit: RateLimit{Rate: 500, Burst: -1}}, []string{"rate_limit.burst"}},
		{"retry format", Config{RetryAfter: RetryAfter{Format: "minutes"}}, []string{"retry_after.format"}},
		{"retry value", Config{RetryAfter: RetryAfter{Value: -1}}, []string{"retry_after.value"}},
		{"concurrency negative", Config{Capacity: Capacity{Concurrency: -1}}, []string{"capacity.concurrency"}},
		{"queue negative", Config{Capacity: Capacity{Concurrency: 1, Queue: -1}}, []string{"capacity.queue"}},
		{"queue without concurrency", Config{Capacity: Capacity{Queue: 10}}, []string{"capacity.concurrency"}},
		{"body size negative", Config{Body: Body{Size: -1}}, []string{"body.size"}},
		{"body size huge", Config{Body: Body{Size: 2 * units.GiB}}, []string{"body.size"}},
		{"body rate negative", Config{Body: Body{BytesPerSecond: -5}}, []string{"body.bytes_per_second"}},
		{"incident from negative", withIncidents(Incident{From: -1, To: sec(1)}), []string{"incidents[0].from"}},
		{"incident to before from", withIncidents(inc(0, 5), inc(30, 20)), []string{"incidents[1].to"}},
		{"incident without to", withIncidents(inc(10, 0)), []string{"incidents[0].to"}},
		{"incidents overlap", withIncidents(inc(10, 30), inc(40, 50), inc(20, 25)), []string{"incidents[2].from"}},
		{"incident scale", withIncidents(Incident{To: sec(1), LatencyScale: -2}), []string{"incidents[0].latency_scale"}},
		{"incident scale NaN", withIncidents(Incident{To: sec(1), LatencyScale: math.NaN()}), []string{"incidents[0].latency_scale"}},
		{"incident latency", withIncidents(inc(0, 1), Incident{From: sec(2), To: sec(3), Latency: &draws.Latency{Dist: "zipf"}}), []string{"incidents[1].latency.dist"}},
		{"incident error status", withIncidents(Incident{To: sec(1), Errors: map[int]units.Fraction{200: 0.1}}), []string{"incidents[0].errors.200"}},
		{"incident errors over", withIncidents(Incident{To: sec(1), Errors: map[int]units.Fraction{500: 0.7, 503: 0.7}}), []string{"incidents[0].errors"}},
		{"incident fault", withIncidents(Incident{To: sec(1), Faults: &Faults{Hang: -1}}), []string{"incidents[0].faults.hang"}},
		{"incident faults with base errors", Config{Errors: map[int]units.Fraction{503: 0.5},
			Incidents: []Incident{{To: sec(1), Faults: &Faults{Reset: 0.6}}}}, []string{"incidents[0].faults"}},
		{"incident errors with base faults", Config{Faults: Faults{Reset: 0.5},
			Incidents: []Incident{{To: sec(1), Errors: map[int]units.Fraction{503: 0.6}}}}, []string{"incidents[0].errors"}},
		{"incident clears errors", Config{Errors: map[int]units.Fraction{503: 0.9},
			Incidents: []Incident{{To: sec(1), Errors: map[int]units.Fraction{}, Faults: &Faults{Reset: 0.9}}}}, nil},
		{"incident rate limit", withIncidents(Incident{To: sec(1), RateLimit: &RateLimit{Rate: 5}}), []string{"incidents[0].rate_limit.burst"}},
		{"incident rate limit off", Config{RateLimit: RateLimit{Rate: 5, Burst: 1},
			Incidents: []Incident{{To: sec(1), RateLimit: &RateLimit{}}}}, nil},
		{"incident retry", withIncidents(Incident{To: sec(1), RetryAfter: &RetryAfter{Format: "date"}}), []string{"incidents[0].retry_after.format"}},
		{"incident capacity", withIncidents(Incident{To: sec(1), Capacity: &Capacity{Queue: 1}}), []string{"incidents[0].capacity.concurrency"}},
		{"incident body", withIncidents(Incident{To: sec(1), Body: &Body{Size: -1}}), []string{"incidents[0].body.size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.c.Validate()
			if got := fields(err); !slices.Equal(got, tt.want) {
				t.Errorf("Validate(%+v) blames %q, want %q (error: %v)", tt.c, got, tt.want, err)
			}
		})
	}
}

// TestConfigValidationMessages: a message names the allowed values.
func TestConfigValidationMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		c    Config
		want string
	}{
		{Config{RetryAfter: RetryAfter{Format: "minutes"}}, `retry_after.format: unknown format "minutes"; allowed: seconds, http-date`},
		{Config{Faults: Faults{Hang: 2}}, "faults.hang: probability 2 is out of range; allowed: 0% to 100%"},
		{Config{RateLimit: RateLimit{Rate: 500}}, "rate_limit.burst: is missing; allowed: 1 or more"},
		{Config{Incidents: []Incident{{From: sec(10), To: sec(30)}, {From: sec(20), To: sec(40)}}},
			"incidents[1].from: 20s is inside incidents[0] (from 10s to 30s); incidents may not overlap: start it at 30s or later"},
		{Config{Incidents: []Incident{{From: sec(30), To: sec(20)}}}, "incidents[0].to: 20s is not after from (30s); allowed: a time after from"},
	}
	for _, tt := range tests {
		if err := tt.c.Validate(); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Validate(%+v) = %v, want an error starting %q", tt.c, err, tt.want)
		}
	}
}

// fullConfig sets every field of a Config.
func fullConfig() Config {
	return Config{
		Latency:    draws.Latency{Dist: draws.DistUniform, Min: ms(10), Max: ms(30)},
		Errors:     map[int]units.Fraction{503: 0.02, 500: 0.01, 429: 0.01},
		Faults:     Faults{Hang: 0.001, Reset: 0.001, Empty: 0.001, Malformed: 0.001},
		RateLimit:  RateLimit{Rate: 500, Burst: 50},
		RetryAfter: RetryAfter{Format: RetryHTTPDate, Value: sec(2)},
		Capacity:   Capacity{Concurrency: 10, Queue: 100},
		Body:       Body{Size: 4 * units.KiB, BytesPerSecond: 16 * units.KiB},
		Incidents: []Incident{
			{Name: "brownout", From: sec(20), To: sec(30), LatencyScale: 10, Errors: map[int]units.Fraction{503: 0.3}},
			{Name: "everything", From: sec(40), To: sec(50),
				Latency:    &draws.Latency{Dist: draws.DistFixed, Value: ms(100)},
				Errors:     map[int]units.Fraction{},
				Faults:     &Faults{Hang: 0.5},
				RateLimit:  &RateLimit{Rate: 50, Burst: 5},
				RetryAfter: &RetryAfter{Format: RetrySeconds, Value: sec(5)},
				Capacity:   &Capacity{Concurrency: 2, Queue: 4},
				Body:       &Body{Size: 100},
			},
		},
	}
}

// TestConfigJSONEveryField: what GET /__fanbench/config writes reads back
// the same, including an incident that clears the errors.
func TestConfigJSONEveryField(t *testing.T) {
	t.Parallel()
	c := fullConfig()
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal(fullConfig()): %v", err)
	}
	var back Config
	if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, c) {
		t.Errorf("round trip through %s = %+v, %v; want %+v", out, back, err, c)
	}
	for _, frag := range []string{`"rate_limit":{"rate":"500/s","burst":50}`, `"size":"4KiB"`, `"errors":{}`, `"retry_after":{"format":"http-date","value":"2s"}`} {
		if !strings.Contains(string(out), frag) {
			t.Errorf("json.Marshal(fullConfig()) = %s, want it to contain %s", out, frag)
		}
	}
	if zero, _ := json.Marshal(Config{}); string(zero) != `{"latency":{}}` {
		t.Errorf("json.Marshal(Config{}) = %s, want {\"latency\":{}}: every unset feature left out", zero)
	}
}
