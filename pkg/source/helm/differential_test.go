package helm

// Differential tests: each chart is rendered by Helm's own engine (pkg/engine, pkg/chartutil,
// as `helm template` drives them) and by this package, and the output of every template must be
// the same bytes. Where Helm fails, this package must fail with the same message (Helm stops at
// its first failure; this package reports every failing template, and its first one must be
// Helm's). Helm's packages are imported here only: test binaries are not the product.

import (
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/kubeharden/kubeharden/internal/testutil"
)

// helmRender renders the chart at dir the way `helm template` does, with Helm's packages.
func helmRender(dir string, opts Options) (map[string]string, error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, err
	}
	vals := copyMap(opts.Values)
	if vals == nil {
		vals = map[string]any{}
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, fmt.Errorf("chart dependencies: %w", err)
	}
	caps := chartutil.DefaultCapabilities.Copy()
	kv, err := chartutil.ParseKubeVersion(DefaultKubeVersion)
	if err != nil {
		return nil, err
	}
	caps.KubeVersion = *kv
	top, err := chartutil.ToRenderValuesWithSchemaValidation(ch, vals,
		chartutil.ReleaseOptions{Name: releaseName(ch, opts), Namespace: namespace(opts), Revision: 1, IsInstall: true}, caps, true)
	if err != nil {
		return nil, fmt.Errorf("chart values: %w", err)
	}
	return engine.Engine{}.Render(ch, top)
}

// ourRender renders the chart at dir with this package.
func ourRender(dir string, opts Options) (map[string]string, []templateError, error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	top, err := prepare(ch, opts)
	if err != nil {
		return nil, nil, err
	}
	out, errs := renderTemplates(ch, top)
	text := make(map[string]string, len(out))
	for n, rd := range out {
		text[n] = rd.text
	}
	return text, errs, nil
}

// randomFuncs are the template functions whose output differs from call to call.
var randomFuncs = regexp.MustCompile(`\b(rand(Alpha|AlphaNum|Numeric|Ascii|Bytes|Int)|uuidv4|now|date|dateInZone|htmlDate|htmlDateInZone|genCA|genCAWithKey|genPrivateKey|genSelfSignedCert|genSelfSignedCertWithKey|genSignedCert|genSignedCertWithKey|htpasswd|bcrypt|shuffle|ago)\b`)

// sameButRandom reports whether a and b differ only where random letters, digits or base64 were
// written: same length, and only bytes of that alphabet differ.
func sameButRandom(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if a[i] != b[i] && !(isRandomByte(a[i]) && isRandomByte(b[i])) {
			return false
		}
	}
	return true
}

func isRandomByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

// diffStats counts what the differential tests compared.
type diffStats struct {
	charts, templates, random, errors int
}

// compare renders dir both ways and reports every difference. random says the chart calls
// functions with random output; such templates are compared with sameButRandom.
func compare(t *testing.T, dir string, opts Options, st *diffStats) {
	t.Helper()
	want, herr := helmRender(dir, opts)
	got, errs, perr := ourRender(dir, opts)
	st.charts++
	if herr != nil {
		st.errors++
		t.Logf("%s: Helm fails: %s", filepath.Base(dir), clip(herr.Error()))
		var first string
		switch {
		case perr != nil:
			first = perr.Error()
		case len(errs) > 0:
			first = errs[0].err.Error()
		default:
			t.Errorf("%s: Helm fails with %q; this package renders", dir, clip(herr.Error()))
			return
		}
		if first != herr.Error() {
			t.Errorf("%s: error\n got: %s\nwant: %s", dir, clip(first), clip(herr.Error()))
		}
		return
	}
	if perr != nil || len(errs) > 0 {
		t.Errorf("%s: Helm renders; this package fails: %v %v", dir, perr, errs)
		return
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		w, g := want[name], got[name]
		if _, ok := got[name]; !ok {
			t.Errorf("%s: template %s not rendered", dir, name)
			continue
		}
		st.templates++
		if g == w {
			continue
		}
		if randomFuncs.MatchString(templateText(t, dir, name)) && sameButRandom(g, w) {
			st.random++
			continue
		}
		t.Errorf("%s: template %s differs\n got: %q\nwant: %q", dir, name, clip(g), clip(w))
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: template %s rendered here only", dir, name)
		}
	}
}

// templateText returns the source of the chart tree's template with engine name name, and of
// the chart's partials, which it may include.
func templateText(t *testing.T, dir, name string) string {
	ch, err := loader.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	walkCharts(ch, func(c *chart.Chart) {
		for _, f := range c.Templates {
			if strings.HasPrefix(filepath.Base(f.Name), "_") || c.ChartFullPath()+"/"+f.Name == name || strings.HasSuffix(name, "/"+f.Name) {
				b.Write(f.Data)
			}
		}
	})
	return b.String()
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:1500] + " … " + s[len(s)-1500:]
	}
	return s
}

// writeChart writes files (path in the chart: content) under a new folder and returns it.
func writeChart(t *testing.T, files map[string]string) string {
	t.Helper()
	return testutil.WriteTree(t, files)
}

// quiet silences the warnings Helm logs while coalescing values.
func quiet(t *testing.T) {
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
}

func values_(t *testing.T, files, set, setString []string) map[string]any {
	t.Helper()
	v, err := ReadValues(files, set, setString)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type diffCase struct {
	name  string
	chart string
	files []string // values files, relative to the chart
	set   []string
	str   []string // --set-string
	opts  Options
}

func runCases(t *testing.T, cases []diffCase) diffStats {
	t.Helper()
	quiet(t)
	var st diffStats
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var files []string
			for _, f := range c.files {
				files = append(files, filepath.Join(c.chart, f))
			}
			opts := c.opts
			opts.Values = values_(t, files, c.set, c.str)
			compare(t, c.chart, opts, &st)
		})
	}
	return st
}

func TestDifferentialShopAndScaffold(t *testing.T) {
	scaffold, err := chartutil.Create("demo", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := runCases(t, []diffCase{
		{name: "shop defaults", chart: shop},
		{name: "shop prod", chart: shop, files: []string{"values-prod.yaml"},
			set: []string{"metrics.enabled=true", "replicaCount=5", "cache.enabled=false", "workers[0].name=mail", "workers[1].name=batch", "workers[1].privileged=true"},
			str: []string{"image.tag=2.0"}, opts: Options{ReleaseName: "web", Namespace: "shop-prod"}},
		{name: "shop required", chart: shop, set: []string{"image.repository=null"}},
		{name: "shop null deletes a subchart default", chart: shop, set: []string{"cache.image=null", "podSecurityContext=null", "securityContext.capabilities=null"}},
		{name: "scaffold defaults", chart: scaffold},
		{name: "scaffold everything on", chart: scaffold, set: []string{"securityContext.privileged=true", "podSecurityContext.runAsUser=0",
			"ingress.enabled=true", "ingress.tls[0].secretName=tls", "ingress.tls[0].hosts[0]=a.example", "autoscaling.enabled=true",
			"autoscaling.targetMemoryUtilizationPercentage=70", "serviceAccount.automount=true", "httpRoute.enabled=true",
			"volumes[0].name=data", "volumes[0].emptyDir.medium=Memory", "volumeMounts[0].name=data", "volumeMounts[0].mountPath=/data",
			"nodeSelector.disk=ssd", "tolerations[0].key=k", "podAnnotations.a=b", "imagePullSecrets[0].name=pull"}},
		{name: "scaffold no service account", chart: scaffold, set: []string{"serviceAccount.create=false", "service.type=NodePort"}},
	})
	t.Logf("compared %d renders, %d templates, %d Helm errors", st.charts, st.templates, st.errors)
}

// features is a chart tree that uses what Helm's engine offers, each template a few features.
var features = map[string]string{
	"Chart.yaml": `apiVersion: v2
name: feat
version: 1.2.3
appVersion: "4.5"
description: a chart that uses every feature
annotations:
  note: x
dependencies:
  - name: sub
    version: ~0.1.0
    condition: sub.enabled,global.subOn
    tags: [backend]
    import-values:
      - child: exported.block
        parent: fromSub
      - shared
  - name: sub
    alias: second
    version: 0.1.x
    condition: second.enabled
  - name: sub
    alias: tagged
    version: 0.1.0
    tags: [off, on]
  - name: lib
    version: 1.0.0
  - name: gone
    version: 1.0.0
    condition: gone.enabled
`,
	"values.yaml": `replicas: 2
image:
  repository: nginx
  tag: "1.27"
nested:
  a: {b: {c: [1, 2, {d: e}], f: null, g: "str"}}
  list: [x, y]
  empty: {}
  num: 1.5e3
  big: 123456789012
  bool: true
deleteMe: default
deleteNested:
  keep: 1
  drop: 2
tpls:
  simple: "{{ .Release.Name }}-{{ .Values.replicas }}"
  nested: "{{ tpl .Values.tpls.simple . }}!"
  define: '{{ define "in.tpl" }}defined-in-tpl{{ end }}{{ include "in.tpl" . }}'
  missing: "[{{ .Values.nope }}]"
  includeFile: '{{ include "feat.name" . }}'
  innerSeesOuter: '{{ define "outer.d" }}D{{ .Values.replicas }}{{ end }}{{ tpl "{{ include \"outer.d\" . }}-{{ tpl \"{{ .Release.Name }}\" . }}" . }}'
  namesGotpl: '{{ "gotpl" }}{{ .Template.Name }}'
global:
  region: eu
  deep: {a: 1, b: {c: 2}}
  subOn: true
tags:
  backend: true
  off: false
  on: true
sub:
  enabled: true
  fromParent: p
  global:
    local: sub-only
second:
  enabled: true
  image: second
gone:
  enabled: false
Table: a values key shadowed by the method
`,
	"templates/_helpers.tpl": `{{- define "feat.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end }}
{{- define "feat.labels" -}}
app: {{ include "feat.name" . }}
chart: {{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end }}
{{- define "feat.recurse" -}}
{{- if gt (int .) 0 }}{{ . }},{{ include "feat.recurse" (sub (int .) 1) }}{{ end -}}
{{- end }}
{{- define "sub.shared" -}}parent wins{{- end }}
`,
	"templates/objects.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "feat.name" . }}
  labels:
    {{- include "feat.labels" . | nindent 4 }}
data:
  release: {{ .Release | toJson | quote }}
  template: {{ .Template.Name }} {{ .Template.BasePath }}
  chart: {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.IsRoot }} {{ .Chart.Annotations }}
  chartWhole: {{ omit (.Chart | toJson | fromJson) "dependencies" | toJson | quote }}
  deps: {{ .Chart.Dependencies | toJson | quote }}
  kube: {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }}
  has: {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "apps/v1beta0" }}
  apis: {{ .Capabilities.APIVersions | join "," | quote }}
  helm: {{ .Capabilities.HelmVersion.Version }}
  capsJSON: {{ .Capabilities | toJson | quote }}
  semver: {{ semverCompare ">=1.30-0" .Capabilities.KubeVersion.GitVersion }}
  recurse: {{ include "feat.recurse" 5 | quote }}
  subValues: {{ with .Subcharts.sub }}{{ .Values.fromParent }} {{ .Chart.Name }}{{ end }} {{ with .Subcharts.second }}{{ .Values.image }}{{ end }}
  missing: "[{{ .Values.nope }}][{{ .Values.nested.nope }}][{{ (.Values.nested.a | default (dict)).nope }}]"
  table: {{ .Values.Table "image" | toJson | quote }}
  asMap: {{ .Values.AsMap | keys | sortAlpha | join "," }}
  path: {{ .Values.PathValue "image.tag" }}
  yamlMethod: {{ .Values.YAML | b64enc }}
  lookup: {{ lookup "v1" "Secret" "ns" "name" | toJson | quote }} {{ (lookup "v1" "Pod" "" "").items | toJson }}
  dns: "[{{ getHostByName "example.com" }}]"
  imported: {{ .Values.fromSub | toJson | quote }} {{ .Values.sharedKey | default "none" }}
  deleted: "{{ .Values.deleteMe }}|{{ .Values.deleteNested | toJson }}"
  globals: {{ .Values.global | toJson | quote }}
`,
	"templates/serialise.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: serialise
data:
  toYaml: |
    {{- toYaml .Values.nested | nindent 4 }}
  toYamlPretty: |
    {{- toYamlPretty .Values.nested | nindent 4 }}
  toJson: {{ toJson .Values.nested | quote }}
  mustToJson: {{ mustToJson .Values.nested | quote }}
  toPrettyJson: {{ toPrettyJson .Values.image | quote }}
  toToml: {{ toToml .Values.image | quote }}
  tomlBad: {{ toToml "a string" | quote }}
  fromYaml: {{ fromYaml "a: 1\nb: [x]" | toJson | quote }}
  fromYamlBad: {{ fromYaml "a: [" | toJson | quote }}
  fromYamlArray: {{ fromYamlArray "- 1\n- b" | toJson | quote }}
  fromYamlArrayBad: {{ fromYamlArray "a: 1" | toJson | quote }}
  fromJson: {{ fromJson "{\"a\": 1.5}" | toJson | quote }}
  fromJsonBad: {{ fromJson "{" | toJson | quote }}
  fromJsonArray: {{ fromJsonArray "[1, \"x\"]" | toJson | quote }}
  fromJsonArrayBad: {{ fromJsonArray "{}" | toJson | quote }}
  fromToml: {{ fromToml "a = 1\n[b]\nc = \"d\"" | toJson | quote }}
  fromTomlBad: {{ fromToml "a = " | toJson | quote }}
  toYamlScalar: {{ toYaml "x" }} {{ toYaml 3 }} {{ toYaml nil }} {{ toYaml list }}
  sprig: {{ "hello" | upper | repeat 2 }} {{ list 3 1 2 | sortAlpha | join "-" }} {{ dict "a" 1 "b" 2 | toJson }} {{ sha256sum "x" }} {{ b64enc "x" }} {{ trunc 3 "abcdef" }} {{ regexReplaceAll "a+" "caaat" "A" }}
  numbers: {{ .Values.nested.num }} {{ .Values.nested.big }} {{ int64 .Values.nested.big }} {{ .Values.replicas | add 1 }}
`,
	"templates/tpl.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: tpl
data:
  simple: {{ tpl .Values.tpls.simple . | quote }}
  nested: {{ tpl .Values.tpls.nested . | quote }}
  define: {{ tpl .Values.tpls.define . | quote }}
  missing: {{ tpl .Values.tpls.missing . | quote }}
  includeFile: {{ tpl .Values.tpls.includeFile . | quote }}
  innerSeesOuter: {{ tpl .Values.tpls.innerSeesOuter . | quote }}
  namesGotpl: {{ tpl .Values.tpls.namesGotpl . | quote }}
  outerDefineGone: {{ tpl "{{ if false }}{{ include \"outer.d\" . }}{{ end }}ok" . | quote }}
  scope: {{ tpl "{{ .x }}" (dict "x" "from dict") | quote }}
  empty: {{ tpl "" . | quote }}
  onlyDefine: {{ tpl "{{ define \"x.y\" }}z{{ end }}" . | quote }}
  {{- $notLeaked := "" }}
  {{- /* the define made by the tpl above is not visible here */}}
`,
	"templates/files.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: files
data:
  get: {{ .Files.Get "config/app.conf" | quote }}
  getBytes: {{ .Files.GetBytes "config/app.conf" | len }}
  missing: "[{{ .Files.Get "nope" }}]"
  lines: {{ .Files.Lines "config/lines.txt" | toJson | quote }}
  noLines: {{ .Files.Lines "nope" | toJson | quote }}
  glob: {{ range $name, $data := .Files.Glob "config/**" }}{{ $name }}={{ len $data }};{{ end }}
  globStar: {{ range $name, $_ := .Files.Glob "*.md" }}{{ $name }};{{ end }}
  badGlob: {{ len (.Files.Glob "[") }}
  index: {{ index .Files "config/app.conf" | len }}
  config:
    {{- (.Files.Glob "config/*").AsConfig | nindent 4 }}
  secrets:
    {{- (.Files.Glob "config/*").AsSecrets | nindent 4 }}
`,
	"templates/set.yaml": `{{- $_ := set .Values "setByTemplate" "yes" }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: set
data:
  seen: {{ .Values.setByTemplate }}
`,
	"templates/z-after-set.yaml": `# rendered after set.yaml: {{ .Values.setByTemplate | default "unset" }}
`,
	"templates/whitespace.yaml": `{{- if false }}
never
{{- end }}

`,
	"templates/NOTES.txt": `Thanks for installing {{ .Chart.Name }} as {{ .Release.Name }}.
`,
	"templates/_partial.yaml": `this: is a partial {{ .Values.nope.nope }}`,
	"config/app.conf":         "key = value\nother = 1\n",
	"config/lines.txt":        "one\ntwo\n\nfour\n",
	"config/sub/deep.conf":    "deep\n",
	"README.md":               "# readme\n",
	"charts/sub/Chart.yaml":   "apiVersion: v2\nname: sub\nversion: 0.1.0\ndependencies:\n  - name: leaf\n    version: 0.0.1\n",
	"charts/sub/values.yaml": `image: sub-image
fromParent: child-default
global:
  region: child-region
  deep: {b: {d: 3}}
exported:
  block: {x: 1, y: [1, 2]}
exports:
  shared:
    sharedKey: from-exports
leaf:
  color: blue
`,
	"charts/sub/templates/_helpers.tpl": `{{- define "sub.shared" -}}child loses{{- end }}
{{- define "sub.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end }}
`,
	"charts/sub/templates/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "sub.name" . }}
spec:
  template:
    spec:
      containers:
        - name: c
          image: {{ .Values.image }}
          env:
            - {name: SHARED, value: {{ include "sub.shared" . | quote }}}
            - {name: GLOBALS, value: {{ .Values.global | toJson | quote }}}
            - {name: PARENT, value: {{ .Values.fromParent | quote }}}
            - {name: TEMPLATE, value: {{ .Template.Name | quote }}}
            - {name: ROOT, value: {{ .Chart.IsRoot | quote }}}
            - {name: LEAF, value: {{ .Subcharts.leaf.Values.color | quote }}}
`,
	"charts/sub/charts/leaf/Chart.yaml":  "apiVersion: v2\nname: leaf\nversion: 0.0.1\n",
	"charts/sub/charts/leaf/values.yaml": "color: red\nglobal:\n  leafOnly: true\n",
	"charts/sub/charts/leaf/templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: leaf-{{ .Release.Name }}
data:
  color: {{ .Values.color }}
  global: {{ .Values.global | toJson | quote }}
  path: {{ .Template.BasePath }}
`,
	"charts/lib/Chart.yaml":             "apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n",
	"charts/lib/templates/_lib.tpl":     `{{- define "lib.cm" -}}lib says {{ .Values.replicas }}{{- end }}`,
	"charts/lib/templates/ignored.yaml": `library charts render nothing: {{ fail "never" }}`,
	"templates/uselib.yaml":             `# {{ include "lib.cm" . }}`,
	"charts/gone/Chart.yaml":            "apiVersion: v2\nname: gone\nversion: 1.0.0\n",
	"charts/gone/templates/x.yaml":      "gone: {{ .Values.x }}\n",
	"charts/extra/Chart.yaml":           "apiVersion: v2\nname: extra\nversion: 9.9.9\n",
	"charts/extra/templates/x.yaml":     "# not in Chart.yaml, rendered all the same: {{ .Values.global.region }}\n",
}

// failing are templates that each fail in their own way, for charts that get one of them.
var failing = map[string]string{
	"required":       "a: {{ required \"set .Values.must\" .Values.must }}\n",
	"requiredEmpty":  "a: {{ required \"empty string\" \"\" }}\n",
	"requiredNested": "{{- define \"x\" }}{{ required \"deep required\" .Values.nope }}{{ end }}\na: {{ include \"x\" . }}\n",
	"requiredInTpl":  "a: {{ tpl \"{{ required \\\"in tpl\\\" .Values.nope }}\" . }}\n",
	"fail":           "{{- if true }}\n{{ fail \"chart says no\" }}\n{{- end }}\n",
	"recursion":      "{{- define \"loop\" }}{{ include \"loop\" . }}{{ end }}\na: {{ include \"loop\" . }}\n",
	"nilPointer":     "a: {{ .Values.nope.deeper.still }}\n",
	"parse":          "a: {{ if .Values.x }\n",
	"parseFunc":      "a: {{ noSuchFunction }}\n",
	"tplParse":       "a: {{ tpl \"{{ if }}\" . }}\n",
	"tplExec":        "a: {{ tpl \"{{ .Values.a.b.c.d }}\" . }}\n",
	"badCall":        "a: {{ index .Values 1 2 }}\n",
	"missingInclude": "a: {{ include \"no.such\" . }}\n",
	"methodArgs":     "a: {{ .Values.Table }}\n",
	"envRemoved":     "a: {{ env \"HOME\" }}\n",
}

func TestDifferentialFeatures(t *testing.T) {
	dir := writeChart(t, features)
	cases := []diffCase{
		{name: "defaults", chart: dir},
		{name: "overrides", chart: dir, set: []string{"deleteMe=null", "deleteNested.drop=null", "nested.a.b.c=null", "image.tag=2",
			"global.region=us", "global.deep.b=null", "second.enabled=false", "tags.backend=false", "sub.global.local=null", "gone.enabled=true",
			"sub.leaf.color=green", "newKey.deep=1"}, str: []string{"replicas=07"},
			opts: Options{ReleaseName: "rel", Namespace: "ns"}},
		{name: "conditions beat tags", chart: dir, set: []string{"sub.enabled=false", "tags.backend=true", "tags.off=true"}},
		{name: "condition falls through to global", chart: dir, set: []string{"sub.enabled=not-a-bool", "global.subOn=false"}},
		{name: "globals null", chart: dir, set: []string{"global=null"}},
		{name: "subchart values not a map", chart: dir, set: []string{"second=5"}},
	}
	for _, name := range slices.Sorted(maps.Keys(failing)) {
		files := maps.Clone(features)
		files["templates/fail-"+name+".yaml"] = failing[name]
		cases = append(cases, diffCase{name: "fails " + name, chart: writeChart(t, files)})
	}
	// Two failing templates: the first in Helm's order must be the one reported first.
	two := maps.Clone(features)
	two["templates/a.yaml"] = failing["fail"]
	two["charts/sub/templates/b.yaml"] = failing["required"]
	cases = append(cases, diffCase{name: "two failures", chart: writeChart(t, two)})
	// A values file with nulls and lists, then --set over it.
	vf := maps.Clone(features)
	vf["over.yaml"] = "nested:\n  a: null\n  list: [z]\nsub:\n  image: from-file\n  exported: null\nglobal:\n  deep: {a: 9}\n"
	vdir := writeChart(t, vf)
	cases = append(cases, diffCase{name: "values file", chart: vdir, files: []string{"over.yaml"}, set: []string{"nested.list[1]=w"}})

	st := runCases(t, cases)
	t.Logf("compared %d renders, %d templates, %d Helm errors", st.charts, st.templates, st.errors)
}

// TestDifferentialTplHeavy renders a chart that calls tpl often in a namespace of many named
// templates, the shape of charts built on a common library, and logs both render times.
func TestDifferentialTplHeavy(t *testing.T) {
	quiet(t)
	var helpers, cm strings.Builder
	for i := range 300 {
		fmt.Fprintf(&helpers, "{{- define \"h.%d\" -}}v%d-{{ .Release.Name }}{{- end }}\n", i, i)
	}
	cm.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: heavy\ndata:\n")
	for i := range 300 {
		fmt.Fprintf(&cm, "  k%d: {{ tpl \"{{ include \\\"h.%d\\\" . }}\" . | quote }}\n", i, i)
	}
	dir := writeChart(t, map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: heavy\nversion: 1.0.0\n",
		"templates/_h.tpl":  helpers.String(),
		"templates/cm.yaml": cm.String(),
	})
	var st diffStats
	compare(t, dir, Options{}, &st)
	start := time.Now()
	helmRender(dir, Options{})
	helm := time.Since(start)
	start = time.Now()
	ourRender(dir, Options{})
	t.Logf("300 tpl calls among 300 named templates: Helm %v, this package %v", helm, time.Since(start))
}

// TestDifferentialHelmTestdata renders every chart in Helm's own test data: each folder with a
// Chart.yaml (subcharts too, on their own) and each packaged .tgz chart.
func TestDifferentialHelmTestdata(t *testing.T) {
	if testing.Short() {
		t.Skip("walks Helm's test data in the module cache")
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "helm.sh/helm/v3").Output()
	root := strings.TrimSpace(string(out))
	if err != nil || root == "" {
		t.Skipf("Helm's module source is not at hand: %v", err)
	}
	var dirs []string
	filepath.WalkDir(filepath.Join(root, "pkg"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, string(filepath.Separator)+"testdata"+string(filepath.Separator)) {
			return nil
		}
		switch {
		case d.Name() == "Chart.yaml":
			dirs = append(dirs, filepath.Dir(p))
		case IsArchive(d.Name()):
			dirs = append(dirs, p)
		}
		return nil
	})
	sort.Strings(dirs)
	quiet(t)
	var st diffStats
	var skipped []string
	for _, d := range dirs {
		rel, _ := filepath.Rel(root, d)
		if _, err := loader.Load(d); err != nil {
			skipped = append(skipped, rel+" (does not load: "+err.Error()+")")
			continue
		}
		before := st
		compare(t, d, Options{}, &st)
		switch {
		case st.errors > before.errors:
			t.Logf("compared %s: Helm's error", rel)
		default:
			t.Logf("compared %s: %d templates", rel, st.templates-before.templates)
		}
	}
	for _, s := range skipped {
		t.Logf("skipped %s", s)
	}
	t.Logf("Helm test data: %d charts (folders and archives), %d compared (%d templates, %d of them up to random values; %d Helm errors), %d skipped",
		len(dirs), st.charts, st.templates, st.random, st.errors, len(skipped))
	if st.templates < 100 {
		t.Errorf("only %d templates compared", st.templates)
	}
}

// TestCapabilitiesMatchHelm checks the written-out API versions and Helm version against
// Helm's, which come from client-go's scheme and Helm's build.
func TestCapabilitiesMatchHelm(t *testing.T) {
	if !slices.Equal(builtinAPIVersions, versionSet(chartutil.DefaultVersionSet)) {
		var b strings.Builder
		for _, v := range chartutil.DefaultVersionSet {
			fmt.Fprintf(&b, "\t%q,\n", v)
		}
		t.Errorf("builtinAPIVersions differ from Helm's; they are now:\n%s", b.String())
	}
	hv := chartutil.DefaultCapabilities.HelmVersion
	if got := newCapabilities(kubeVersion{}).HelmVersion; got != (buildInfo{hv.Version, hv.GitCommit, hv.GitTreeState, hv.GoVersion}) {
		t.Errorf("HelmVersion %+v, Helm has %+v", got, hv)
	}
	for _, s := range []string{"1.30", "v1.37.0", "1.29.3-gke.1", "v2"} {
		want, werr := chartutil.ParseKubeVersion(s)
		got, gerr := parseKubeVersion(s)
		if (werr != nil) != (gerr != nil) || werr == nil && (got.Version != want.Version || got.Major != want.Major || got.Minor != want.Minor) {
			t.Errorf("parseKubeVersion(%q) = %+v, %v; Helm %+v, %v", s, got, gerr, want, werr)
		}
	}
}
