package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// FuzzParse feeds arbitrary bytes to the loader. Whatever the input, it must not panic or hang,
// every error and object must point at a line that exists, and no Secret value may survive the
// read. Run it with: go test -fuzz=FuzzParse ./pkg/source/manifest
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.y*ml")
	more, _ := filepath.Glob("testdata/*/*.json")
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: c2VjcmV0}\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := Parse("fuzz.yaml", data, "", Options{})
		lines := yamlLines(data)
		for _, e := range inv.Errors {
			if e.Line < 0 || e.Line > lines {
				t.Fatalf("error at line %d of a %d-line input: %v", e.Line, lines, e)
			}
			if e.Message == "" {
				t.Fatal("error without a message")
			}
		}
		for _, o := range inv.Objects {
			if o.Origin.Line < 1 || o.Origin.Line > lines {
				t.Fatalf("object %s at line %d of a %d-line input", o.Ref(), o.Origin.Line, lines)
			}
			if o.Kind == "" || o.APIVersion == "" {
				t.Fatalf("object without kind or apiVersion: %+v", o)
			}
			if s, ok := o.Typed.(*corev1.Secret); ok {
				for k, v := range s.Data {
					if len(v) != 0 {
						t.Fatalf("Secret value of key %q kept", k)
					}
				}
				for k, v := range s.StringData {
					if v != "" {
						t.Fatalf("Secret stringData value of key %q kept", k)
					}
				}
			}
			if o.Lines != nil && o.Line("spec") > lines {
				t.Fatalf("field line beyond the input")
			}
		}
	})
}

// yamlLines counts the lines of data the way the YAML parser does (like libyaml, which kubectl's
// decoder is built on): a line ends at LF, at CR LF, at a lone CR, and at NEL, LS or PS, so an
// input with no LF can still have several lines.
func yamlLines(data []byte) int {
	n := 1
	for i := 0; i < len(data); i++ {
		switch {
		case data[i] == '\n':
			n++
		case data[i] == '\r':
			n++
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
		case bytes.HasPrefix(data[i:], []byte("\u0085")), bytes.HasPrefix(data[i:], []byte("\u2028")), bytes.HasPrefix(data[i:], []byte("\u2029")):
			n++
		}
	}
	return n
}
