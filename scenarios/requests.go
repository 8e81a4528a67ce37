package scenarios

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/internal/safefile"
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

// Bounds of a CSV data file, whose table is held in memory: its rows, its
// size (checked before reading, from the file's size) and the length of
// one line (a file that is not CSV, such as /dev/zero, fails at once).
const (
	maxDataRows  = 1_000_000
	MaxDataBytes = 256 << 20
	MaxDataLine  = 64 << 10
)

func (c *checker) dataCSV(d *Data) {
	name := c.relative(d.CSV)
	d.path = name
	if err := readCSV(name, d); err != nil {
		d.Columns, d.Values = nil, nil // the templates then say nothing of columns
		c.addf("data.csv", "%v", err)
	}
}

// readCSV reads the table of d from the CSV file name. Its errors name the
// file and the line, never quote it.
func readCSV(name string, d *Data) error {
	f, err := safefile.Open(name, MaxDataBytes)
	if tl, ok := errors.AsType[*safefile.TooLargeError](err); ok {
		return fmt.Errorf("%v (a data file holds at most %d rows)", tl, maxDataRows)
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %v", name, strictyaml.UnwrapPath(err))
	}
	defer f.Close()
	lines := &lineLimit{r: f, max: MaxDataLine, line: 1}
	r := csv.NewReader(lines)
	r.ReuseRecord = false
	fail := func(err error) error {
		if ll, ok := errors.AsType[*longLineError](err); ok {
			return fmt.Errorf("%s, line %d: longer than %s; a line of a data file is at most that", name, ll.line, safefile.Size(MaxDataLine))
		}
		if tl, ok := errors.AsType[*safefile.TooLargeError](err); ok {
			return fmt.Errorf("%v (a data file holds at most %d rows)", tl, maxDataRows)
		}
		return fmt.Errorf("%s: %v", name, err)
	}
	header, err := r.Read()
	if err == io.EOF {
		return fmt.Errorf("%s is empty; its first line names the columns, such as user,plan", name)
	}
	if err != nil {
		return fail(err)
	}
	for i, col := range header {
		header[i] = strings.TrimSpace(col)
		if header[i] == "" || slices.Contains(header[:i], header[i]) {
			return fmt.Errorf("%s, line 1: column %d is empty or named twice; the first line names each column once", name, i+1)
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err)
		}
		if len(d.Values) == maxDataRows {
			return fmt.Errorf("%s has more than %d rows; fanbench holds the table in memory", name, maxDataRows)
		}
		d.Values = append(d.Values, rec)
	}
	if len(d.Values) == 0 {
		return fmt.Errorf("%s has no rows under its header line", name)
	}
	d.Columns = header
	return nil
}

// lineLimit is a reader that fails with a *longLineError when a line (up
// to a newline) is longer than max bytes, so that a file without line
// breaks is not read whole into one record.
type lineLimit struct {
	r    io.Reader
	max  int
	cur  int // bytes of the current line so far
	line int // the current line, from 1
}

type longLineError struct{ line int }

func (e *longLineError) Error() string { return fmt.Sprintf("line %d is too long", e.line) }

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line++
			l.cur = 0
			continue
		}
		if l.cur++; l.cur > l.max {
			return i, &longLineError{l.line}
		}
	}
	return n, err
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
		if !draws.ValidHeaderName(name) {
			c.addf(at, "%q is not a header name; use letters, digits and - only, such as X-Request-Id", name)
			continue
		}
		c.template(h[name], at, env)
	}
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

// MaxTLSFileBytes bounds a certificate or key file: a bundle of every
// public root is about 200 KiB.
const MaxTLSFileBytes = 1 << 20

// readTLSFile reads a certificate or key file, up to MaxTLSFileBytes.
func readTLSFile(name string) ([]byte, error) {
	data, err := safefile.ReadFile(name, MaxTLSFileBytes)
	if tl, ok := errors.AsType[*safefile.TooLargeError](err); ok {
		return nil, fmt.Errorf("%v for a certificate or key file", tl)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, strictyaml.UnwrapPath(err))
	}
	return data, nil
}

// Config returns the crypto/tls configuration of t.
func (t *TLS) Config() (*tls.Config, error) {
	conf := &tls.Config{InsecureSkipVerify: t.InsecureSkipVerify, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := readTLSFile(t.CAFile)
		if err != nil {
			return nil, err
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
		certPEM, err := readTLSFile(t.CertFile)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errClientCert, err)
		}
		keyPEM, err := readTLSFile(t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errClientCert, err)
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
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
