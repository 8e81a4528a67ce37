package scenarios

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/strictyaml"
	"github.com/fanbench/fanbench/internal/suggest"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/strategies"
)

// MaxCallsPerOperation bounds the calls of one operation, repeats
// included: a fan-out wider than this measures the machine, not a strategy.
const MaxCallsPerOperation = 10_000

// Methods lists the HTTP methods a call may use.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// Validate applies the defaults to s and reports every problem of it at
// once, as Errors without lines (s was not read from a file; Parse gives
// lines). Use it for a scenario built in code; Parse and Load call it.
func (s *Scenario) Validate() error {
	c := checker{file: s.File}
	c.scenario(s)
	return c.errs.Finish()
}

// checker validates a decoded scenario, placing each problem at the line of
// the field, or of its nearest written parent.
type checker struct {
	file string
	pos  map[string]strictyaml.Pos
	bad  map[string]bool
	errs Errors
	// env is what the calls' templates may use, once data is read.
	env calltemplate.Env
}

// addf records a problem of the field at path, unless its value, or a
// parent's, already failed to decode: that error says it better.
func (c *checker) addf(path, format string, args ...any) {
	for p := path; ; p = parent(p) {
		if c.bad[p] {
			return
		}
		if p == "" {
			break
		}
	}
	at := c.at(path)
	c.errs = append(c.errs, &Error{File: c.file, Line: at.Line, Column: at.Col,
		Path: path, Msg: fmt.Sprintf(format, args...)})
}

// at returns where the field at path, or its nearest parent, was written.
func (c *checker) at(path string) strictyaml.Pos {
	for {
		if p, ok := c.pos[path]; ok || path == "" {
			return p
		}
		path = parent(path)
	}
}

// written reports whether the file set the field at path.
func (c *checker) written(path string) bool {
	_, ok := c.pos[path]
	return ok
}

// parent drops the last step of a path: a.b[1].c → a.b[1] → a.b → a → "".
func parent(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

func (c *checker) scenario(s *Scenario) {
	if strings.TrimSpace(s.Name) == "" {
		c.addf("name", "%s; give the scenario a name, such as name: profile-update", c.missing("name"))
	}
	c.data(s.Data)
	c.env = s.TemplateEnv()
	c.upstreams(s.Upstreams)
	c.operation(&s.Operation, s.Upstreams)
	c.strategies(s.Strategies)
	c.policies(s.Policies, s.Upstreams)
	c.load(&s.Load)
	c.loadFits(s)
	c.thresholds(s)
	c.hedgePolicies(s)
	c.widths(s)
	c.report(s.Report)
	c.receiver(s)
}

// missing says "missing" for a field the file left out, "empty" for one it
// wrote without a value.
func (c *checker) missing(path string) string {
	if c.written(path) {
		return "empty"
	}
	return "missing"
}

func (c *checker) upstreams(us Upstreams) {
	if len(us) == 0 {
		c.addf("upstreams", "%s; define at least one upstream, such as upstreams: {profile: {mock: {latency: 200ms}}}",
			c.missing("upstreams"))
		return
	}
	seen := make(map[string]bool, len(us))
	for i := range us {
		u := &us[i]
		path := "upstreams." + u.Name
		switch {
		case u.Name == "":
			c.addf("upstreams", "an upstream has an empty name")
		case seen[u.Name]:
			c.addf(path, "defined twice")
		}
		seen[u.Name] = true
		switch {
		case c.bad[path+".mock"] || c.bad[path+".url"]:
			// Whichever failed to decode was meant to be set.
		case u.Mock != nil && u.URL != "":
			c.addf(path, "has both mock and url; keep one: mock starts a fake upstream, url targets a real service")
		case u.Mock == nil && u.URL == "":
			c.addf(path, "has neither mock nor url; set one, such as mock: {latency: 200ms} or url: https://api.example.com")
		case u.Mock != nil:
			c.mock(u.Mock, path+".mock")
		default:
			c.url(u.URL, path+".url")
		}
		if u.Method != "" {
			u.Method = strings.ToUpper(strings.TrimSpace(u.Method))
			if !slices.Contains(methods, u.Method) {
				c.addf(path+".method", "unknown method %q; allowed: %s", u.Method, strings.Join(methods, ", "))
			}
		}
		c.headers(u.Headers, path+".headers", c.env)
		c.tls(u, path+".tls")
		if msg := u.Client.Check(); msg != "" {
			c.addf(path+".client", "%s", msg)
		}
		if u.MaxConns < 0 {
			c.addf(path+".max_conns", "%d connections: must be at least 1 (leave it out for no cap)", u.MaxConns)
		}
	}
}

// mock applies the defaults of a mock upstream and checks it with its own
// Validate, placing each of its field errors at the line of the field.
func (c *checker) mock(m *mockupstream.Config, path string) {
	m.Latency.Dist = m.Latency.EffectiveDist()
	if m.Async != nil {
		m.Async.Completion.Dist = m.Async.Completion.EffectiveDist()
	}
	for _, e := range draws.FieldErrors(m.Validate()) {
		c.fieldError(path, e)
	}
}

func (c *checker) url(raw, path string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https"):
		c.addf(path, "%q is not an http or https URL, such as https://api.example.com", raw)
	case u.Host == "":
		c.addf(path, "%q has no host, as in https://api.example.com", raw)
	}
}

func (c *checker) operation(op *Operation, us Upstreams) {
	if len(op.Calls) == 0 {
		c.addf("operation.calls", "%s; an operation makes at least one call, such as calls: [{upstream: profile, path: /}]",
			c.missing("operation.calls"))
	}
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.Name
	}
	total := 0
	defer func() {
		if total > MaxCallsPerOperation {
			c.addf("operation.calls", "the operation makes %d calls with its repeats; allowed: up to %d", total, MaxCallsPerOperation)
		}
	}()
	for i := range op.Calls {
		call := &op.Calls[i]
		path := fmt.Sprintf("operation.calls[%d]", i)
		c.request(&call.Upstream, &call.Method, &call.Path, path, "GET", "name the upstream to call", us, names)
		switch {
		case call.Repeat < 0 || call.Repeat > MaxCallsPerOperation:
			c.addf(path+".repeat", "%d; allowed: 1 to %d copies of the call, such as repeat: 100", call.Repeat, MaxCallsPerOperation)
		default:
			total += max(call.Repeat, 1)
		}
		c.headers(call.Headers, path+".headers", c.env)
		c.template(call.Body, path+".body", c.env)
		c.completion(call, path, us)
		if comp := call.Compensate; comp != nil {
			c.request(&comp.Upstream, &comp.Method, &comp.Path, path+".compensate", "POST",
				"name the upstream that undoes the call", us, names)
			c.headers(comp.Headers, path+".compensate.headers", c.env)
			c.template(comp.Body, path+".compensate.body", c.env)
		}
	}
}

// request checks the upstream, method and path of a call or of a
// compensation, written at path, and fills in their defaults: the
// upstream's method, or else defaultMethod; the path /. hint says what the
// upstream is for.
func (c *checker) request(upstream, method, reqPath *string, path, defaultMethod, hint string, us Upstreams, names []string) {
	up, ok := us.Find(*upstream)
	switch {
	case len(us) == 0:
		// Reported once, at upstreams, rather than at every call.
	case *upstream == "":
		c.addf(path+".upstream", "%s; %s: %s", c.missing(path+".upstream"), hint, strings.Join(names, ", "))
	case !ok:
		c.addf(path+".upstream", "unknown upstream %q%s", *upstream, suggest.Choices(*upstream, "defined", names))
	}
	*method = strings.ToUpper(strings.TrimSpace(*method))
	switch {
	case *method == "" && up.Method != "":
		*method = up.Method
	case *method == "":
		*method = defaultMethod
	}
	if !slices.Contains(methods, *method) {
		c.addf(path+".method", "unknown method %q; allowed: %s", *method, strings.Join(methods, ", "))
	}
	if *reqPath == "" {
		*reqPath = "/"
	}
	c.callPath(*reqPath, path+".path")
}

// callPath checks a request path and its template.
func (c *checker) callPath(p, path string) {
	if !strings.HasPrefix(p, "/") {
		c.addf(path, "%q must start with /", p)
	}
	c.template(p, path, c.env)
}

func (c *checker) strategies(ss []Strategy) {
	names := strategies.Names()
	if len(ss) == 0 {
		c.addf("strategies", "%s; list the strategies to compare, such as [sequential, fanout]; known: %s",
			c.missing("strategies"), strings.Join(names, ", "))
		return
	}
	first := make(map[string]int, len(ss))
	for i := range ss {
		s := &ss[i]
		path := fmt.Sprintf("strategies[%d]", i)
		if s.Name == "" {
			c.addf(path+".name", "%s; known: %s", c.missing(path+".name"), strings.Join(names, ", "))
			continue
		}
		def, ok := strategies.Lookup(s.Name)
		if !ok {
			c.addf(path+".name", "unknown strategy %q%s", s.Name, suggest.Choices(s.Name, "known", names))
			continue
		}
		if s.Label != "" && strings.TrimSpace(s.Label) != s.Label {
			c.addf(path+".label", "%q has spaces around it", s.Label)
		}
		if s.Options == nil {
			s.Options = def.Defaults()
		}
		for _, e := range draws.FieldErrors(s.Options.Validate()) {
			c.fieldError(path, e)
		}
		at := path + ".name"
		if s.Label != "" {
			at = path + ".label"
		}
		if j, dup := first[s.Title()]; dup {
			hint := fmt.Sprintf("give one of them a label, such as label: %s-2", s.Name)
			if s.Label != "" {
				hint = "labels name the results, so they must differ"
			}
			c.addf(at, "%s is listed twice, here and at strategies[%d]; %s", s.Title(), j, hint)
			continue
		}
		first[s.Title()] = i
	}
}

// fieldError reports a problem that a config type's own validation found,
// at the line of its field under path (a *draws.FieldError), or at path.
func (c *checker) fieldError(path string, e error) {
	if fe, ok := errors.AsType[*draws.FieldError](e); ok {
		c.addf(strictyaml.Join(path, fe.Field), "%s", fe.Msg)
	} else {
		c.addf(path, "%v", e)
	}
}

func (c *checker) load(l *LoadSpec) {
	if !c.written("load") && !c.bad["load"] && reflect.ValueOf(*l).IsZero() {
		c.addf("load", "missing; say how operations arrive, such as load: {rate: 20/s, duration: 30s}")
		return
	}
	switch l.Model {
	case "":
		l.Model = ModelOpen
	case ModelOpen, ModelClosed:
	default:
		c.addf("load.model", "unknown model %q; allowed: %s (arrivals on a schedule, the default), %s (virtual users), such as model: closed",
			l.Model, ModelOpen, ModelClosed)
		return
	}
	// Fields of the other model are mistakes, not silent no-ops.
	other := []string{"users", "think"}
	if l.Model == ModelClosed {
		other = []string{"rate", "arrivals", "max_in_flight", "on_cap"}
	}
	for _, f := range other {
		if c.written("load." + f) {
			c.addf("load."+f, "%s belongs to the %s model; this load is model: %s", f, otherModel(l.Model), l.Model)
		}
	}
	c.loadStages(l)
	if l.Sweep != nil {
		c.sweep(l) // it sets the rate and length of each step
	} else if len(l.Stages) == 0 {
		if l.Model == ModelOpen && l.Rate <= 0 {
			c.addf("load.rate", "%s; set the arrival rate of operations, such as rate: 20/s (or ramp it with stages)", c.orZero("load.rate"))
		}
		if l.Model == ModelClosed && l.Users <= 0 {
			c.addf("load.users", "%s; set the number of virtual users, such as users: 50 (or ramp them with stages)", c.orZero("load.users"))
		}
		if l.Duration <= 0 && l.Operations == 0 {
			if c.written("load.duration") {
				c.addf("load.duration", "must be more than 0, such as duration: 30s")
			} else {
				c.addf("load.duration", "missing; set how long the load runs, such as duration: 30s, or how many operations, such as operations: 10000")
			}
		}
	} else if c.written("load.duration") {
		c.addf("load.duration", "the stages set the length of the run; remove duration (operations: N can still end it early)")
	}
	if l.Users < 0 {
		c.addf("load.users", "must be 0 or more, such as users: 50")
	}
	switch {
	case l.Repeats < 0 || l.Repeats > MaxRepeats:
		c.addf("load.repeats", "must be from 1 to %d, such as repeats: 5", MaxRepeats)
	case l.Repeats > 1 && l.Sweep != nil:
		c.addf("load.repeats", "a sweep cannot be repeated (each one finds its own sustained rate); remove repeats or the sweep")
	}
	if l.Think != nil {
		c.think(l.Think)
	}
	if n := l.Length(); n > 0 && l.Warmup.D() >= n {
		c.addf("load.warmup", "the warm-up (%v) must be shorter than the run (%v), such as warmup: 5s", l.Warmup, n)
	}
	if l.Model == ModelOpen {
		c.oneOf("load.arrivals", &l.Arrivals, ArrivalsUniform, ArrivalsPoisson)
		c.oneOf("load.on_cap", &l.OnCap, OnCapWait, OnCapDrop)
	}
	switch {
	case l.MaxInFlight < 0 && l.Model == ModelOpen:
		c.addf("load.max_in_flight", "must be 0 or more, such as max_in_flight: 500; 0 means the default, %d", DefaultMaxInFlight)
	case l.MaxInFlight <= 0:
		l.MaxInFlight = DefaultMaxInFlight
	}
}

func otherModel(m string) string {
	if m == ModelOpen {
		return ModelClosed
	}
	return ModelOpen
}

// orZero says "missing" for a field the file left out, "must be more than
// 0" for one it set to 0.
func (c *checker) orZero(path string) string {
	if c.written(path) {
		return "must be more than 0"
	}
	return "missing"
}

// oneOf defaults *v to the first of allowed, and reports any other value.
func (c *checker) oneOf(path string, v *string, allowed ...string) {
	if *v == "" {
		*v = allowed[0]
		return
	}
	if !slices.Contains(allowed, *v) {
		c.addf(path, "unknown value %q; allowed: %s (the default), %s", *v, allowed[0], strings.Join(allowed[1:], ", "))
	}
}

// loadStages checks each stage: a duration above 0, and a target fit for
// the model (a rate for open, a whole number of users for closed).
func (c *checker) loadStages(l *LoadSpec) {
	if c.written("load.stages") && len(l.Stages) == 0 {
		c.addf("load.stages", "empty; list the stages, such as stages: [{duration: 30s, target: 500/s}]")
	}
	for i, s := range l.Stages {
		at := fmt.Sprintf("load.stages[%d]", i)
		if s.Duration <= 0 {
			c.addf(at+".duration", "%s; each stage needs a duration above 0, such as {duration: 30s, target: %s}",
				c.orZero(at+".duration"), exampleTarget(l.Model))
		}
		if !c.written(at + ".target") {
			c.addf(at+".target", "missing; each stage needs a target, such as {duration: 30s, target: %s}", exampleTarget(l.Model))
			continue
		}
		if l.Model == ModelClosed && (s.Target.Rate || s.Target.Value != math.Trunc(s.Target.Value) || s.Target.Value > math.MaxInt32) {
			c.addf(at+".target", "%s is not a number of users; a closed model's stages target a whole number of users, such as target: 50",
				string(must(s.Target.MarshalText())))
		}
	}
}

func exampleTarget(model string) string {
	if model == ModelClosed {
		return "50"
	}
	return "500/s"
}

func must(b []byte, _ error) []byte { return b }

// think checks a think-time distribution with the checks an upstream's
// latency gets, its fields named under load.think.
func (c *checker) think(l *draws.Latency) {
	l.Check("load.think", func(field, format string, args ...any) { c.addf(field, format, args...) })
}

// MaxWidths bounds load.widths, as MaxSweepSteps bounds a rate sweep.
const MaxWidths = 20

// widths checks a width sweep: an open model without a rate sweep or
// repeats, one repeated call to vary, and widths from 1 to
// MaxCallsPerOperation.
func (c *checker) widths(s *Scenario) {
	l := &s.Load
	if len(l.Widths) == 0 {
		if c.written("load.widths") {
			c.addf("load.widths", "empty; list the fan-out widths to run, such as widths: [1, 10, 50, 100]")
		}
		return
	}
	switch {
	case l.Model != ModelOpen:
		c.addf("load.widths", "a width sweep runs at the load's rate: it needs model: open, not %s", l.Model)
	case l.Sweep != nil:
		c.addf("load.widths", "a load sweeps the rate or the width, not both; remove sweep or widths")
	case l.Repeats > 1:
		c.addf("load.widths", "a width sweep cannot be repeated; remove repeats or widths")
	case len(l.Widths) > MaxWidths:
		c.addf("load.widths", "%d widths; at most %d are allowed", len(l.Widths), MaxWidths)
	}
	repeated := 0
	for _, call := range s.Operation.Calls {
		if call.Repeat > 0 {
			repeated++
		}
	}
	if repeated != 1 {
		c.addf("load.widths", "the width is the repeat of one call, but %d calls set repeat; set repeat on the call to fan out, such as {upstream: leaf, repeat: 1, path: \"/shard/{{.Index}}\"}", repeated)
	}
	for i, w := range l.Widths {
		if w < 1 || w > MaxCallsPerOperation {
			c.addf(fmt.Sprintf("load.widths[%d]", i), "%d; allowed: 1 to %d", w, MaxCallsPerOperation)
		}
	}
}

// WithWidth returns s with its repeated call made width times and no width
// sweep: one step of the sweep.
func (s *Scenario) WithWidth(width int) *Scenario {
	step := *s
	step.Load.Widths = nil
	step.Operation.Calls = slices.Clone(s.Operation.Calls)
	for i := range step.Operation.Calls {
		if step.Operation.Calls[i].Repeat > 0 {
			step.Operation.Calls[i].Repeat = width
		}
	}
	return &step
}
