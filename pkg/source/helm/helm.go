// Package helm renders Helm charts (chart folders and packaged .tgz charts) and reads the output
// into an inventory whose objects name the chart's template files and, where it can be told, the
// template line of each field (see mapping.go).
//
// Rendering is what `helm template` does, without a cluster and without the network: the chart's
// templates run on the chart's values, the user's values files and --set flags, with built-in
// capabilities (Kubernetes DefaultKubeVersion, every API version client-go knows) and a lookup
// function that finds nothing. Dependencies must already be in the chart's charts/ folder
// (`helm dependency build`); missing ones are reported, not downloaded. Hooks and test pods
// are rendered and assessed like any object, since they run in the cluster too. values.schema.json
// is not checked: its $refs may point at the network, and a scanner assesses what renders.
//
// A template that fails (a `required` value not given, a `fail` call, a syntax error) is
// reported as an input error naming its file and line and is left out; the rest of the chart
// is still rendered and assessed.
//
// Why not Helm's engine: Helm's pkg/engine and pkg/chartutil link client-go's discovery and
// dynamic clients (for lookup), build client-go's whole kubernetes scheme at start-up (for the
// API version list) and compile JSON metaschemas in init (for values.schema.json). That more
// than doubles the size of a binary that only renders, and a process's memory grows with the
// size of its binary, before any chart is read. So this package uses only Helm's light packages
// (chart types, the loader for folders and archives, strvals for --set) and does the rest itself:
// the template set-up and Helm's function set (engine.go, funcs.go, files.go), values coalescing
// (values.go), dependency processing (dependencies.go) and the built-in objects
// (capabilities.go). Its rules are Helm's, quirks included; differential tests render charts
// with Helm's engine and with this package and require the same bytes from every template.
package helm

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/redact"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

// DefaultKubeVersion is the Kubernetes version templates see in .Capabilities.KubeVersion: the
// release whose API types kubeharden is built with. The SDK's own default (1.20) would make
// charts that test the version pick long-removed APIs.
const DefaultKubeVersion = "v1.37.0"

// ChartFile is the file that makes a folder a chart.
const ChartFile = "Chart.yaml"

// Options configure rendering. The zero value renders a chart as `helm template CHART` would.
type Options struct {
	// Values are the user's values (from ReadValues), merged over each chart's values.yaml.
	Values map[string]any
	// ReleaseName is .Release.Name; "" uses the chart's name.
	ReleaseName string
	// Namespace is .Release.Namespace and the namespace of objects that do not name one;
	// "" means "default".
	Namespace string
	// KubeVersion is .Capabilities.KubeVersion; "" means DefaultKubeVersion.
	KubeVersion string
}

// IsChart reports whether dir holds a Helm chart (a Chart.yaml).
func IsChart(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ChartFile))
	return err == nil && st.Mode().IsRegular()
}

// IsArchive reports whether file is named like a packaged chart.
func IsArchive(file string) bool {
	return manifest.IsChartArchiveName(file)
}

// ReadValues merges values files, then --set and then --set-string assignments, in that order
// and with Helm's semantics (later files override earlier ones key by key; strvals syntax for
// the assignments).
func ReadValues(files, set, setString []string) (map[string]any, error) {
	vals := map[string]any{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("values file %s: %w", f, err)
		}
		cur := map[string]any{}
		if err := yaml.Unmarshal(data, &cur); err != nil {
			return nil, fmt.Errorf("values file %s: %s", f, redact.Message(err.Error()))
		}
		if cur == nil {
			cur = map[string]any{}
		}
		vals = mergeMaps(vals, cur)
	}
	// An assignment that does not parse is named by its place, not quoted: its value may be a
	// password.
	// The parser's message quotes keys, and what it takes for a key may be the end of a value
	// with a comma in it: quoted text is left out too.
	for i, s := range set {
		if err := strvals.ParseInto(s, vals); err != nil {
			return nil, fmt.Errorf("--set number %d: %s", i+1, redact.Quoted(err.Error()))
		}
	}
	for i, s := range setString {
		if err := strvals.ParseIntoString(s, vals); err != nil {
			return nil, fmt.Errorf("--set-string number %d: %s", i+1, redact.Quoted(err.Error()))
		}
	}
	return vals, nil
}

// mergeMaps is Helm's merge of values files: maps merge recursively, anything else replaces.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]any); ok {
			if bv, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(bv, v)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// Render renders the chart at path (a folder with Chart.yaml or a packaged .tgz) and reads its
// objects. Problems become inventory errors; Render itself never fails.
func Render(chartPath string, opts Options) *inventory.Inventory {
	inv := &inventory.Inventory{}
	archive := !isDir(chartPath)
	chartFile := chartPath
	if !archive {
		chartFile = filepath.Join(chartPath, ChartFile)
	}
	fail := func(file string, line int, format string, args ...any) {
		inv.Errors = append(inv.Errors, inventory.InputError{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	ch, err := loader.Load(chartPath)
	if err != nil {
		file, line, msg := chartFile, 0, err.Error()
		// Helm names the chart file it could not parse and sigs.k8s.io/yaml the line; in a chart
		// folder that is a place to point at (in an archive the line is inside the archive).
		if m := loadError().FindStringSubmatch(msg); m != nil && !archive {
			file, msg = filepath.Join(chartPath, m[1]), m[1]+": "+m[3]
			line, _ = strconv.Atoi(m[2])
		}
		fail(file, line, "loading the Helm chart: %s", msg)
		return inv
	}
	if isLibrary(ch) {
		inv.Stats.SkippedFiles = append(inv.Stats.SkippedFiles, inventory.SkippedFile{File: chartFile, Reason: "library chart: it renders no objects itself"})
		return inv
	}
	// Where each template and file of the chart and its subcharts lives on disk (or in which
	// archive), found before dependency processing renames aliased subcharts.
	disk := map[*chart.File]string{}
	locate(ch, chartPath, archive, disk)

	top, err := prepare(ch, opts)
	if err != nil {
		fail(chartFile, 0, "%v", err)
		return inv
	}
	if missing := missingDependencies(ch); len(missing) > 0 {
		fail(chartFile, 0, "dependencies %s are listed in Chart.yaml but not in charts/; run `helm dependency build` (their objects are not assessed)", strings.Join(missing, ", "))
	}

	tpls := templates(ch, disk)
	detail := fmt.Sprintf("helm chart %s %s (release %s)", ch.Name(), ch.Metadata.Version, releaseName(ch, opts))
	rendered, errs := renderTemplates(ch, top)
	for _, e := range errs {
		file, line, msg := chartFile, 0, e.err.Error()
		where := splitError(e.err)
		if t, ok := tpls[where.template]; ok {
			file, line, msg = t.disk, where.line, where.msg
		} else if t, ok := tpls[e.name]; ok {
			file = t.disk
		}
		if where.template != "" && where.template != e.name {
			fail(file, line, "%s (rendering %s; its objects are not assessed)", msg, e.name)
			continue
		}
		fail(file, line, "%s (the template's objects are not assessed)", msg)
	}

	mopts := manifest.Options{DefaultNamespace: namespace(opts)}
	keys := make([]string, 0, len(rendered))
	for k := range rendered {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rd := rendered[k]
		text := rd.text
		if strings.HasSuffix(k, "/NOTES.txt") || strings.TrimSpace(text) == "" {
			continue
		}
		t, ok := tpls[k]
		if !ok {
			continue
		}
		sub := manifest.Parse(t.disk, []byte(text), t.detail(detail), mopts)
		remap(sub, &rd)
		inv.Merge(sub)
	}
	// CRDs are installed from crds/ as they are, untemplated, so their lines are exact.
	walkCharts(ch, func(c *chart.Chart) {
		for _, f := range c.Files {
			if !strings.HasPrefix(f.Name, "crds/") || !isManifestName(f.Name) {
				continue
			}
			inv.Merge(manifest.Parse(diskName(disk, f, chartPath), f.Data, subDetail(detail, c), mopts))
		}
	})
	return inv
}

func releaseName(ch *chart.Chart, opts Options) string {
	if opts.ReleaseName != "" {
		return opts.ReleaseName
	}
	return ch.Name()
}

func namespace(opts Options) string {
	if opts.Namespace != "" {
		return opts.Namespace
	}
	return "default"
}

// prepare does what `helm template` does before rendering: it settles the chart's dependencies
// with the user's values, then returns the top-level template data, with the release, the
// capabilities and the values of the whole chart tree. It edits the chart tree in place.
func prepare(ch *chart.Chart, opts Options) (map[string]any, error) {
	if err := processDependencies(ch, opts.Values); err != nil {
		return nil, fmt.Errorf("chart dependencies: %w", err)
	}
	kv, err := parseKubeVersion(opts.KubeVersion)
	if opts.KubeVersion == "" || err != nil {
		kv, _ = parseKubeVersion(DefaultKubeVersion)
	}
	top := map[string]any{
		"Chart":        ch.Metadata,
		"Capabilities": newCapabilities(kv),
		"Release": map[string]any{
			"Name":      releaseName(ch, opts),
			"Namespace": namespace(opts),
			"IsUpgrade": false,
			"IsInstall": true,
			"Revision":  1,
			"Service":   "Helm",
		},
	}
	vals, err := coalesced(ch, opts.Values, false)
	if err != nil {
		return nil, fmt.Errorf("chart values: %w", err)
	}
	top["Values"] = vals
	return top, nil
}

// readChartfile reads the metadata of a Chart.yaml.
func readChartfile(file string) (*chart.Metadata, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	md := &chart.Metadata{}
	return md, yaml.Unmarshal(data, md)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func isManifestName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func walkCharts(c *chart.Chart, fn func(*chart.Chart)) {
	fn(c)
	for _, d := range c.Dependencies() {
		walkCharts(d, fn)
	}
}

func subDetail(detail string, c *chart.Chart) string {
	if c.IsRoot() {
		return detail
	}
	return detail + ", subchart " + c.Name() + " " + c.Metadata.Version
}

func diskName(disk map[*chart.File]string, f *chart.File, fallback string) string {
	if p, ok := disk[f]; ok {
		return p
	}
	return filepath.Join(fallback, filepath.FromSlash(f.Name))
}

// tpl is one template of the chart tree, by the name the engine gives it
// ("shop/charts/redis/templates/x.yaml").
type tpl struct {
	file  *chart.File
	chart *chart.Chart
	disk  string
}

func (t tpl) detail(d string) string { return subDetail(d, t.chart) }

func templates(ch *chart.Chart, disk map[*chart.File]string) map[string]tpl {
	m := map[string]tpl{}
	walkCharts(ch, func(c *chart.Chart) {
		for _, f := range c.Templates {
			if f == nil {
				continue
			}
			m[path.Join(c.ChartFullPath(), f.Name)] = tpl{file: f, chart: c, disk: diskName(disk, f, c.ChartFullPath())}
		}
	})
	return m
}

// locate records where each file of chart c, found at dir, is: for a chart folder the file on
// disk, for a packaged chart the archive followed by the file's path inside the chart
// ("shop-0.3.1.tgz/templates/deployment.yaml"), which is what a reader needs to find it.
func locate(c *chart.Chart, dir string, archive bool, disk map[*chart.File]string) {
	for _, f := range c.Templates {
		disk[f] = filepath.Join(dir, filepath.FromSlash(f.Name))
	}
	for _, f := range c.Files {
		disk[f] = filepath.Join(dir, filepath.FromSlash(f.Name))
	}
	var entries []os.DirEntry
	if !archive {
		entries, _ = os.ReadDir(filepath.Join(dir, "charts"))
	}
	for _, dep := range c.Dependencies() {
		sub, subArchive := subchartPath(dir, archive, entries, dep)
		locate(dep, sub, subArchive, disk)
	}
}

// subchartPath finds the folder or archive in dir/charts that the loader read dep from.
func subchartPath(dir string, archive bool, entries []os.DirEntry, dep *chart.Chart) (string, bool) {
	charts := filepath.Join(dir, "charts")
	if archive {
		return filepath.Join(charts, dep.Name()), true
	}
	name, version := dep.Name(), dep.Metadata.Version
	for _, e := range entries {
		p := filepath.Join(charts, e.Name())
		if e.IsDir() {
			if md, err := readChartfile(filepath.Join(p, ChartFile)); err == nil && md.Name == name && md.Version == version {
				return p, false
			}
		}
	}
	for _, want := range []string{name + "-" + version, name + "-"} {
		for _, e := range entries {
			if !e.IsDir() && IsArchive(e.Name()) && strings.HasPrefix(e.Name(), want) {
				return filepath.Join(charts, e.Name()), true
			}
		}
	}
	return filepath.Join(charts, name), false
}

// missingDependencies lists enabled Chart.yaml dependencies with no chart in charts/ (what
// `helm install` refuses with "found in Chart.yaml, but missing in charts/ directory").
func missingDependencies(ch *chart.Chart) []string {
	var missing []string
	for _, req := range ch.Metadata.Dependencies {
		if req == nil || !req.Enabled {
			continue
		}
		found := false
		for _, d := range ch.Dependencies() {
			if d.Name() == req.Name {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, req.Name)
		}
	}
	return missing
}

// errorPlace is where an engine error message says the failure is.
type errorPlace struct {
	template string // engine name of the template, or ""
	line     int
	msg      string
}

// Compiled on first use, as only a failing template needs them (start-up is every command's).
var (
	locatedError = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)^(?:parse|execution) error at \(([^)]*?):(\d+)(?::\d+)?\): (.*)$`)
	})
	fileError = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)^(?:parse|execution) error in \(([^)]*)\): (.*)$`)
	})
	loadError = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)^cannot load ([^:/\s]+\.ya?ml): .*?yaml: line (\d+): (.*)$`)
	})
	goTplError = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)^template: ([^:\s]+):(\d+)(?::\d+)?: (.*)$`) })
)

// splitError takes the template name and line out of Helm's wording of a template error.
func splitError(err error) errorPlace {
	s := err.Error()
	if m := locatedError().FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		msg := strings.TrimSpace(m[3])
		// text/template places an action left open at the end of the input, past the
		// template's last line; the line it started on is the one to fix.
		if _, after, ok := strings.Cut(msg, "unclosed action started at "+m[1]+":"); ok {
			digits, _, _ := strings.Cut(after, " ")
			if started, err := strconv.Atoi(digits); err == nil && started > 0 {
				n = started
			}
		}
		return errorPlace{m[1], n, msg}
	}
	if m := fileError().FindStringSubmatch(s); m != nil {
		return errorPlace{m[1], 0, strings.TrimSpace(m[2])}
	}
	if m := goTplError().FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		return errorPlace{m[1], n, strings.TrimSpace(m[3])}
	}
	return errorPlace{msg: s}
}
