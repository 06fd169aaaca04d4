package helm

import (
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// TestMappingSkipsDocumentsNotRendered: two Pods whose templates differ only in the value of a
// templated name, the first switched off by an if. The rendered Pod is the second one, and its
// fields are at the second document's lines.
func TestMappingSkipsDocumentsNotRendered(t *testing.T) {
	inv := renderTemplate(t, `{{- if .Values.a.enabled }}
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Values.a.name }}
spec:
  containers:
  - name: app
    image: nginx
{{- end }}
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Values.b.name }}
  labels: {app: b}
spec:
  hostPID: true
  containers:
  - name: app
    image: nginx
    securityContext:
      privileged: true
`, "a:\n  enabled: false\n  name: pa\nb:\n  name: pb\n")
	noErrors(t, inv)
	o := find(t, inv, "Pod", "pb")
	if o.Origin.Line != 12 {
		t.Errorf("object line %d, want 12", o.Origin.Line)
	}
	lines(t, o, map[string]int{"spec.hostPID": 18, "spec.containers[0].securityContext.privileged": 23, "metadata.labels.app": 16})
}

// TestMappingIncludeAndTpl: objects written whole by include or tpl are at the line of the call,
// and their fields too, as the template writes none of them; they borrow nothing from the Pods a
// range writes beside them.
func TestMappingIncludeAndTpl(t *testing.T) {
	inv := renderTemplate(t, `{{- range .Values.pods }}
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ . }}
spec:
  containers:
  - name: app
    image: nginx
{{- end }}
---
{{ include "t.pod" . }}
---
{{ tpl .Values.extra . }}
`, `pods: [one, two]
extra: |
  apiVersion: v1
  kind: Pod
  metadata:
    name: from-tpl
  spec:
    hostNetwork: true
    containers:
    - name: app
      image: nginx
`, `{{- define "t.pod" -}}
apiVersion: v1
kind: Pod
metadata:
  name: from-include
spec:
  hostPID: true
  containers:
  - name: app
    image: nginx
    securityContext:
      privileged: true
{{- end }}`)
	noErrors(t, inv)
	for _, name := range []string{"one", "two"} {
		o := find(t, inv, "Pod", name)
		if o.Origin.Line != 3 {
			t.Errorf("Pod %s at line %d, want 3", name, o.Origin.Line)
		}
		lines(t, o, map[string]int{"spec": 7, "spec.containers[0].image": 10})
	}
	inc := find(t, inv, "Pod", "from-include")
	if inc.Origin.Line != 13 {
		t.Errorf("included Pod at line %d, want 13", inc.Origin.Line)
	}
	lines(t, inc, map[string]int{"spec.hostPID": 13, "spec.containers[0].securityContext.privileged": 13})
	tp := find(t, inv, "Pod", "from-tpl")
	if tp.Origin.Line != 15 {
		t.Errorf("tpl Pod at line %d, want 15", tp.Origin.Line)
	}
	lines(t, tp, map[string]int{"spec.hostNetwork": 15})
}

// TestMappingUnknownOrigin: an object that an action writes where the tracer cannot tell which
// one (the first thing inside an if body whose text is trimmed away) has no line at all rather
// than a line of another document.
func TestMappingUnknownOrigin(t *testing.T) {
	inv := renderTemplate(t, `apiVersion: v1
kind: Pod
metadata:
  name: literal
spec:
  hostPID: false
---
{{ if true -}}
{{ include "t.pod" . }}
{{- end }}
`, "", `{{- define "t.pod" -}}
apiVersion: v1
kind: Pod
metadata:
  name: hidden
spec:
  hostPID: true
{{- end }}`)
	noErrors(t, inv)
	o := find(t, inv, "Pod", "hidden")
	if o.Origin.Line != 0 || o.Line("spec.hostPID") != 0 {
		t.Errorf("Pod at line %d, hostPID at %d; want no line", o.Origin.Line, o.Line("spec.hostPID"))
	}
	lines(t, find(t, inv, "Pod", "literal"), map[string]int{"": 1, "spec.hostPID": 6})
}

// renderTemplate renders text as the one template of a chart with the given values.yaml, as
// release "r", and returns what Render read.
func renderTemplate(t *testing.T, text, values string, helpers ...string) *inventory.Inventory {
	t.Helper()
	dir := writeChart(t, map[string]string{
		"Chart.yaml":          "apiVersion: v2\nname: t\nversion: 0.1.0\n",
		"values.yaml":         values,
		"templates/t.yaml":    text,
		"templates/_more.tpl": strings.Join(helpers, "\n"),
	})
	return Render(dir, Options{ReleaseName: "r"})
}

// TestMappingAfterMissingValue: a named template that prints a missing value writes
// text/template's "<no value>", which Helm removes; the lines of everything the template writes
// after it still count.
func TestMappingAfterMissingValue(t *testing.T) {
	inv := renderTemplate(t, `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    {{- include "t.labels" . | nindent 4 }}
spec:
  hostNetwork: true
  containers:
  - name: app
    image: nginx
    securityContext:
      privileged: true
`, "", `{{- define "t.labels" -}}
team: {{ .Values.team }}
{{- end }}`)
	noErrors(t, inv)
	o := find(t, inv, "Pod", "p")
	if o.Origin.Line != 1 {
		t.Errorf("Pod at line %d, want 1", o.Origin.Line)
	}
	lines(t, o, map[string]int{"spec.hostNetwork": 8, "spec.containers[0].securityContext.privileged": 13})
}

// TestMappingListItems: the items of a List a template writes have their lines, as those of a
// List in a plain file do.
func TestMappingListItems(t *testing.T) {
	inv := renderTemplate(t, `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: {{ .Release.Name }}-a
  spec:
    hostIPC: true
    containers:
    - name: app
      image: nginx
      securityContext:
        privileged: true
`, "")
	noErrors(t, inv)
	o := find(t, inv, "Pod", "r-a")
	if o.Origin.Line != 4 {
		t.Errorf("Pod at line %d, want 4", o.Origin.Line)
	}
	lines(t, o, map[string]int{"spec.hostIPC": 9, "spec.containers[0].securityContext.privileged": 14})
}
