package yamldoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"k8s.io/apimachinery/pkg/runtime"
	kyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// kubectlStream reads data as kubectl reads a manifest file: through the byte-order-mark
// override of its file reader, then its stream decoder. It returns the values decoded (null and
// empty documents left out, as kubectl skips them) and whether the stream ends with an error.
func kubectlStream(data string) (values []any, failed bool) {
	r := transform.NewReader(strings.NewReader(data), unicode.BOMOverride(unicode.UTF8.NewDecoder()))
	d := kyaml.NewYAMLOrJSONDecoder(r, 4096)
	for {
		var ext runtime.RawExtension
		err := d.Decode(&ext)
		if errors.Is(err, io.EOF) {
			return values, false
		}
		if err != nil {
			return values, true
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			panic(err)
		}
		values = append(values, v)
	}
}

// TestEachYAMLOrJSONAgreesWithKubectl: input that starts with '{' is a stream of JSON values,
// with kubectl's fallback to YAML, value for value and error for error.
func TestEachYAMLOrJSONAgreesWithKubectl(t *testing.T) {
	for _, in := range []string{
		"{\"a\":1}\n{\"b\":2}\n",
		"{\"a\":1}{\"b\":2}",
		"  \n{\"a\":1}\n\n{\"b\":2}\n{\"c\":[1,{\"d\":\"}{\"}]}\n",
		"{\"x\": JsonBareLeak16}\n",
		"{\"a\":1}\n{\"x\": bare}\n",
		"{\"a\":1}\n{\"b\":2}\n{\"x\": bare}\n{\"c\":3}\n",
		"{\"a\":1}\nb: 2\n---\nc: 3\n",
		"{\"a\":1}\n{\"b\":2}\nc: 3\n",
		"{\"a\":1} 5 \"s\" {\"b\":2}",
		"{\"a\":1}\n---\n{\"b\":2}\n",
		"{\"a\":1}\n# c\n{\"b\":2}\n",
		"{\"a\": 1,}\n",
		"{\"a\":\t1}\n{\"b\":2}",
		"{'a': 1}\n",
		"{\"a\":1} {\"x\": bare}\n",
		"{\"a\":1}\n{\"b\":2}\n{\"c\":",
		"{\"a\":1}\n",
		"{\"a\":1}  # trailing\n",
		// JSON's \u escapes: a surrogate pair is one character, a lone surrogate U+FFFD; in
		// YAML both are errors.
		"{\"a\":\"\\ud83d\\ude80 \\u00e9\"}\n",
		"{\"a\":\"\\ud83d\"}\n{\"b\":\"\\ude80x\\ud83dy\"}\n",
		"{\"a\":\"\\ud83d\\u0041\"}",
		"a: \"\\ud83d\\ude80\"\n",
		// A byte order mark at the start is dropped before the stream is sniffed.
		"\ufeff{\"a\":1}\n{\"b\":2}\n",
		"\ufeff  {\"a\":1}{\"b\":2}",
		"\ufeff{\"a\":1}\n",
	} {
		want, wantErr := kubectlStream(in)
		var got []any
		gotErr := false
		EachYAMLOrJSON([]byte(in), Options{}, func(d Document, err error) bool {
			if err != nil {
				gotErr = true
				return true
			}
			if d.Root == nil || d.Root.IsNull() {
				return true
			}
			j, err := d.Root.AppendJSON(nil, Options{})
			if err != nil {
				t.Fatalf("%q: %v", in, err)
			}
			var v any
			if err := json.Unmarshal(j, &v); err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
			return true
		})
		if !reflect.DeepEqual(got, want) || gotErr != wantErr {
			t.Errorf("%q:\n got %v (error %v)\nwant %v (error %v)", in, got, gotErr, want, wantErr)
		}
	}
}

// TestEachYAMLOrJSONLines: each value of a JSON stream is a document with its own index and
// lines; an error after two values names the line of the bad value and ends the stream.
func TestEachYAMLOrJSONLines(t *testing.T) {
	in := "{\"a\": 1}\n{\"b\":\n  {\"c\": 2}}{\"d\": 3}\n\n{\"e\": 4}\n{\"f\": bare}\n{\"g\": 5}\n"
	var got []string
	EachYAMLOrJSON([]byte(in), Options{}, func(d Document, err error) bool {
		if err != nil {
			var e *Error
			errors.As(err, &e)
			got = append(got, fmt.Sprintf("%d error at %d:%d", e.Index, e.Line, e.Column))
			return true
		}
		got = append(got, fmt.Sprintf("%d at %d, %s at %d", d.Index, d.Line, d.Root.Content[0].Value, d.Root.Content[1].Line))
		return true
	})
	want := "0 at 1, a at 1|1 at 2, b at 3|2 at 3, d at 3|3 at 5, e at 5|4 error at 6:7"
	if strings.Join(got, "|") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
}
