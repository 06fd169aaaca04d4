package yamldoc

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	sigsjson "sigs.k8s.io/json"

	"github.com/kubeharden/kubeharden/internal/testutil"
)

// corpusDuplicateKeys are the corpus files its README names as having
// duplicate mapping keys.
var corpusDuplicateKeys = []string{
	"kubernetes-examples/_archived/openshift-origin/etcd-controller.yaml",
	"kubernetes-examples/_archived/openshift-origin/etcd-discovery-controller.yaml",
	"kubernetes-examples/_archived/openshift-origin/openshift-controller.yaml",
	"kubernetes-examples/_archived/persistent-volume-provisioning/quobyte/quobyte-admin-secret.yaml",
	"kubernetes-examples/_archived/volumes/scaleio/sc-pvc.yaml",
	// The README says "three files under
	// gke-samples/streaming/kafka-confluent/manifests/"; these are they.
	"gke-samples/streaming/kafka-confluent/manifests/05-replicator/my-target-cluster.yaml",
	"gke-samples/streaming/kafka-confluent/manifests/05-replicator/replicator.yaml",
	"gke-samples/streaming/kafka-confluent/manifests/06-confluent-platform/platform.yaml",
}

type corpusFile struct {
	path string // relative to the corpus folder
	data []byte
}

func loadCorpus(tb testing.TB) ([]corpusFile, int) {
	tb.Helper()
	// The shared corpus of real-world manifests (see testutil.CorpusDir for where it is
	// looked for, and when a missing corpus skips or fails).
	corpusDir := testutil.CorpusDir(tb)
	var files []corpusFile
	total := 0
	err := filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(corpusDir, path)
		files = append(files, corpusFile{rel, data})
		total += len(data)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files, total
}

func hasDuplicateKeys(rel string) bool {
	for _, p := range corpusDuplicateKeys {
		if rel == p {
			return true
		}
	}
	return false
}

var dupMsg = regexp.MustCompile(`^mapping key "([^"]+)" already defined at line (\d+)$`)

// lineOf returns line n (1-based) of data.
func lineOf(data []byte, n int) string {
	lines := bytes.Split(data, []byte("\n"))
	if n < 1 || n > len(lines) {
		return ""
	}
	return string(lines[n-1])
}

// TestCorpus: every document of every corpus file renders exactly as
// sigs.k8s.io/yaml.YAMLToJSON renders it, except for the files with
// duplicate keys, which fail on the line of the second key.
func TestCorpus(t *testing.T) {
	files, _ := loadCorpus(t)
	docs, dups := 0, 0
	for _, f := range files {
		ours := ourResults(f.data, Options{})
		if hasDuplicateKeys(f.path) {
			dups++
			_, errs := Parse(f.data, Options{})
			if len(errs) != 1 {
				t.Errorf("%s: errors %v, want one duplicate key error", f.path, errs)
				continue
			}
			e := errs[0].(*Error)
			m := dupMsg.FindStringSubmatch(e.Msg)
			if m == nil {
				t.Errorf("%s: %v, want a duplicate key error", f.path, e)
				continue
			}
			// Both lines named hold the key.
			first := lineOf(f.data, atoi(m[2]))
			second := lineOf(f.data, e.Line)
			if !strings.HasPrefix(strings.TrimLeft(first, " -"), m[1]+":") || !strings.HasPrefix(strings.TrimLeft(second, " -"), m[1]+":") {
				t.Errorf("%s: %v: lines %q and %q do not both define %q", f.path, e, first, second, m[1])
			}
			continue
		}
		want, err := oracleDocs(f.data)
		if err != nil {
			t.Errorf("%s: oracle: %v", f.path, err)
			continue
		}
		if len(ours) != len(want) {
			t.Errorf("%s: %d documents, oracle has %d", f.path, len(ours), len(want))
			continue
		}
		for i := range ours {
			docs++
			if ours[i].err != nil {
				t.Errorf("%s: document %d: %v", f.path, i, ours[i].err)
			} else if !bytes.Equal(ours[i].json, want[i]) {
				t.Errorf("%s: document %d differs\n ours   %.400s\n oracle %.400s", f.path, i, ours[i].json, want[i])
			}
		}
	}
	if dups != 8 {
		t.Errorf("found %d files with duplicate keys, want 8", dups)
	}
	t.Logf("%d files, %d documents", len(files), docs)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestCorpusDecode decodes every corpus object of a built-in kind into its
// k8s.io/api type and compares with what the API server's path gives:
// YAMLToJSON, then sigs.k8s.io/json's case-sensitive decoding. Values and
// errors must agree.
func TestCorpusDecode(t *testing.T) {
	files, _ := loadCorpus(t)
	typed, failed := 0, 0
	// Two of the schema violations the corpus README names.
	wantErr := map[string]string{
		"ingress-nginx/docs/examples/auth/oauth-external-auth/vouch-proxy.yaml": "line 21: spec.template.spec.containers[0].env[0].value: cannot use bool true as string",
		"kubernetes-examples/_archived/volumes/fibre_channel/fc.yaml":           `line 17: spec.volumes[0].fc.lun: cannot use string "<ADD LUN ID Here>" as int32`,
	}
	gotErr := map[string]string{}
	for _, f := range files {
		docs, _ := Parse(f.data, Options{})
		for _, d := range docs {
			objs := []*Node{d.Root}
			if d.Root.Get("kind").Text() == "List" {
				objs = d.Root.Get("items").Content
			}
			for _, n := range objs {
				gv, err := schema.ParseGroupVersion(n.Get("apiVersion").Text())
				if err != nil {
					continue
				}
				gvk := gv.WithKind(n.Get("kind").Text())
				got, err := scheme.Scheme.New(gvk)
				if err != nil {
					continue // not a built-in kind
				}
				want, _ := scheme.Scheme.New(gvk)
				typed++
				derr := Decode(n, got, Options{})
				j, err := n.AppendJSON(nil, Options{})
				if err != nil {
					t.Fatalf("%s: %v", f.path, err)
				}
				jerr := sigsjson.UnmarshalCaseSensitivePreserveInts(j, want)
				if (derr == nil) != (jerr == nil) {
					t.Errorf("%s line %d %s: Decode error %v, JSON decoding error %v", f.path, n.Line, gvk.Kind, derr, jerr)
					continue
				}
				if derr != nil {
					if _, seen := gotErr[f.path]; !seen {
						gotErr[f.path] = derr.Error()
					}
					// encoding/json stops at an UnmarshalJSON error while
					// Decode carries on, so only the errors are compared.
					failed++
					t.Logf("%s: %v (API server: %v)", f.path, derr, jerr)
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s line %d %s: Decode and JSON decoding differ", f.path, n.Line, gvk.Kind)
				}
			}
		}
	}
	for f, w := range wantErr {
		if gotErr[f] != w {
			t.Errorf("%s: error %q, want %q", f, gotErr[f], w)
		}
	}
	t.Logf("%d typed objects, %d with schema errors", typed, failed)
	if typed < 1500 {
		t.Errorf("only %d typed objects", typed)
	}
}
