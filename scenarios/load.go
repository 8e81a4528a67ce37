package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/internal/safefile"
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
	data, err := readFile(path, "the scenario")
	if err != nil {
		return nil, err
	}
	return Parse(path, data, opts...)
}

// MaxFileBytes bounds a scenario file (and a file of upstreams), checked
// before it is read: the largest real ones are a few kilobytes, and a
// table of data larger than a few thousand rows belongs in a CSV file.
const MaxFileBytes = 4 << 20

// readFile reads a scenario file, or a file of upstreams (what names it),
// up to MaxFileBytes.
func readFile(path, what string) ([]byte, error) {
	data, err := safefile.ReadFile(path, MaxFileBytes)
	if tl, ok := errors.AsType[*safefile.TooLargeError](err); ok {
		size := "larger than " + safefile.Size(tl.Limit)
		if tl.Size > 0 {
			size = safefile.Size(tl.Size)
		}
		return nil, Errors{{File: path, Msg: fmt.Sprintf("the file is %s; a scenario file may be at most %s (a large table belongs in a CSV file: data: {csv: FILE})",
			size, safefile.Size(MaxFileBytes)), Err: err}}
	}
	if err != nil {
		return nil, Errors{{File: path, Msg: "cannot read " + what + ": " + strictyaml.UnwrapPath(err).Error(), Err: err}}
	}
	return data, nil
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
