package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Severity orders how much a failed control matters. The zero value means "unset".
type Severity uint8

const (
	SeverityLow Severity = iota + 1
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", s)
}

// Weight is the severity's weight in compliance scores (see the README's scoring section):
// each step doubles, so one critical failure weighs as much as eight low ones.
func (s Severity) Weight() float64 {
	switch s {
	case SeverityCritical:
		return 8
	case SeverityHigh:
		return 4
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// ParseSeverity accepts the names above in any case, and their first letters.
func ParseSeverity(s string) (Severity, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	for i, n := range severityNames {
		if i > 0 && (l == n || l == n[:1]) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want low, medium, high or critical)", s)
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

func (s *Severity) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return errors.New("want low, medium, high or critical")
	}
	return s.UnmarshalText([]byte(str))
}
