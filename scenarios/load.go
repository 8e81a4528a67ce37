package scenarios

import (
	"embed"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/internal/strictyaml"
	"github.com/fanbench/fanbench/internal/suggest"
)

// Load reads the scenario file at path, checks it and applies the defaults.
// Every problem is reported at once, as Errors; all errors match ErrInvalid,
// including a file that cannot be read (which also matches its cause, such
// as fs.ErrNotExist).
//
// Values may hold ${NAME} and ${NAME:-default}, expanded from the
// environment (see WithEnv) before the file is checked; what they take from
// it is secret (see Scenario.Secrets), redacted in error messages too.
func Load(path string, opts ...ParseOption) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: "cannot read the scenario: " + strictyaml.UnwrapPath(err).Error(), Err: err}}
	}
	return Parse(path, data, opts...)
}

// Parse reads a scenario from data, checks it and applies the defaults. file
// names the data in error messages and becomes Scenario.File.
func Parse(file string, data []byte, opts ...ParseOption) (*Scenario, error) {
	o := parseOptionsOf(opts)
	d := strictyaml.New(file)
	s := new(Scenario)
	d.IgnorePrefix = extensionPrefix
	if root := d.Document(data, scenarioNeeds, reflect.TypeFor[Scenario]()); root != nil {
		s.envSecrets = d.ExpandEnv(root, o.lookup)
		d.Struct(root, reflect.ValueOf(s).Elem(), "")
		c := checker{file: file, pos: d.Pos, bad: d.Bad}
		c.scenario(s)
		d.Errs = append(d.Errs, c.errs...)
		redactErrors(d.Errs, s.Secrets())
		s.fingerprint = o.key
		if v, ok := o.lookup(FingerprintKeyEnv); ok && v != "" && o.key == nil && len(s.Secrets()) > 0 {
			s.fingerprint, _ = NewFingerprintKey([]byte(v)) // not empty: cannot fail
		}
	}
	if err := d.Errs.Finish(); err != nil {
		return nil, err
	}
	s.File = file
	return s, nil
}

// extensionPrefix starts the top-level keys that fanbench ignores, a place
// to define anchors for the rest of the file (x-slow: &slow {latency: 2s}),
// as in Docker Compose files.
const extensionPrefix = "x-"

// scenarioNeeds ends the message about an empty scenario file.
const scenarioNeeds = "a scenario needs name, upstreams, operation, strategies and load"

//go:embed examples/*.yaml
var examples embed.FS

// ExampleNames returns the names of the embedded example scenarios, sorted.
func ExampleNames() []string {
	entries, _ := fs.ReadDir(examples, "examples") // embedded: cannot fail
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// ExampleSource returns the YAML text of the named example, to show or to
// copy as a starting point.
func ExampleSource(name string) ([]byte, error) {
	names := ExampleNames()
	if !slices.Contains(names, name) {
		return nil, Errors{{File: "example:" + name, Msg: "no such example" + suggest.Choices(name, "known", names)}}
	}
	return examples.ReadFile("examples/" + name + ".yaml")
}

// Example loads the named embedded example; its File, and the file in its
// error messages, is "example:NAME".
func Example(name string) (*Scenario, error) {
	data, err := ExampleSource(name)
	if err != nil {
		return nil, err
	}
	return Parse("example:"+name, data)
}
