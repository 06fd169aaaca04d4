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
	"strings"
	"time"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"sigs.k8s.io/yaml"
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
		return fmt.Errorf("expires: %q is not a date of the form YYYY-MM-DD", s)
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

// Validate checks control IDs against the catalog and required fields.
func (c *Config) Validate(cat *catalog.Catalog) error {
	var errs []error
	for _, id := range c.Disable {
		if cat.Get(id) == nil {
			errs = append(errs, fmt.Errorf("disable: unknown control %q", id))
		}
	}
	for i, e := range c.Exceptions {
		if len(e.Controls) == 0 {
			errs = append(errs, fmt.Errorf("exceptions[%d]: controls is required", i))
		}
		for _, id := range e.Controls {
			if id != "*" && cat.Get(id) == nil {
				errs = append(errs, fmt.Errorf("exceptions[%d]: unknown control %q", i, id))
			}
		}
		if strings.TrimSpace(e.Reason) == "" {
			errs = append(errs, fmt.Errorf("exceptions[%d] (%s): reason is required", i, e.String()))
		}
		for _, p := range []string{e.Kind, e.Namespace, e.Name} {
			if _, err := path.Match(p, ""); err != nil {
				errs = append(errs, fmt.Errorf("exceptions[%d]: bad pattern %q", i, p))
			}
		}
	}
	return errors.Join(errs...)
}

// Load reads and validates a configuration file.
func Load(file string, cat *catalog.Catalog) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	if err := yaml.UnmarshalStrict(data, c); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c.File = file
	if err := c.Validate(cat); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// Find looks for FileName next to each scanned path and in their parent folders, up to a folder
// holding .git (the repository root) or the filesystem root; then in the working directory. It
// returns "" when there is none.
func Find(paths []string) string {
	seen := map[string]bool{}
	try := func(dir string) string {
		for {
			if seen[dir] {
				return ""
			}
			seen[dir] = true
			f := filepath.Join(dir, FileName)
			if st, err := os.Stat(f); err == nil && !st.IsDir() {
				return f
			}
			if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
				return ""
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return ""
			}
			dir = parent
		}
	}
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
		if f := try(abs); f != "" {
			return f
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if f := try(wd); f != "" {
			return f
		}
	}
	return ""
}
