package scenarios

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/internal/strictyaml"
)

// This file checks what a call sends beyond its method and path: the data
// its templates draw from, headers, bodies, and how it reaches a real
// upstream over TLS.

// TemplateEnv is what the calls' templates draw from: the seed (for
// {{.UUID}}) and the data table.
func (s *Scenario) TemplateEnv() calltemplate.Env {
	env := calltemplate.Env{Seed: s.Seed}
	if s.Data != nil && len(s.Data.Values) > 0 {
		env.Data = &calltemplate.Data{Columns: s.Data.Columns, Rows: s.Data.Values}
	}
	return env
}

// relative resolves a path written in the scenario against the scenario
// file's directory.
func (c *checker) relative(p string) string {
	if p == "" || filepath.IsAbs(p) || c.file == "" || strings.HasPrefix(c.file, "example:") {
		return p
	}
	return filepath.Join(filepath.Dir(c.file), p)
}

// data reads the scenario's data table, from its rows or its CSV file.
func (c *checker) data(d *Data) {
	if d == nil {
		return
	}
	switch {
	case c.bad["data.rows"] || c.bad["data.csv"]:
	case len(d.Rows) > 0 && d.CSV != "":
		c.addf("data", "has both rows and csv; keep one")
	case len(d.Rows) > 0:
		c.dataRows(d)
	case d.CSV != "":
		c.dataCSV(d)
	default:
		c.addf("data", "has no values; set rows, such as rows: [{user: alice}, {user: bob}], or csv: users.csv")
	}
}

func (c *checker) dataRows(d *Data) {
	d.Columns = slices.Sorted(maps.Keys(d.Rows[0]))
	if len(d.Columns) == 0 {
		c.addf("data.rows[0]", "has no columns; write a mapping, such as {user: alice}")
		return
	}
	d.Values = make([][]string, len(d.Rows))
	for i, row := range d.Rows {
		if cols := slices.Sorted(maps.Keys(row)); !slices.Equal(cols, d.Columns) {
			c.addf(fmt.Sprintf("data.rows[%d]", i), "has the columns %s; every row needs the same columns as the first: %s",
				strings.Join(cols, ", "), strings.Join(d.Columns, ", "))
			continue
		}
		d.Values[i] = make([]string, len(d.Columns))
		for j, col := range d.Columns {
			d.Values[i][j] = row[col]
		}
	}
}

// maxDataRows bounds a CSV data file: the table is held in memory.
const maxDataRows = 1_000_000

func (c *checker) dataCSV(d *Data) {
	name := c.relative(d.CSV)
	d.path = name
	f, err := os.Open(name)
	if err != nil {
		c.addf("data.csv", "cannot read %s: %v", name, strictyaml.UnwrapPath(err))
		return
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = false
	header, err := r.Read()
	if err == io.EOF {
		c.addf("data.csv", "%s is empty; its first line names the columns, such as user,plan", name)
		return
	}
	if err != nil {
		c.addf("data.csv", "%s: %v", name, err)
		return
	}
	for i, col := range header {
		header[i] = strings.TrimSpace(col)
		if header[i] == "" || slices.Contains(header[:i], header[i]) {
			c.addf("data.csv", "%s, line 1: column %d is empty or named twice; the first line names each column once", name, i+1)
			return
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.addf("data.csv", "%s: %v", name, err)
			return
		}
		if len(d.Values) == maxDataRows {
			c.addf("data.csv", "%s has more than %d rows; fanbench holds the table in memory", name, maxDataRows)
			return
		}
		d.Values = append(d.Values, rec)
	}
	if len(d.Values) == 0 {
		c.addf("data.csv", "%s has no rows under its header line", name)
		return
	}
	d.Columns = header
}

// Files lists the files the scenario reads, as it reads them (relative to
// the working directory): the scenario file itself (not an embedded
// example), its data CSV and its upstreams' TLS files. A command that
// writes files refuses to write over one of them.
func (s *Scenario) Files() []string {
	var files []string
	if s.File != "" && !strings.HasPrefix(s.File, "example:") {
		files = append(files, s.File)
	}
	if s.Data != nil && s.Data.path != "" {
		files = append(files, s.Data.path)
	}
	for _, u := range s.Upstreams {
		if t := u.TLS; t != nil {
			for _, f := range []string{t.CAFile, t.CertFile, t.KeyFile} {
				if f != "" {
					files = append(files, f)
				}
			}
		}
	}
	return files
}

// template checks a template written at path.
func (c *checker) template(text, path string, env calltemplate.Env) {
	_, err := calltemplate.Parse(text, env)
	switch {
	case err == nil:
	case errors.Is(err, calltemplate.ErrNoData) && c.written("data"):
		// The data failed to load, and said why.
	default:
		c.addf(path, "%q: %v", text, err)
	}
}

// headers checks the names and value templates of headers written at path.
func (c *checker) headers(h map[string]string, path string, env calltemplate.Env) {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		at := path + "." + name
		if !validHeaderName(name) {
			c.addf(at, "%q is not a header name; use letters, digits and - only, such as X-Request-Id", name)
			continue
		}
		c.template(h[name], at, env)
	}
}

// validHeaderName reports whether name is an HTTP token (RFC 9110).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r > 127 || !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}

// tls checks an upstream's TLS settings and resolves their files against
// the scenario's directory.
func (c *checker) tls(u *Upstream, path string) {
	t := u.TLS
	if t == nil {
		return
	}
	switch {
	case u.URL == "":
		c.addf(path, "tls applies to a real upstream (url: https://…); a mock serves plain http")
		return
	case !strings.HasPrefix(strings.ToLower(u.URL), "https://"):
		c.addf(path, "the url %q is not https; tls applies to https upstreams", u.URL)
		return
	}
	t.CAFile, t.CertFile, t.KeyFile = c.relative(t.CAFile), c.relative(t.CertFile), c.relative(t.KeyFile)
	if (t.CertFile == "") != (t.KeyFile == "") {
		c.addf(path, "a client certificate needs both cert_file and key_file")
		return
	}
	if _, err := t.Config(); err != nil {
		field := "ca_file"
		if errors.Is(err, errClientCert) {
			field = "cert_file"
		}
		c.addf(path+"."+field, "%v", err)
	}
}

var errClientCert = errors.New("client certificate")

// Config returns the crypto/tls configuration of t.
func (t *TLS) Config() (*tls.Config, error) {
	conf := &tls.Config{InsecureSkipVerify: t.InsecureSkipVerify, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", t.CAFile, strictyaml.UnwrapPath(err))
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", t.CAFile)
		}
		conf.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w %s with key %s: %v", errClientCert, t.CertFile, t.KeyFile, err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// report checks that the outputs a scenario names are distinct files.
func (c *checker) report(r *Report) {
	if r == nil {
		return
	}
	seen := map[string]string{}
	for _, out := range []struct{ key, path string }{{"html", r.HTML}, {"json", r.JSON}, {"markdown", r.Markdown}, {"csv", r.CSV}} {
		if out.path == "" {
			continue
		}
		clean := filepath.Clean(out.path)
		if other, ok := seen[clean]; ok {
			c.addf("report."+out.key, "%q is also report.%s; give each output its own file", out.path, other)
		}
		seen[clean] = out.key
	}
}
