package yamldoc

import (
	"bytes"
	"testing"

	yaml3 "go.yaml.in/yaml/v3"
)

func BenchmarkParseCorpus(b *testing.B) {
	files, total := loadCorpus(b)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			Parse(f.data, Options{})
		}
	}
}

func BenchmarkParseCorpusYAMLv3(b *testing.B) {
	files, total := loadCorpus(b)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			dec := yaml3.NewDecoder(bytes.NewReader(f.data))
			for {
				var n yaml3.Node
				if dec.Decode(&n) != nil {
					break
				}
			}
		}
	}
}
