package helm

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

// TestMapping feeds remap a template and what it rendered to, and checks the template line
// reported for each field path.
func TestMapping(t *testing.T) {
	tests := []struct {
		name     string
		template string
		rendered string
		want     map[string]int // path -> template line, "" is the object's line
	}{{
		name: "sequence at the parent's indentation, quoted and dotted keys",
		template: `{{- /* a comment with }} inside */ -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}
  annotations:
    "quoted.example.com/key": {{ .Values.x | quote }}
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  containers:
  - name: app
    image: {{ printf "%s}}" .Values.image }}
    securityContext:
      privileged: true
  - name: sidecar
    image: busybox
`,
		rendered: `apiVersion: v1
kind: Pod
metadata:
  name: r
  annotations:
    "quoted.example.com/key": "1"
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  containers:
  - name: app
    image: nginx}}
    securityContext:
      privileged: true
  - name: sidecar
    image: busybox
`,
		want: map[string]int{
			"": 2,
			`metadata.annotations["quoted.example.com/key"]`:                             7,
			`metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]`: 8,
			"spec.containers[0].securityContext.privileged":                              14,
			"spec.containers[1].image":                                                   16,
			"spec.containers[1]":                                                         15,
		},
	}, {
		name: "block scalars are not indexed, define bodies are skipped",
		template: `{{- define "local.conf" }}
spec:
  hostNetwork: true
{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
data:
  config.yaml: |
    spec:
      hostNetwork: true
  other: x
`,
		rendered: `apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
data:
  config.yaml: |
    spec:
      hostNetwork: true
  other: x
`,
		want: map[string]int{"": 5, `data["config.yaml"]`: 10, "data.other": 13, "spec": 5},
	}, {
		name: "kind and name pick the document; a list item is found by its name",
		template: `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-worker
spec:
  template:
    spec:
      containers:
        {{- if .Values.debug }}
        - name: debug
          securityContext:
            privileged: true
        {{- end }}
        - name: worker
          securityContext:
            privileged: false
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      {{- $x := dict
          "a" 1 }}
      hostNetwork: true
`,
		rendered: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: r
spec:
  template:
    spec:
      hostNetwork: true
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: r-worker
spec:
  template:
    spec:
      containers:
        - name: worker
          securityContext:
            privileged: false
`,
		want: map[string]int{"": 26, "spec.template.spec.hostNetwork": 35},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := manifest.Parse("t.yaml", []byte(tt.rendered), "", manifest.Options{})
			if len(inv.Errors) > 0 || len(inv.Objects) == 0 {
				t.Fatalf("rendered text: %v", inv.Errors)
			}
			remap(inv, tt.rendered, []byte(tt.template))
			o := inv.Objects[0]
			for p, l := range tt.want {
				if got := o.Line(p); got != l {
					t.Errorf("line of %q = %d, want %d", p, got, l)
				}
			}
			if len(inv.Objects) > 1 {
				w := inv.Objects[1]
				if w.Origin.Line != 9 || w.Line("spec.template.spec.containers[0].securityContext.privileged") != 24 {
					t.Errorf("worker: object line %d, privileged line %d; want 9 and 24", w.Origin.Line,
						w.Line("spec.template.spec.containers[0].securityContext.privileged"))
				}
			}
		})
	}
}

func TestGlob(t *testing.T) {
	m := string(actionMark)
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"name: web", "name: web", true},
		{"name: web", "name: webx", false},
		{m + "-worker", "shop-worker", true},
		{m + "-worker", "shop-web", false},
		{m + ":" + m, "nginx:1.2", true},
		{m + ":" + m, "nginx", false},
		{"a" + m + "b" + m + "c", "a-b-c", true},
		{"a" + m + "b" + m + "c", "abc", true},
		{"a" + m + "bc" + m + "c", "abc", false},
	} {
		if got := makeGlob(tc.pattern).match(tc.s); got != tc.want {
			t.Errorf("glob %q match %q = %v", tc.pattern, tc.s, got)
		}
	}
}
