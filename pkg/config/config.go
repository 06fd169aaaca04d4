// Package config reads .kubeharden.yaml: which controls to run, the minimum severity, and the
// exceptions that accept a known risk for named objects, each with a reason and an expiry date.
//
// Exceptions are data kept next to the manifests (reviewed like code), not flags, so that
// accepting a risk leaves a trace: the reason, an owner or ticket, and a date after which the
// exception stops applying and is reported as expired.
package config

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// FileName is the configuration file looked for next to the scanned files.
const FileName = ".kubeharden.yaml"

// Config is the content of a configuration file.
type Config struct {
	// Disable lists control IDs that are not run at all.
	Disable []string `json:"disable,omitempty"`
	// MinSeverity skips controls whose severity is below it.
	MinSeverity catalog.Severity `json:"minSeverity,omitempty"`
	// FailOn is the default for --fail-on.
	FailOn catalog.Severity `json:"failOn,omitempty"`
	// AnnotationExemptions allows the kubeharden.io/exempt object annotation (default true).
	// Platform teams that do not want workload owners to exempt themselves set it to false.
	AnnotationExemptions *bool `json:"annotationExemptions,omitempty"`
	// Exceptions accept failures of named controls on matching objects.
	Exceptions []Exception `json:"exceptions,omitempty"`

	// File is where the configuration was read from ("" for defaults).
	File string `json:"-"`
}

// Exception accepts the failures of some controls on the objects it matches.
type Exception struct {
	// Controls lists control IDs; "*" matches every control.
	Controls []string `json:"controls"`
	// Kind, Namespace and Name are shell globs (path.Match); empty matches anything.
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	// Reason is required: an exception without a why is a silent suppression.
	Reason string `json:"reason"`
	// Expires, when set, is the last day (UTC) the exception applies.
	Expires *Date  `json:"expires,omitempty"`
	Owner   string `json:"owner,omitempty"`
	Ticket  string `json:"ticket,omitempty"`
}

// Date is a calendar day written as YYYY-MM-DD.
type Date struct{ time.Time }

func (d *Date) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return errors.New("want a date as YYYY-MM-DD")
	}
	d.Time = t
	return nil
}

func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(time.DateOnly) + `"`), nil }

// Expired reports whether the exception no longer applies at now: it applies through the whole
// of its expiry day.
func (e *Exception) Expired(now time.Time) bool {
	return e.Expires != nil && now.UTC().After(e.Expires.Add(24*time.Hour))
}

// Matches reports whether the exception covers control id on the object identified by kind,
// namespace and name. Expiry is not considered here.
func (e *Exception) Matches(id, kind, namespace, name string) bool {
	return e.coversControl(id) && glob(e.Kind, kind) && glob(e.Namespace, namespace) && glob(e.Name, name)
}

func (e *Exception) coversControl(id string) bool {
	for _, c := range e.Controls {
		if c == "*" || strings.EqualFold(c, id) {
			return true
		}
	}
	return false
}

// String describes the exception's scope for messages.
func (e *Exception) String() string {
	scope := func(s string) string {
		if s == "" {
			return "*"
		}
		return s
	}
	return fmt.Sprintf("%s on %s %s/%s", strings.Join(e.Controls, ","), scope(e.Kind), scope(e.Namespace), scope(e.Name))
}

func glob(pattern, s string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// AllowsAnnotations reports whether kubeharden.io/exempt annotations are honoured.
func (c *Config) AllowsAnnotations() bool {
	return c == nil || c.AnnotationExemptions == nil || *c.AnnotationExemptions
}

// Disabled reports whether a control is switched off by Disable or MinSeverity.
func (c *Config) Disabled(ctl *catalog.Control) bool {
	if c == nil {
		return false
	}
	if c.MinSeverity != 0 && ctl.Severity < c.MinSeverity {
		return true
	}
	for _, id := range c.Disable {
		if strings.EqualFold(id, ctl.ID) {
			return true
		}
	}
	return false
}

// Validate checks control IDs against the catalog and required fields. Each problem is a
// *FieldError naming the field's path, so that Load can say on which line it is.
func (c *Config) Validate(cat *catalog.Catalog) error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	for i, id := range c.Disable {
		if cat.Get(id) == nil {
			bad(fmt.Sprintf("disable[%d]", i), "unknown control %q", id)
		}
	}
	for i, e := range c.Exceptions {
		at := fmt.Sprintf("exceptions[%d]", i)
		if len(e.Controls) == 0 {
			bad(at, "controls is required")
		}
		for j, id := range e.Controls {
			if id != "*" && cat.Get(id) == nil {
				bad(fmt.Sprintf("%s.controls[%d]", at, j), "unknown control %q", id)
			}
		}
		if strings.TrimSpace(e.Reason) == "" {
			bad(at, "(%s) reason is required", e.String())
		}
		for _, f := range []struct{ name, pattern string }{{"kind", e.Kind}, {"namespace", e.Namespace}, {"name", e.Name}} {
			if _, err := path.Match(f.pattern, ""); err != nil {
				bad(at+"."+f.name, "bad pattern %q", f.pattern)
			}
		}
	}
	return errors.Join(errs...)
}

// FieldError is a problem with one field of a configuration.
type FieldError struct {
	Path string // as in exceptions[2].controls[0]
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// Load reads and validates a configuration file. Every problem is reported with the file and
// the line of the field, as the manifest loader reports manifests: a configuration that is not
// what its author meant (an unknown key, a second YAML document, a wrong type, an ID that is not
// a control) is an error, never silently ignored.
func Load(file string, cat *catalog.Catalog) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(file, data, cat)
}

// Parse is Load for a configuration already read; file names it in errors.
func Parse(file string, data []byte, cat *catalog.Catalog) (*Config, error) {
	at := func(line int, msg string) error {
		if line > 0 {
			return fmt.Errorf("%s:%d: %s", file, line, msg)
		}
		return fmt.Errorf("%s: %s", file, msg)
	}
	c := &Config{File: file}
	docs, errs := yamldoc.Parse(data, yamldoc.Options{MaxDepth: 64, MaxAliasNodes: 10_000})
	if len(errs) > 0 {
		var ye *yamldoc.Error
		if errors.As(errs[0], &ye) {
			return nil, at(ye.Line, ye.Msg)
		}
		return nil, at(0, errs[0].Error())
	}
	var root *yamldoc.Node
	for _, d := range docs {
		if d.Root == nil {
			continue
		}
		if root != nil {
			return nil, at(d.Root.Line, "a second YAML document; a configuration file holds one")
		}
		root = d.Root
	}
	if root == nil || root.IsNull() {
		return c, nil
	}
	if root.Kind != yamldoc.MappingNode {
		return nil, at(root.Line, "the configuration must be a mapping of settings (minSeverity, disable, exceptions, ...)")
	}
	if n, path := unknownField(root, reflect.TypeFor[Config](), ""); n != nil {
		return nil, at(n.Line, fmt.Sprintf("unknown setting %q", path))
	}
	if err := yamldoc.Decode(root, c, yamldoc.Options{}); err != nil {
		var de *yamldoc.DecodeError
		if errors.As(err, &de) {
			msg := de.Msg
			if de.Path != "" {
				msg = de.Path + ": " + msg
			}
			return nil, at(de.Line, msg)
		}
		return nil, at(0, err.Error())
	}
	if err := c.Validate(cat); err != nil {
		var out []error
		for _, e := range unjoin(err) {
			line := 0
			var fe *FieldError
			if errors.As(e, &fe) {
				if n := nodeAt(root, fe.Path); n != nil {
					line = n.Line
				}
			}
			out = append(out, at(line, e.Error()))
		}
		return nil, errors.Join(out...)
	}
	return c, nil
}

// describeConfig names a configuration file in Find's error, or its absence.
func describeConfig(file string) string {
	if file == "" {
		return "no " + FileName
	}
	return file
}

// unjoin returns the errors joined by errors.Join, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// unknownField returns the first mapping key under n that the JSON names of t's fields do not
// have (t a struct, or a slice of structs for a sequence), with its path.
func unknownField(n *yamldoc.Node, t reflect.Type, path string) (*yamldoc.Node, string) {
	n = n.Resolve()
	if n == nil {
		return nil, ""
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Slice && n.Kind == yamldoc.SequenceNode:
		for i, item := range n.Content {
			if bad, p := unknownField(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); bad != nil {
				return bad, p
			}
		}
	case t.Kind() == reflect.Struct && n.Kind == yamldoc.MappingNode && t != reflect.TypeFor[Date]():
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.IsExported() && name != "-" && name != "" {
				fields[name] = f.Type
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.IsMergeKey() {
				continue // "<<: *base" merges a mapping; its keys are checked where it is written
			}
			p := key.Value
			if path != "" {
				p = path + "." + key.Value
			}
			ft, ok := fields[key.Value]
			if !ok {
				return key, p
			}
			if bad, bp := unknownField(val, ft, p); bad != nil {
				return bad, bp
			}
		}
	}
	return nil, ""
}

// nodeAt finds the node at a path such as exceptions[2].controls[0].
func nodeAt(root *yamldoc.Node, path string) *yamldoc.Node {
	n := root
	for part := range strings.SplitSeq(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if n = n.Get(name); n == nil {
			return nil
		}
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			i, err := strconv.Atoi(idx)
			if err != nil {
				return nil
			}
			if n = n.Index(i); n == nil {
				return nil
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return n
}

// Find looks for FileName next to each scanned path and in their parent folders, up to a folder
// holding .git (the repository root) or the filesystem root; then in the working directory. It
// returns "" when there is none.
//
// A run has one configuration. When the scanned paths have different nearest files, Find
// returns an error naming them rather than choosing one: applying one folder's exceptions to
// another folder's files, and ignoring the other folder's, would both happen without a word.
func Find(paths []string) (string, error) {
	memo := map[string]string{}
	var nearest func(dir string) string
	nearest = func(dir string) string {
		if f, ok := memo[dir]; ok {
			return f
		}
		f := filepath.Join(dir, FileName)
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			f = ""
			_, gitErr := os.Stat(filepath.Join(dir, ".git"))
			if parent := filepath.Dir(dir); gitErr != nil && parent != dir {
				f = nearest(parent)
			}
		}
		memo[dir] = f
		return f
	}
	// A path with no file of its own gets the working directory's, as a run of it alone would.
	inWD := sync.OnceValue(func() string {
		if wd, err := os.Getwd(); err == nil {
			return nearest(wd)
		}
		return ""
	})
	found, foundFor, first := "", "", true
	for _, p := range paths {
		if p == "-" || strings.Contains(p, "://") {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if st, err := os.Stat(abs); err == nil && !st.IsDir() {
			abs = filepath.Dir(abs)
		}
		f := nearest(abs)
		if f == "" {
			f = inWD()
		}
		if first {
			found, foundFor, first = f, p, false
			continue
		}
		if f != found {
			// A path whose configuration differs (none counts) would be governed by the other's.
			return "", fmt.Errorf("%s (for %s) and %s (for %s) differ, and a run reads one configuration: scan them separately, or choose one with --config",
				describeConfig(found), foundFor, describeConfig(f), p)
		}
	}
	if first { // only stdin or URLs: the working directory's
		return inWD(), nil
	}
	return found, nil
}
