package helm

import (
	"fmt"
	"io"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// This file computes the values a chart's templates see: the user's values laid over each
// chart's values.yaml, subchart by subchart, with globals passed down. The rules are Helm's, and
// so are their quirks (where a null deletes a key and where it stays, which maps are shared
// while globals are copied down), since a chart renders differently when any of them differs:
//
//   - the higher level wins: user values over the chart's values.yaml, a parent's values for a
//     subchart over the subchart's own values.yaml;
//   - maps merge key by key; scalars and lists replace;
//   - a user null deletes the key it names, including the chart's default for it;
//   - a subchart sees its parent's values under its own name, plus the parent's "global" map.
//
// Helm's warnings about values it skips (a map over a scalar and the like) are not repeated:
// they change nothing in the output.

const globalKey = "global"

// values is the type of .Values and .Template. Helm gives them a named map type with methods,
// and because text/template looks a method up before a map key, {{ .Values.Table }} calls the
// method even when values.yaml has a key "Table". Having the same methods keeps that true.
type values map[string]any

// YAML returns the values as YAML.
func (v values) YAML() (string, error) {
	b, err := yaml.Marshal(v)
	return string(b), err
}

// AsMap returns the values as a plain map, never nil.
func (v values) AsMap() map[string]any {
	if len(v) == 0 {
		return map[string]any{}
	}
	return v
}

// Encode writes the values as YAML to w.
func (v values) Encode(w io.Writer) error {
	b, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Table returns the map at a dotted path ("a.b"). On failure it returns, with the error, the
// last map it reached (or an empty one when the path ends at a non-map), as Helm does.
func (v values) Table(name string) (values, error) {
	t := v
	for _, k := range strings.Split(name, ".") {
		e, ok := t[k]
		if !ok {
			return t, noTableError{k}
		}
		switch m := e.(type) {
		case map[string]any:
			t = m
		case values:
			t = m
		default:
			return values{}, noTableError{k}
		}
	}
	return t, nil
}

// PathValue returns the non-map value at a dotted path ("a.b.c").
func (v values) PathValue(p string) (any, error) {
	if p == "" {
		return nil, fmt.Errorf("YAML path cannot be empty")
	}
	keys := strings.Split(p, ".")
	last := keys[len(keys)-1]
	t := v
	if len(keys) > 1 {
		var err error
		if t, err = v.Table(strings.Join(keys[:len(keys)-1], ".")); err != nil {
			return nil, noValueError{last}
		}
	}
	if e, ok := t[last]; ok && !isTable(e) {
		return e, nil
	}
	return nil, noValueError{last}
}

type noTableError struct{ key string }

func (e noTableError) Error() string { return fmt.Sprintf("%q is not a table", e.key) }

type noValueError struct{ key string }

func (e noValueError) Error() string { return fmt.Sprintf("%q is not a value", e.key) }

// isTable reports whether v is a values map. Only the plain map type counts, as in Helm: a
// nested map is always plain, since it comes from YAML, JSON or --set.
func isTable(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// deepCopy copies maps and lists all the way down; nil maps and lists stay nil.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			return t
		}
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		if t == nil {
			return t
		}
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

func copyMap(m map[string]any) map[string]any {
	c, _ := deepCopy(m).(map[string]any)
	return c
}

// coalesced returns the values of chart ch and all its subcharts with user values laid over
// them. user is not modified. keepNulls keeps null values (Helm's "merge", used while
// dependencies are processed, so that a null still deletes a default in the final pass).
func coalesced(ch *chart.Chart, user map[string]any, keepNulls bool) (values, error) {
	dst := copyMap(user)
	if dst == nil {
		dst = map[string]any{}
	}
	err := coalesceChart(ch, dst, keepNulls)
	return dst, err
}

// coalesceChart lays chart c's values.yaml under dst, then does the same for each subchart
// with dst[subchart] and the globals of dst.
func coalesceChart(c *chart.Chart, dst map[string]any, keepNulls bool) error {
	addDefaults(c, dst, keepNulls)
	for _, sub := range c.Dependencies() {
		name := sub.Name()
		cur, ok := dst[name]
		if !ok {
			cur = map[string]any{}
			dst[name] = cur
		}
		sv, ok := cur.(map[string]any)
		if !ok {
			return fmt.Errorf("type mismatch on %s: %t", name, cur)
		}
		passGlobals(sv, dst)
		if err := coalesceChart(sub, sv, keepNulls); err != nil {
			return err
		}
		dst[name] = sv
	}
	return nil
}

// passGlobals merges the "global" map of parent into the one of child, the parent winning.
// Like Helm it copies only the top level of each global map: deeper maps end up shared between
// parent and child.
func passGlobals(child, parent map[string]any) {
	cg, pg := map[string]any{}, map[string]any{}
	if g, ok := child[globalKey]; ok {
		if cg, ok = g.(map[string]any); !ok {
			return
		}
	}
	if g, ok := parent[globalKey]; ok {
		if pg, ok = g.(map[string]any); !ok {
			return
		}
	}
	for k, pv := range pg {
		cv, inChild := cg[k]
		if pm, ok := pv.(map[string]any); ok {
			top := make(map[string]any, len(pm))
			for kk, vv := range pm {
				top[kk] = vv
			}
			if !inChild {
				cg[k] = top
			} else if cm, ok := cv.(map[string]any); ok {
				coalesceMaps(top, cm, true)
				cg[k] = top
			}
			continue
		}
		if inChild && isTable(cv) {
			continue
		}
		cg[k] = pv
	}
	child[globalKey] = cg
}

// addDefaults lays a copy of chart c's values.yaml under v: keys v lacks are added, maps v has
// are merged (v winning), and a null in v deletes the key unless keepNulls. Maps for subcharts
// always keep their nulls here: they are resolved when the subchart itself is coalesced.
func addDefaults(c *chart.Chart, v map[string]any, keepNulls bool) {
	for k, def := range copyMap(c.Values) {
		cur, ok := v[k]
		if !ok {
			v[k] = def
			continue
		}
		if cur == nil && !keepNulls {
			delete(v, k)
			continue
		}
		cm, ok := cur.(map[string]any)
		if !ok {
			continue
		}
		dm, ok := def.(map[string]any)
		if !ok {
			continue
		}
		coalesceMaps(cm, dm, keepNulls || isSubchart(c, k))
	}
}

func isSubchart(c *chart.Chart, name string) bool {
	for _, d := range c.Dependencies() {
		if d.Name() == name {
			return true
		}
	}
	return false
}

// coalesceMaps lays src under dst, dst winning, recursively, and returns dst. Without keepNulls,
// a null in dst deletes the key when src has a non-null value for it (the user removing a
// default) and stays when src has none. src is modified: nulls of dst are copied into it, as
// Helm does (it matters where src is shared, as global maps are).
func coalesceMaps(dst, src map[string]any, keepNulls bool) map[string]any {
	if src == nil {
		return dst
	}
	if dst == nil {
		return src
	}
	srcSet := make(map[string]bool, len(src))
	for k, v := range src {
		if v != nil {
			srcSet[k] = true
		}
	}
	for k, v := range dst {
		if v == nil {
			src[k] = nil
		}
	}
	for k, sv := range src {
		dv, ok := dst[k]
		switch {
		case ok && dv == nil && !keepNulls && srcSet[k]:
			delete(dst, k)
		case !ok:
			dst[k] = sv
		case isTable(sv):
			if dm, ok := dv.(map[string]any); ok {
				coalesceMaps(dm, sv.(map[string]any), keepNulls)
			}
		}
	}
	return dst
}
