package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Section is one of the five sections of the guidance, numbered as in the document.
type Section uint8

const (
	SectionPodSecurity Section = iota + 1
	SectionNetwork
	SectionAuth
	SectionLogging
	SectionUpgrades
)

// Sections lists all sections in document order.
var Sections = []Section{SectionPodSecurity, SectionNetwork, SectionAuth, SectionLogging, SectionUpgrades}

var sectionInfo = [...]struct{ key, title string }{
	{},
	{"pod-security", "Kubernetes Pod security"},
	{"network", "Network separation and hardening"},
	{"auth", "Authentication and authorization"},
	{"logging", "Audit logging and threat detection"},
	{"upgrades", "Upgrading and application security practices"},
}

// Key is the short, stable name used in flags and JSON ("pod-security", "network", ...).
func (s Section) Key() string {
	if int(s) < len(sectionInfo) {
		return sectionInfo[s].key
	}
	return ""
}

// Title is the section's heading in the guidance.
func (s Section) Title() string {
	if int(s) < len(sectionInfo) {
		return sectionInfo[s].title
	}
	return ""
}

func (s Section) String() string { return s.Key() }

// ParseSection accepts a key ("network"), a number ("2") or a unique key prefix ("net").
func ParseSection(v string) (Section, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(Sections) {
		return Section(n), nil
	}
	var found Section
	for _, s := range Sections {
		if s.Key() == v {
			return s, nil
		}
		if v != "" && strings.HasPrefix(s.Key(), v) {
			if found != 0 {
				return 0, fmt.Errorf("section %q is ambiguous", v)
			}
			found = s
		}
	}
	if found == 0 {
		keys := make([]string, len(Sections))
		for i, s := range Sections {
			keys[i] = s.Key()
		}
		return 0, fmt.Errorf("unknown section %q (want one of %s, or 1-5)", v, strings.Join(keys, ", "))
	}
	return found, nil
}

func (s Section) MarshalText() ([]byte, error) { return []byte(s.Key()), nil }

func (s *Section) UnmarshalText(b []byte) error {
	v, err := ParseSection(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

func (s Section) MarshalJSON() ([]byte, error) { return json.Marshal(s.Key()) }

func (s *Section) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		var n int
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return err
		}
		str = strconv.Itoa(n)
	}
	return s.UnmarshalText([]byte(str))
}
