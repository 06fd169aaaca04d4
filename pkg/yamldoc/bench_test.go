//go:build unix

package yamldoc

import (
	"bytes"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	yaml3 "go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// cpuClock reports the CPU time of the process, which stays meaningful
// when the machine is shared and wall time is not.
func cpuClock() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs f b.N times and also reports CPU milliseconds per iteration.
func loop(b *testing.B, f func()) {
	start := cpuClock()
	for b.Loop() {
		f()
	}
	b.ReportMetric(float64(cpuClock()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkParseCorpus parses every corpus file into nodes.
func BenchmarkParseCorpus(b *testing.B) {
	files, total := loadCorpus(b)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	loop(b, func() {
		for _, f := range files {
			Parse(f.data, Options{})
		}
	})
}

// BenchmarkParseCorpusYAMLv3 is the same with go.yaml.in/yaml/v3 nodes.
func BenchmarkParseCorpusYAMLv3(b *testing.B) {
	files, total := loadCorpus(b)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	loop(b, func() {
		for _, f := range files {
			dec := yaml3.NewDecoder(bytes.NewReader(f.data))
			for {
				var n yaml3.Node
				if dec.Decode(&n) != nil {
					break
				}
			}
		}
	})
}

// BenchmarkJSONCorpus parses the corpus and renders every document as JSON.
func BenchmarkJSONCorpus(b *testing.B) {
	files, total := loadCorpus(b)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	var buf []byte
	loop(b, func() {
		for _, f := range files {
			docs, _ := Parse(f.data, Options{})
			for _, d := range docs {
				buf, _ = d.Root.AppendJSON(buf[:0], Options{})
			}
		}
	})
}

// BenchmarkJSONCorpusYAMLToJSON is the same with goyaml.v2 and the
// conversion of sigs.k8s.io/yaml.YAMLToJSON, document by document.
func BenchmarkJSONCorpusYAMLToJSON(b *testing.B) {
	files, total := loadCorpus(b)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	loop(b, func() {
		for _, f := range files {
			oracleDocs(f.data)
		}
	})
}

type corpusObject struct {
	node *Node
	gvk  schema.GroupVersionKind
}

func corpusObjects(b *testing.B) ([]corpusFile, int) {
	files, _ := loadCorpus(b)
	n := 0
	for _, f := range files {
		docs, _ := Parse(f.data, Options{})
		n += len(typedObjects(docs))
	}
	return files, n
}

func typedObjects(docs []Document) []corpusObject {
	var out []corpusObject
	for _, d := range docs {
		items := []*Node{d.Root}
		if d.Root.Get("kind").Text() == "List" {
			items = d.Root.Get("items").Content
		}
		for _, n := range items {
			gv, err := schema.ParseGroupVersion(n.Get("apiVersion").Text())
			if err != nil {
				continue
			}
			gvk := gv.WithKind(n.Get("kind").Text())
			if scheme.Scheme.Recognizes(gvk) {
				out = append(out, corpusObject{n, gvk})
			}
		}
	}
	return out
}

// BenchmarkDecodeCorpus parses the corpus and decodes every object of a
// built-in kind into its k8s.io/api type; it reports objects per second.
func BenchmarkDecodeCorpus(b *testing.B) {
	files, nobj := corpusObjects(b)
	b.ReportAllocs()
	loop(b, func() {
		for _, f := range files {
			docs, _ := Parse(f.data, Options{})
			for _, o := range typedObjects(docs) {
				obj, _ := scheme.Scheme.New(o.gvk)
				Decode(o.node, obj, Options{})
			}
		}
	})
	b.ReportMetric(float64(nobj)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkDecodeCorpusSigsYAML is the same with sigs.k8s.io/yaml.Unmarshal.
func BenchmarkDecodeCorpusSigsYAML(b *testing.B) {
	files, nobj := corpusObjects(b)
	type item struct {
		yaml []byte
		gvk  schema.GroupVersionKind
	}
	var items []item
	for _, f := range files {
		docs, _ := Parse(f.data, Options{})
		for _, o := range typedObjects(docs) {
			j, _ := o.node.AppendJSON(nil, Options{})
			y, _ := yaml.JSONToYAML(j)
			items = append(items, item{y, o.gvk})
		}
	}
	b.ReportAllocs()
	loop(b, func() {
		for _, it := range items {
			obj, _ := scheme.Scheme.New(it.gvk)
			yaml.Unmarshal(it.yaml, obj)
		}
	})
	b.ReportMetric(float64(nobj)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

func benchDeployment(b *testing.B) []byte {
	data := readTestdata(b, "deployment.yaml")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	return data
}

// BenchmarkDecodeDeployment parses and decodes one Deployment.
func BenchmarkDecodeDeployment(b *testing.B) {
	data := benchDeployment(b)
	for b.Loop() {
		docs, _ := Parse(data, Options{})
		var d appsv1.Deployment
		if err := Decode(docs[0].Root, &d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeDeploymentNodes decodes an already parsed Deployment.
func BenchmarkDecodeDeploymentNodes(b *testing.B) {
	data := benchDeployment(b)
	docs, _ := Parse(data, Options{})
	for b.Loop() {
		var d appsv1.Deployment
		if err := Decode(docs[0].Root, &d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeDeploymentSigsYAML is the usual way: sigs.k8s.io/yaml.
func BenchmarkDecodeDeploymentSigsYAML(b *testing.B) {
	data := benchDeployment(b)
	for b.Loop() {
		var d appsv1.Deployment
		if err := yaml.Unmarshal(data, &d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeDeploymentYAMLv3 decodes with go.yaml.in/yaml/v3 into
// generic values and goes through encoding/json (k8s.io/api types only
// have json tags). yaml.v3 reads "yes" as a string (YAML 1.2), so the
// document says "true" there.
func BenchmarkDecodeDeploymentYAMLv3(b *testing.B) {
	data := bytes.Replace(benchDeployment(b), []byte("readOnly: yes"), []byte("readOnly: true"), 1)
	for b.Loop() {
		var m any
		if err := yaml3.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
		j, err := json.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		var d appsv1.Deployment
		if err := json.Unmarshal(j, &d); err != nil {
			b.Fatal(err)
		}
	}
}

var _ runtime.Object = (*appsv1.Deployment)(nil)
