package helm

import (
	"strings"
	"testing"
)

// TestMapping renders a template and checks the template line reported for each field path.
func TestMapping(t *testing.T) {
	tests := []struct {
		name     string
		template string
		object   string         // Kind/name of the object checked; "" is the first
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
		object: "Deployment/r",
		want:   map[string]int{"": 26, "spec.template.spec.hostNetwork": 35},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := renderTemplate(t, tt.template, "x: 1\nimage: nginx\n")
			if len(inv.Errors) > 0 || len(inv.Objects) == 0 {
				t.Fatalf("rendering: %v", inv.Errors)
			}
			o := inv.Objects[0]
			if tt.object != "" {
				kind, name, _ := strings.Cut(tt.object, "/")
				o = find(t, inv, kind, name)
			}
			if o.Origin.Line != tt.want[""] {
				t.Errorf("object line %d, want %d", o.Origin.Line, tt.want[""])
			}
			for p, l := range tt.want {
				if got := o.Line(p); got != l {
					t.Errorf("line of %q = %d, want %d", p, got, l)
				}
			}
			if len(inv.Objects) > 1 {
				w := find(t, inv, "Deployment", "r-worker")
				if w.Origin.Line != 9 || w.Line("spec.template.spec.containers[0].securityContext.privileged") != 24 {
					t.Errorf("worker: object line %d, privileged line %d; want 9 and 24", w.Origin.Line,
						w.Line("spec.template.spec.containers[0].securityContext.privileged"))
				}
			}
		})
	}
}
