package scenarios

import (
	"maps"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/internal/strictyaml"
	"github.com/fanbench/fanbench/internal/suggest"
	"github.com/fanbench/fanbench/strategies"
)

// policies checks the call policies: each field as written, the names of
// the upstreams overridden, then the rules that tie fields together on the
// merged policies, reported where the file wrote one of the fields.
func (c *checker) policies(p *Policies, us Upstreams) {
	if p == nil {
		return
	}
	const base = "policies.default"
	c.policySpec(p.Default, base)
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.Name
	}
	overrides := slices.Sorted(maps.Keys(p.Upstreams))
	for _, name := range overrides {
		path := "policies.upstreams." + name
		if _, ok := us.Find(name); !ok && len(us) > 0 {
			c.addf(path, "unknown upstream %q%s", name, suggest.Choices(name, "defined", names))
		}
		c.policySpec(p.Upstreams[name], path)
	}
	for _, v := range p.Default.Violations() {
		c.addf(strictyaml.Join(base, v.Field), "%s", v.Msg)
	}
	for _, name := range overrides {
		o := p.Upstreams[name]
		for _, v := range p.specFor(name).Violations() {
			// A rule the override does not touch was reported at the default;
			// one it does is reported at the field it writes.
			i := slices.IndexFunc(v.Involves, o.Sets)
			if i < 0 {
				continue
			}
			at := v.Involves[i]
			if slices.Contains(strategies.PolicyBlocks, at) || v.Missing {
				at = v.Field
			}
			c.addf(strictyaml.Join("policies.upstreams."+name, at), "%s", v.Msg)
		}
	}
}

// policySpec checks the values one spec writes, at their lines under path.
func (c *checker) policySpec(p strategies.PolicySpec, path string) {
	p.Check(func(field, format string, args ...any) { c.addf(strictyaml.Join(path, field), format, args...) })
}

// hedgePolicies checks that a hedge policy has a strategy that reads it
// (hedged): without one it would be a silent no-op.
func (c *checker) hedgePolicies(s *Scenario) {
	if s.Policies == nil || slices.ContainsFunc(s.Strategies, func(st Strategy) bool { return strategies.ReadsHedgePolicy(st.Options) }) {
		return
	}
	at := []string{"policies.default"}
	for _, name := range slices.Sorted(maps.Keys(s.Policies.Upstreams)) {
		at = append(at, "policies.upstreams."+name)
	}
	for _, path := range at {
		spec := s.Policies.Default
		if path != "policies.default" {
			spec = s.Policies.Upstreams[strings.TrimPrefix(path, "policies.upstreams.")]
		}
		if spec.Hedge != nil {
			c.addf(path+".hedge", "applies to the hedged strategy, which this scenario does not run; add hedged to strategies or remove hedge")
		}
	}
}
