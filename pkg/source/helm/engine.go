package helm

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/template"

	"helm.sh/helm/v3/pkg/chart"
)

// This file runs the templates of a chart tree the way Helm's engine does, so that each
// template renders to the same bytes:
//
//   - every template of every chart shares one text/template namespace, so a chart can include
//     what its subcharts define. Templates are parsed deepest chart first and, within a chart
//     depth, in reverse name order; a later {{ define }} of a name replaces an earlier one, so a
//     parent's definitions win over its subcharts';
//   - each chart's templates get the chart's own data: .Values scoped to the chart, .Chart,
//     .Files, .Subcharts, and the shared .Release and .Capabilities; .Template names the file;
//   - templates whose name starts with "_" only define; a library chart only defines;
//   - a missing map key prints as nothing (Helm removes text/template's "<no value>");
//   - include nests at most 1000 deep per template name; tpl renders a string with access to
//     every named template, and names it defines stay inside that tpl call.
//
// Helm stops at the first template that fails and renders nothing. Here each failing template
// is reported with Helm's message and left out, and the others render as they would without it.

// maxIncludeDepth is how many nested include calls of one name Helm allows.
const maxIncludeDepth = 1000

// chartTemplate is one template with the data its chart gives it.
type chartTemplate struct {
	text string
	data map[string]any // shared by all templates of one chart
	base string         // .Template.BasePath
}

// templateError is a template that failed, with Helm's message for the failure.
type templateError struct {
	name string // engine name of the template being rendered
	err  error
}

// renderer is the state of one render of a chart tree.
type renderer struct {
	root *template.Template
	// nesting counts, per template name, the include calls in progress.
	nesting map[string]int
}

// renderTemplates renders every template of the chart tree ch with the top-level data top
// (renderValues) and returns the output per engine name ("shop/charts/db/templates/x.yaml"),
// partials left out, and the templates that failed.
func renderTemplates(ch *chart.Chart, top map[string]any) (map[string]rendering, []templateError) {
	tpls := map[string]chartTemplate{}
	chartData(ch, top, tpls)
	names := make([]string, 0, len(tpls))
	for n := range tpls {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		if da, db := strings.Count(a, "/"), strings.Count(b, "/"); da != db {
			return da > db
		}
		return a > b
	})

	r := &renderer{root: template.New("gotpl"), nesting: map[string]int{}}
	r.root.Option("missingkey=zero")
	funcs := baseFuncs()
	funcs["include"] = r.include(r.root)
	funcs["tpl"] = r.tpl(r.root)
	r.root.Funcs(funcs)

	var errs []templateError
	parsed := make(map[string]bool, len(names))
	for _, n := range names {
		if err := r.parse(n, tpls[n].text); err != nil {
			errs = append(errs, templateError{n, err})
			continue
		}
		parsed[n] = true
	}
	out := make(map[string]rendering, len(names))
	for _, n := range names {
		if !parsed[n] || strings.HasPrefix(path.Base(n), "_") {
			continue
		}
		t := tpls[n]
		t.data["Template"] = values{"Name": n, "BasePath": t.base}
		rd, err := r.execute(n, t.text, t.data)
		if err != nil {
			errs = append(errs, templateError{n, err})
			continue
		}
		out[n] = rd
	}
	return out, errs
}

// chartData builds the data of chart c's templates from its parent's (top for the root chart),
// adds c's templates and those of its subcharts to tpls, and returns the data, which the
// parent's templates see as .Subcharts.<name>.
func chartData(c *chart.Chart, parent map[string]any, tpls map[string]chartTemplate) map[string]any {
	subcharts := map[string]any{}
	data := map[string]any{
		"Chart": struct {
			chart.Metadata
			IsRoot bool
		}{*c.Metadata, c.IsRoot()},
		"Files":        chartFiles(c),
		"Release":      parent["Release"],
		"Capabilities": parent["Capabilities"],
		"Values":       values{},
		"Subcharts":    subcharts,
	}
	if c.IsRoot() {
		data["Values"] = parent["Values"]
	} else if v, err := values(parent).Table("Values." + c.Name()); err == nil {
		data["Values"] = v
	}
	for _, sub := range c.Dependencies() {
		subcharts[sub.Name()] = chartData(sub, data, tpls)
	}
	full := c.ChartFullPath()
	library := isLibrary(c)
	for _, f := range c.Templates {
		if f == nil || (library && !strings.HasPrefix(path.Base(f.Name), "_")) {
			continue
		}
		tpls[path.Join(full, f.Name)] = chartTemplate{text: string(f.Data), data: data, base: path.Join(full, "templates")}
	}
	return data
}

func isLibrary(c *chart.Chart) bool { return strings.EqualFold(c.Metadata.Type, "library") }

// parse adds template name to the namespace. A template that does not parse adds nothing.
func (r *renderer) parse(name, text string) (err error) {
	defer recoverInto(&err)
	if _, err := r.root.New(name).Parse(text); err != nil {
		return parseError(name, err)
	}
	return nil
}

// execute renders template name and records which template line wrote each part of the
// output (see trace.go).
func (r *renderer) execute(name, src string, data any) (rd rendering, err error) {
	defer recoverInto(&err)
	w := newTracer(r.root.Lookup(name), src)
	if err := r.root.ExecuteTemplate(w, name, data); err != nil {
		return rendering{}, execError(name, err)
	}
	return w.result(), nil
}

// recoverInto turns a panic (a template function that panics) into the error Helm reports.
func recoverInto(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("rendering template failed: %v", p)
	}
}

// include returns the include function bound to namespace t: it renders the named template
// with data and returns the text.
func (r *renderer) include(t *template.Template) func(string, any) (string, error) {
	return func(name string, data any) (string, error) {
		if r.nesting[name] > maxIncludeDepth {
			return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
		}
		r.nesting[name]++
		defer func() { r.nesting[name]-- }()
		var b strings.Builder
		err := t.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
}

// tpl returns the tpl function bound to namespace t: it renders text as a template with data.
// The text is parsed into a copy of the namespace, so that it can use every named template but
// what it defines stays its own (and visible to the include and tpl calls inside it).
func (r *renderer) tpl(t *template.Template) func(string, any) (string, error) {
	return func(text string, data any) (string, error) {
		if !definesOrNamesTpl(text) {
			// Nothing the text could add would outlive the call, so the copy of the namespace,
			// which costs as much as the chart has named templates, is not needed: the text is
			// parsed as the template t.Name() of t's own namespace, as in the copy.
			return r.runTpl(t, text, data)
		}
		ns, err := t.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %w", err)
		}
		// A clone does not keep the missingkey option.
		ns.Option("missingkey=zero")
		ns.Funcs(template.FuncMap{"include": r.include(ns), "tpl": r.tpl(ns)})
		return r.runTpl(ns, text, data)
	}
}

// runTpl parses text as a template named like ns and renders it with data.
func (r *renderer) runTpl(ns *template.Template, text string, data any) (string, error) {
	own, err := ns.New(ns.Name()).Parse(text)
	if err != nil {
		return "", fmt.Errorf("cannot parse template %q: %w", text, err)
	}
	var b strings.Builder
	if err := own.Execute(&b, data); err != nil {
		return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
	}
	return strings.ReplaceAll(b.String(), "<no value>", ""), nil
}

// definesOrNamesTpl reports whether tpl text may define named templates, or name the template
// tpl texts are parsed as ("gotpl"): only then does it matter that each tpl call parses into a
// copy of the namespace. Without the copy the text stays in the namespace as "gotpl", where
// Helm's copy would have dropped it: a later {{ include "gotpl" }} would find it. A chart that
// never writes that name can only reach it with a name computed at render time.
func definesOrNamesTpl(text string) bool {
	return strings.Contains(text, "define") || strings.Contains(text, "block") || strings.Contains(text, "gotpl")
}

// parseError words a parse error as Helm does: "parse error at (file:line): message".
func parseError(name string, err error) error {
	parts := strings.Split(err.Error(), ": ")
	if len(parts) == 1 {
		return fmt.Errorf("parse error in (%s): %s", name, err)
	}
	return fmt.Errorf("parse error at (%s): %s", parts[1], parts[len(parts)-1])
}

// chartMessageRE is compiled on first use, as only a failing template needs it.
var chartMessageRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(msgStart + `((?s).*)` + msgEnd) })

// execError words an execution error as Helm does. A required or fail message becomes
// "execution error at (file:line:col): message", where the location is that of the action in
// the template being rendered; other errors keep text/template's wording.
func execError(name string, err error) error {
	if _, ok := err.(template.ExecError); !ok {
		return err
	}
	parts := strings.SplitN(err.Error(), ": ", 3)
	if len(parts) != 3 {
		return fmt.Errorf("execution error in (%s): %s", name, err)
	}
	if m := chartMessageRE().FindStringSubmatch(parts[2]); m != nil {
		return fmt.Errorf("execution error at (%s): %s", parts[1], m[1])
	}
	return err
}
