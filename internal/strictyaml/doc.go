// Package strictyaml decodes a YAML (or JSON) document into Go values by
// their yaml tags, strictly, and reports every problem at once, each at its
// file, line and column, with the field's path in the file's spelling:
// unknown keys with a did-you-mean, values of the wrong type, duplicate
// keys, a second document, aliases that expand too far. It also expands
// ${NAME} and ${NAME:-default} from the environment, remembering what it
// took as secrets, and records where each field was written so that a
// schema's own validation can point at lines too.
//
// It knows no schema: the scenario loader and the mock upstream's admin API
// both use it. A type with a shape of its own implements Unmarshaler; one
// written as text names its spellings with Former (and TextOnly).
//
//	d := strictyaml.New("scenario.yaml")
//	if root := d.Document(data, "it needs a name", reflect.TypeFor[Config]()); root != nil {
//		d.Struct(root, reflect.ValueOf(&cfg).Elem(), "")
//	}
//	if err := d.Errs.Finish(); err != nil { … }
package strictyaml
