package scenarios

import (
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fanbench/fanbench/internal/strictyaml"
)

// UpstreamsFile is what fanbench mock serves: the mock upstreams of a file
// and the seed of their draws. The file is either a whole scenario or one
// holding only upstreams (and optionally seed):
//
//	seed: 42
//	upstreams:
//	  profile: {mock: {latency: {p50: 40ms, p99: 300ms}, errors: {503: 1%}}}
//	  audit: {mock: {latency: 20ms}}
type UpstreamsFile struct {
	// Seed feeds the paired draws, as in a scenario.
	Seed uint64 `yaml:"seed" json:"seed"`
	// Upstreams are the upstreams in file order, each with Mock set.
	Upstreams Upstreams `yaml:"upstreams" json:"upstreams"`

	// File is where the upstreams were read from.
	File string `yaml:"-" json:"-"`
}

// scenarioOnlyKeys are the top-level keys that make a file a whole scenario
// rather than a file of upstreams.
var scenarioOnlyKeys = []string{"name", "description", "operation", "strategies", "policies", "load"}

// LoadUpstreams reads the mock upstreams of the file at path, a whole
// scenario or a file holding only upstreams and seed. Decoding is as strict
// as Load's everywhere in the file (unknown keys, values of the wrong type),
// with errors as positioned and matching ErrInvalid; but only the upstreams
// are validated, since they are all a mock needs: a scenario still being
// written, without load or strategies, serves. One more rule: an upstream
// with a url is an error, since a mock has nothing to serve for it.
// Values may hold ${NAME} and ${NAME:-default}, as in Load.
func LoadUpstreams(path string, opts ...ParseOption) (*UpstreamsFile, error) {
	data, err := readFile(path, "the upstreams")
	if err != nil {
		return nil, err
	}
	return ParseUpstreams(path, data, opts...)
}

// ParseUpstreams reads mock upstreams from data as LoadUpstreams does; file
// names the data in error messages and becomes UpstreamsFile.File.
func ParseUpstreams(file string, data []byte, opts ...ParseOption) (*UpstreamsFile, error) {
	o := parseOptionsOf(opts)
	d := strictyaml.New(file)
	d.IgnorePrefix = extensionPrefix
	root := d.Document(data, scenarioNeeds, reflect.TypeFor[Scenario]())
	if root == nil {
		for _, e := range d.Errs {
			if e.Path == "" && strings.Contains(e.Msg, "is empty") {
				e.Msg = "the file is empty; it needs upstreams, such as upstreams: {profile: {mock: {latency: 200ms}}}"
			}
		}
		return nil, d.Errs.Finish()
	}
	fromEnv := d.ExpandEnv(root, o.lookup)
	out := &UpstreamsFile{File: file}
	c := checker{file: file, pos: d.Pos, bad: d.Bad}
	if isScenario(root) {
		s := new(Scenario)
		d.Struct(root, reflect.ValueOf(s).Elem(), "")
		out.Seed, out.Upstreams = s.Seed, s.Upstreams
	} else {
		d.Struct(root, reflect.ValueOf(out).Elem(), "")
	}
	c.upstreams(out.Upstreams)
	for _, u := range out.Upstreams {
		if u.URL != "" && u.Mock == nil {
			c.addf("upstreams."+u.Name+".url",
				"%s is a real service (url: %s): fanbench mock has nothing to serve for it; give it mock: {latency: 200ms} instead, or leave it out",
				u.Name, u.URL)
		}
	}
	d.Errs = append(d.Errs, c.errs...)
	redactErrors(d.Errs, secretsOf(fromEnv, out.Upstreams, nil, nil))
	if err := d.Errs.Finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// isScenario reports whether the root mapping has a key that only a whole
// scenario has.
func isScenario(root *yaml.Node) bool {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := strictyaml.Resolve(root.Content[i])
		for _, s := range scenarioOnlyKeys {
			if k.Kind == yaml.ScalarNode && k.Value == s {
				return true
			}
		}
	}
	return false
}

// UnmarshalStrictYAML decodes the mapping of name to upstream into the
// list, in file order, each Upstream named after its key.
func (us *Upstreams) UnmarshalStrictYAML(d *strictyaml.Decoder, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		d.Failf(n, path, "expected a mapping of upstream names to definitions, such as {profile: {mock: {latency: 200ms}}}, got %s", strictyaml.Describe(n))
		return
	}
	var out Upstreams
	for _, p := range d.Pairs(n, path) {
		u := Upstream{Name: p.Key.Value}
		fp := strictyaml.Join(path, u.Name)
		d.Record(fp, p)
		d.Value(p.Value, reflect.ValueOf(&u).Elem(), fp)
		out = append(out, u)
	}
	*us = out
}
