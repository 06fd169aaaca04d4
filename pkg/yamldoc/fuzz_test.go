package yamldoc

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

var fuzzSeeds = []string{
	"spec:\n  containers:\n  - name: a\n    ports: [{containerPort: 80, hostPort: 0x50}]\n    resources: {limits: {cpu: 1.5, memory: 1e3}}\n    env: [{name: A, value: '1'}]\n  nodeSelector: {a: b}\n  priority: 1e3\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {app: web, tier: \"front\"}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    ports:\n    - containerPort: 80\n      protocol: TCP\n    args: [\"--a=1\", '--b', -c]\n    env:\n    - name: X\n      value: \"true\"\n",
	"a: |\n  line1\n  line2\nb: >-\n  folded\n  text\n\n  para\nc: 'it''s'\nd: \"esc\\t\\u00e9\\x41\"\n",
	"base: &b {x: 1, y: [1, 2]}\nderived:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n",
	"---\n# comment only\n---\n%YAML 1.1\n---\n- !!str 123\n- !!int \"7\"\n- ? complex\n  : value\n...\n",
	"k: 0x1F\nl: 017\nm: 1_000\nn: .inf\no: ~\np: yes\nq: 1e3\nr: -0.0\n\"s t\": [a, {b: c}, [d]]\n",
	"- - a\n  - b\n- c: d\n  e: f\n-\n- [x,\n   y, ]\n",
	"? !!binary /w==\n: !!binary /2E=\n1e39: x\n[]: y\n",
	"a: \"x\\\n  y\"\nb: 'p\n\n  q'\nc: >2-\n   x\n  y\n\t\nd: |+\n\n",
}

// comparable reports inputs for which the goyaml.v2 oracle behaves in ways
// this package differs from on purpose or by its reader's design: invalid
// characters (the oracle's reader reports them ahead of the parse),
// UTF-16 input, byte order marks after the start, and %YAML directives
// (the oracle rejects 1.2).
func comparable(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	if bad, _ := findInvalid(string(data), 0); bad != len(data) {
		return false
	}
	if i := bytes.Index(data, []byte("\xef\xbb\xbf")); i > 0 {
		return false
	}
	if bytes.Contains(data, []byte("%YAML")) {
		return false
	}
	return true
}

// docResult is one document's outcome: JSON or an error.
type docResult struct {
	json []byte
	err  error
	// aliasing is CheckAliasing's verdict on a document that parsed.
	aliasing error
}

func ourResults(data []byte, opts Options) []docResult {
	docs, errs := Parse(data, opts)
	var out []docResult
	di, ei := 0, 0
	for idx := 0; di < len(docs) || ei < len(errs); idx++ {
		// Bad directives and the document they head share a number: the error comes first.
		if ei < len(errs) && di < len(docs) && docs[di].Index == idx {
			if e, ok := errs[ei].(*Error); ok && e.Index == idx {
				out = append(out, docResult{err: errs[ei]})
				ei++
			}
		}
		if di < len(docs) && docs[di].Index == idx {
			aliasing := CheckAliasing(docs[di].Root, opts)
			if docs[di].Aliases == 0 && aliasing != nil {
				panic("a document without aliases refused for its aliasing")
			}
			j, err := docs[di].Root.AppendJSON(nil, opts)
			if err != nil {
				out = append(out, docResult{err: err, aliasing: aliasing})
			} else {
				out = append(out, docResult{json: j, aliasing: aliasing})
			}
			di++
			continue
		}
		out = append(out, docResult{err: errs[ei]})
		ei++
	}
	return out
}

// deliberate reports our errors that are intended differences from
// YAMLToJSON: duplicate keys, expansion and depth bounds.
func deliberate(err error) bool {
	s := err.Error()
	return strings.Contains(s, "already defined at line") ||
		strings.Contains(s, "alias expansion exceeds") ||
		strings.Contains(s, "maximum depth")
}

func oracleDeliberate(err error) bool {
	s := err.Error()
	return strings.Contains(s, "excessive aliasing") || strings.Contains(s, "exceeded max depth")
}

func checkAgainstOracle(t *testing.T, data []byte) {
	t.Helper()
	opts := Options{MaxAliasNodes: 20000}
	ours := ourResults(data, opts)
	// Everything we accept must also decode generically without trouble.
	docs, _ := Parse(data, opts)
	for _, d := range docs {
		var x any
		derr := Decode(d.Root, &x, opts)
		j, jerr := d.Root.AppendJSON(nil, opts)
		if (derr == nil) != (jerr == nil) {
			t.Fatalf("Decode error %v but AppendJSON error %v", derr, jerr)
		}
		if jerr == nil {
			var y any
			if err := sigsjson.UnmarshalCaseSensitivePreserveInts(j, &y); err != nil {
				t.Fatalf("our JSON does not parse: %v\n%s", err, j)
			}
			if !reflect.DeepEqual(x, y) {
				t.Fatalf("Decode into any differs from JSON decoding\n decode %#v\n json   %#v", x, y)
			}
			// A typed target: Decode and the API server's JSON path agree
			// on errors, and on the value when there is none.
			var p1, p2 corev1.Pod
			e1 := Decode(d.Root, &p1, opts)
			e2 := sigsjson.UnmarshalCaseSensitivePreserveInts(j, &p2)
			if (e1 == nil) != (e2 == nil) {
				t.Fatalf("Decode into Pod: %v, JSON decoding: %v\n%s", e1, e2, j)
			}
			if e1 == nil && !reflect.DeepEqual(p1, p2) {
				t.Fatalf("Decode into Pod differs from JSON decoding\n%s", j)
			}
		}
	}
	if !comparable(data) {
		return
	}
	want, werr := oracleDocs(data)
	for i, w := range want {
		if i >= len(ours) {
			t.Fatalf("doc %d: oracle has %s, we have no document (%d docs)", i, w, len(ours))
		}
		if ours[i].err != nil {
			if deliberate(ours[i].err) {
				// We drop the rest of this document and resume at the
				// next "---"; the oracle's view of what follows differs.
				return
			}
			t.Fatalf("doc %d: we fail with %v, oracle gives %s", i, ours[i].err, w)
		}
		if !bytes.Equal(ours[i].json, w) {
			t.Fatalf("doc %d differs\n ours   %s\n oracle %s", i, ours[i].json, w)
		}
		if ours[i].aliasing != nil {
			t.Fatalf("doc %d: CheckAliasing refuses what the oracle reads: %v", i, ours[i].aliasing)
		}
	}
	if werr != nil {
		if strings.Contains(werr.Error(), "excessive aliasing") {
			// CheckAliasing applies the oracle's rule. A document our expansion bound already
			// refused may be cut short before the rule's ratio is reached in the same order, so
			// only a document we otherwise read is held to it.
			if k := len(want); k < len(ours) && ours[k].err == nil && ours[k].aliasing == nil {
				t.Fatalf("doc %d: oracle fails with %v, CheckAliasing passes it", k, werr)
			}
		}
		if oracleDeliberate(werr) {
			return
		}
		k := len(want)
		if k < len(ours) && ours[k].err == nil {
			t.Fatalf("doc %d: oracle fails with %v, we give %s", k, werr, ours[k].json)
		}
		if k >= len(ours) {
			t.Fatalf("doc %d: oracle fails with %v, we have only %d docs", k, werr, len(ours))
		}
		return
	}
	if len(ours) != len(want) {
		t.Fatalf("we have %d docs, oracle %d (%v)", len(ours), len(want), ours[len(want):])
	}
	// The first document must also match sigs.k8s.io/yaml.YAMLToJSON itself.
	if len(want) > 0 && ours[0].err == nil {
		j, err := yaml.YAMLToJSON(data)
		if err == nil && !bytes.Equal(j, want[0]) {
			t.Fatalf("oracle helper disagrees with YAMLToJSON: %s vs %s", want[0], j)
		}
	}
}

// fuzzArena is reused across fuzz inputs, after fuzzWarm has filled it with another tree.
var (
	fuzzArena = &NodeArena{}
	fuzzWarm  = []byte("a: &x [1, {b: *x}]\nc: !!str d\n---\n- e\n- {f: g}\n")
)

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		start := time.Now()
		checkAgainstOracle(t, data)
		// Parsing into a used arena gives the same trees as parsing into fresh memory.
		fuzzArena.Reset()
		render(t, fuzzWarm, Options{Nodes: fuzzArena})
		fuzzArena.Reset()
		want := render(t, data, Options{})
		if got := render(t, data, Options{Nodes: fuzzArena}); !bytes.Equal(got, want) {
			t.Fatalf("parsed into a used arena:\n%s\nfresh:\n%s", got, want)
		}
		// One document at a time, each built over the one before, gives the same.
		fuzzArena.Reset()
		if got := renderEach(t, data, Options{Nodes: fuzzArena}); !bytes.Equal(got, want) {
			t.Fatalf("parsed one document at a time:\n%s\nall at once:\n%s", got, want)
		}
		if d := time.Since(start); d > 300*time.Millisecond && os.Getenv("YAMLDOC_SLOW") != "" {
			os.WriteFile(filepath.Join(os.Getenv("YAMLDOC_SLOW"), fmt.Sprintf("%d-%x", d.Milliseconds(), sha256.Sum256(data))), data, 0o644)
		}
	})
}

var _ = json.Marshal
