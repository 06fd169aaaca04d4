package engine

import (
	"fmt"
	"time"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// Status is the verdict of a control on an object. It is a byte, not a string, because a
// large scan holds millions of findings; reports spell it with String.
type Status uint8

const (
	StatusFail Status = iota + 1
	StatusPass
	StatusNotAssessed
	// StatusExempt is a failure accepted by an exception or annotation. It is listed only on
	// request but always counted in the summary.
	StatusExempt
)

var statusNames = [...]string{StatusFail: "fail", StatusPass: "pass", StatusNotAssessed: "not-assessed", StatusExempt: "exempt"}

// String returns the status as reports spell it: "fail", "pass", "not-assessed", "exempt".
func (s Status) String() string {
	if int(s) < len(statusNames) && statusNames[s] != "" {
		return statusNames[s]
	}
	return "unknown"
}

// MarshalText spells the status as String does.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status as String spells it.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n != "" && n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("unknown status %q", b)
}

// Finding is one result row: a failing field, a pass (on request), a pair that could not be
// assessed, or an exempted failure.
type Finding struct {
	Control *catalog.Control
	Object  *inventory.Object
	Path    string
	Line    int
	Message string
	// Exemption says what accepted an exempt finding.
	Exemption *Exemption
	Status    Status
	Severity  catalog.Severity
}

// File is the file the finding points at, if any: the object's, or that of the patch that set
// the field (see inventory.Object.Place).
func (f *Finding) File() string {
	if f.Object.Patched == nil {
		return f.Object.Origin.File
	}
	return f.Object.FileAt(f.Path, f.Line)
}

// Exemption records why a failure was accepted.
type Exemption struct {
	Reason string `json:"reason"`
	// Source is "annotation" or the configuration file and exception index.
	Source  string       `json:"source"`
	Expires *config.Date `json:"expires,omitempty"`
	Owner   string       `json:"owner,omitempty"`
	Ticket  string       `json:"ticket,omitempty"`
}

// Counts tallies control × object pairs by verdict.
type Counts struct {
	Pass        int `json:"pass"`
	Fail        int `json:"fail"`
	NotAssessed int `json:"notAssessed"`
	Exempt      int `json:"exempt"`
}

// SectionScore is the compliance score of one section of the guidance.
type SectionScore struct {
	Section catalog.Section `json:"section"`
	Title   string          `json:"title"`
	Counts
	// Score is 100 × (weight of passed pairs) / (weight of passed + failed pairs), with each
	// pair weighted by its control's severity. Nil when nothing in the section was assessed.
	Score *float64 `json:"score"`

	passW, failW float64
}

// ExpiredException is an exception whose last day has passed: it no longer applies, and every
// run reports it until it is renewed or removed, whether or not it still matches a failure.
type ExpiredException struct {
	Exception string      `json:"exception"`
	Expired   config.Date `json:"expired"`
	Source    string      `json:"source"`
	// Findings counts the failures it would still have covered (0 when it matches none).
	Findings int `json:"findings"`
}

// UnusedException is an exception of the configuration that accepted no failure in a run: stale,
// or about objects the run did not scan.
type UnusedException struct {
	Exception string `json:"exception"`
	Source    string `json:"source"`
}

// Summary aggregates a run.
type Summary struct {
	Counts
	// Findings counts failing findings (not pairs) by severity.
	BySeverity map[string]int     `json:"bySeverity"`
	Score      *float64           `json:"score"`
	Sections   []SectionScore     `json:"sections"`
	Expired    []ExpiredException `json:"expiredExceptions"`
	// Unused lists the configuration's exceptions that accepted no failure in this run.
	Unused []UnusedException `json:"unusedExceptions,omitempty"`
	// Controls is the number of controls that ran.
	Controls int `json:"controls"`
	// Complete says the inventory was treated as a whole cluster.
	Complete bool            `json:"complete"`
	Inputs   inventory.Stats `json:"inputs"`
	// Unavailable lists kinds the source could not read, with the reason.
	Unavailable map[string]string `json:"unavailable,omitempty"`
	Config      string            `json:"config,omitempty"`
}

// Result is everything a report writer needs.
type Result struct {
	Findings []Finding
	Summary  Summary
	Errors   []inventory.InputError
	// Started is when the run began, for reports that carry a timestamp.
	Started time.Time
	Catalog *catalog.Catalog
	// ShowPassed and ShowExempt are the options the findings were listed with, so that a report
	// can tell "nothing passed" from "passes were not asked for".
	ShowPassed, ShowExempt bool
}

// MaxFailSeverity returns the highest severity among failing findings, or 0.
func (r *Result) MaxFailSeverity() catalog.Severity {
	var max catalog.Severity
	for i := range r.Findings {
		if f := &r.Findings[i]; f.Status == StatusFail && f.Severity > max {
			max = f.Severity
		}
	}
	return max
}
