package helm

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
)

// This file settles a chart's subcharts before rendering, as `helm template` does: which of
// the charts in charts/ Chart.yaml asks for (and under which alias), which are switched off by
// tags or conditions, and which values each parent imports from its children (import-values).
// The chart tree and its metadata are edited in place.

// processDependencies applies Chart.yaml's dependencies to ch with the user's values user.
func processDependencies(ch *chart.Chart, user map[string]any) error {
	if err := enableDependencies(ch, user, ""); err != nil {
		return err
	}
	return importDependencyValues(ch)
}

// compatible reports whether version satisfies the semver constraint; anything unreadable does
// not.
func compatible(constraint, version string) bool {
	v, err := semver.NewVersion(version)
	if err != nil {
		return false
	}
	c, err := semver.NewConstraint(constraint)
	return err == nil && c.Check(v)
}

// enableDependencies replaces c's subcharts by those Chart.yaml asks for, renamed to their
// aliases, drops those that tags and conditions switch off, and goes on into each remaining one.
// vals are the values of c's parent (the user's values for the root chart); prefix is the path
// of c's values in them ("sub." for a subchart named sub), where conditions are looked up.
func enableDependencies(c *chart.Chart, vals map[string]any, prefix string) error {
	reqs := c.Metadata.Dependencies
	if reqs == nil {
		return nil
	}
	// Charts in charts/ that no Chart.yaml entry matches by name and version stay as they are;
	// each entry gets its own copy of the first chart that matches it, named by its alias.
	var subs []*chart.Chart
	for _, have := range c.Dependencies() {
		if !requested(reqs, have) {
			subs = append(subs, have)
		}
	}
	for _, r := range reqs {
		if r == nil {
			continue
		}
		if sub := instantiate(c.Dependencies(), r); sub != nil {
			subs = append(subs, sub)
		}
		if r.Alias != "" {
			r.Name = r.Alias
		}
	}
	c.SetDependencies(subs...)

	for _, r := range reqs {
		if r != nil {
			r.Enabled = true
		}
	}
	cvals, err := coalesced(c, vals, false)
	if err != nil {
		return err
	}
	applyTags(reqs, cvals)
	applyConditions(reqs, cvals, prefix)

	off := map[string]bool{}
	for _, r := range reqs {
		if r != nil && !r.Enabled {
			off[r.Name] = true
		}
	}
	var keep []*chart.Chart
	for _, sub := range c.Dependencies() {
		if !off[sub.Metadata.Name] {
			keep = append(keep, sub)
		}
	}
	var keepReqs []*chart.Dependency
	for _, r := range reqs {
		if r == nil || !off[r.Name] {
			keepReqs = append(keepReqs, r)
		}
	}
	for _, sub := range keep {
		if err := enableDependencies(sub, cvals, prefix+sub.Metadata.Name+"."); err != nil {
			return err
		}
	}
	c.Metadata.Dependencies = keepReqs
	c.SetDependencies(keep...)
	return nil
}

// requested reports whether a Chart.yaml entry names chart have, at a version it accepts.
func requested(reqs []*chart.Dependency, have *chart.Chart) bool {
	for _, r := range reqs {
		if r != nil && have.Name() == r.Name && compatible(r.Version, have.Metadata.Version) {
			return true
		}
	}
	return false
}

// instantiate returns a shallow copy of the first chart in charts that entry r asks for, with
// its own metadata carrying r's alias as name; nil if none matches.
func instantiate(charts []*chart.Chart, r *chart.Dependency) *chart.Chart {
	for _, c := range charts {
		if c == nil || c.Name() != r.Name || !compatible(r.Version, c.Metadata.Version) {
			continue
		}
		cp := *c
		md := *c.Metadata
		if r.Alias != "" {
			md.Name = r.Alias
		}
		cp.Metadata = &md
		return &cp
	}
	return nil
}

// applyTags switches dependencies by the "tags" map of the values: an entry with at least one
// tag set false and none set true is off; every other entry is on.
func applyTags(reqs []*chart.Dependency, vals values) {
	tags, err := vals.Table("tags")
	if err != nil {
		return
	}
	for _, r := range reqs {
		if r == nil {
			continue
		}
		anyTrue, anyFalse := false, false
		for _, name := range r.Tags {
			if b, ok := tags[name].(bool); ok {
				anyTrue = anyTrue || b
				anyFalse = anyFalse || !b
			}
		}
		r.Enabled = anyTrue || !anyFalse
	}
}

// applyConditions switches dependencies by their condition: the first of its comma-separated
// value paths (under prefix) that holds a boolean decides.
func applyConditions(reqs []*chart.Dependency, vals values, prefix string) {
	for _, r := range reqs {
		if r == nil {
			continue
		}
		for _, p := range strings.Split(strings.TrimSpace(r.Condition), ",") {
			if p == "" {
				continue
			}
			if v, err := vals.PathValue(prefix + p); err == nil {
				if b, ok := v.(bool); ok {
					r.Enabled = b
					break
				}
			}
		}
	}
}

// importDependencyValues does import-values bottom-up: children first, so that what a child
// imported from its own children can be imported further.
func importDependencyValues(c *chart.Chart) error {
	for _, sub := range c.Dependencies() {
		if err := importDependencyValues(sub); err != nil {
			return err
		}
	}
	return importValues(c)
}

// importValues replaces c's values.yaml values by its values merged with its subcharts' (nulls
// kept), and with what its Chart.yaml entries import from the subcharts under them. An import
// is either {child: path, parent: path}, or a name, short for {child: exports.name, parent: .}.
// Imported values rank below the parent's own. Each entry's import-values are rewritten to the
// child/parent form, as Helm leaves them in .Chart.Dependencies.
func importValues(c *chart.Chart) error {
	reqs := c.Metadata.Dependencies
	if reqs == nil {
		return nil
	}
	cvals, err := coalesced(c, nil, true)
	if err != nil {
		return err
	}
	imported := map[string]any{}
	for _, r := range reqs {
		if r == nil {
			continue
		}
		var rewritten []any
		for _, iv := range r.ImportValues {
			var child, parent string
			switch iv := iv.(type) {
			case map[string]any:
				child, parent = fmt.Sprintf("%v", iv["child"]), fmt.Sprintf("%v", iv["parent"])
			case string:
				child, parent = "exports."+iv, "."
			default:
				continue
			}
			rewritten = append(rewritten, map[string]string{"child": child, "parent": parent})
			t, err := cvals.Table(r.Name + "." + child)
			if err != nil {
				continue
			}
			from := t.AsMap()
			if parent != "." {
				from = nest(strings.Split(parent, "."), from)
			}
			imported = coalesceMaps(imported, from, true)
		}
		r.ImportValues = rewritten
	}
	c.Values = coalesceMaps(copyMap(cvals), imported, true)
	return nil
}

// nest wraps m in one map per key of path: nest([a b], m) is {a: {b: m}}.
func nest(path []string, m map[string]any) map[string]any {
	for i := len(path) - 1; i >= 0; i-- {
		m = map[string]any{path[i]: m}
	}
	return m
}
