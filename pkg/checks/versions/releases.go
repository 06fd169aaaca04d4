package versions

// The Kubernetes release table (data/releases.json) and version arithmetic shared by UP-01 and
// UP-08.

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Version is a Kubernetes version reduced to the numbers that matter for support and CVEs. Vendor
// suffixes (v1.29.3-eks-adc7111, v1.28.5+k3s1, v1.27.8-gke.1067000) are kept in Raw only: the
// upstream patch level is what a fix was released in.
type Version struct {
	Major, Minor, Patch int
	Raw                 string
}

// ParseVersion reads "v1.28.3", "1.28", "v1.29.3-eks-adc7111" and the like.
func ParseVersion(s string) (Version, error) {
	v := Version{Raw: s}
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(t, "-+"); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("%q is not a Kubernetes version", s)
	}
	nums := []*int{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("%q is not a Kubernetes version", s)
		}
		*nums[i] = n
	}
	return v, nil
}

// Compare orders versions by major, minor and patch.
func (v Version) Compare(o Version) int {
	switch {
	case v.Major != o.Major:
		return v.Major - o.Major
	case v.Minor != o.Minor:
		return v.Minor - o.Minor
	}
	return v.Patch - o.Patch
}

// MinorString is "1.28".
func (v Version) MinorString() string { return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) }

// String is "1.28.3".
func (v Version) String() string { return v.MinorString() + "." + strconv.Itoa(v.Patch) }

// Release is one row of the release table.
type Release struct {
	Minor     string `json:"minor"`
	Released  string `json:"released"`
	EndOfLife string `json:"endOfLife"`
	// Projected marks dates that were not yet published when the table was reviewed.
	Projected bool `json:"projected,omitempty"`

	version Version
	eol     time.Time
}

// ReleaseTable is data/releases.json.
type ReleaseTable struct {
	// Reviewed is the date the table was last checked against the release history.
	Reviewed string `json:"reviewed"`
	Note     string `json:"note"`
	// Skew is the kubelet version skew policy: from each API server minor on, how many minors
	// older a kubelet may be. Newest first.
	Skew []struct {
		Since              string `json:"since"`
		KubeletOlderMinors int    `json:"kubeletOlderMinors"`
	} `json:"skew"`
	Releases []Release `json:"releases"`
}

//go:embed data/releases.json
var releasesJSON []byte

// Releases returns the embedded release table, parsed on first use: only live clusters and nodes
// have versions to judge, and parsing it at start-up cost every command.
var Releases = sync.OnceValue(func() *ReleaseTable { return mustReleases(releasesJSON) })

func mustReleases(data []byte) *ReleaseTable {
	t, err := parseReleases(data)
	if err != nil {
		panic("versions: embedded release table: " + err.Error())
	}
	return t
}

func parseReleases(data []byte) (*ReleaseTable, error) {
	t := &ReleaseTable{}
	if err := json.Unmarshal(data, t); err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.DateOnly, t.Reviewed); err != nil {
		return nil, fmt.Errorf("reviewed: %v", err)
	}
	for i := range t.Releases {
		r := &t.Releases[i]
		v, err := ParseVersion(r.Minor)
		if err != nil {
			return nil, err
		}
		if i > 0 && v.Compare(t.Releases[i-1].version) <= 0 {
			return nil, fmt.Errorf("release %s is out of order", r.Minor)
		}
		r.version = v
		if r.eol, err = time.Parse(time.DateOnly, r.EndOfLife); err != nil {
			return nil, fmt.Errorf("release %s: %v", r.Minor, err)
		}
		if _, err := time.Parse(time.DateOnly, r.Released); err != nil {
			return nil, fmt.Errorf("release %s: %v", r.Minor, err)
		}
	}
	if len(t.Releases) == 0 {
		return nil, fmt.Errorf("no releases")
	}
	return t, nil
}

// Support is what the table says about a version on a given day.
type Support struct {
	Release *Release
	// Supported is false after the release's end of life.
	Supported bool
	// DaysLeft is the number of days until the end of life (negative once past).
	DaysLeft int
	// Older is set when the version is older than every release in the table (long unsupported);
	// Newer when it is newer than the table knows (the table needs a review).
	Older, Newer bool
}

// Lookup says whether v's minor release is supported on day now.
func (t *ReleaseTable) Lookup(v Version, now time.Time) Support {
	first, last := &t.Releases[0], &t.Releases[len(t.Releases)-1]
	mv := Version{Major: v.Major, Minor: v.Minor}
	switch {
	case mv.Compare(first.version) < 0:
		return Support{Older: true}
	case mv.Compare(last.version) > 0:
		return Support{Newer: true, Supported: true}
	}
	for i := range t.Releases {
		r := &t.Releases[i]
		if r.version.Compare(mv) == 0 {
			day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
			left := int(r.eol.Sub(day).Hours() / 24)
			return Support{Release: r, Supported: left >= 0, DaysLeft: left}
		}
	}
	// A minor missing from the middle of the table cannot happen with a well-formed table;
	// treat it as unknown rather than guess.
	return Support{Newer: true, Supported: true}
}

// MaxKubeletSkew is how many minors older than an API server of version api a kubelet may be.
func (t *ReleaseTable) MaxKubeletSkew(api Version) int {
	for _, s := range t.Skew {
		since, err := ParseVersion(s.Since)
		if err == nil && api.Compare(since) >= 0 {
			return s.KubeletOlderMinors
		}
	}
	return 2
}
