package yamldoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	yaml2 "go.yaml.in/yaml/v2"
)

// oracleDocs converts every document of data to JSON the way
// sigs.k8s.io/yaml.YAMLToJSON converts the first one (it decodes with
// goyaml.v2 and stringifies keys). It stops at the first error and returns
// the documents converted before it and the index of the failing document.
func oracleDocs(data []byte) (docs [][]byte, err error) {
	dec := yaml2.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		e := dec.Decode(&v)
		if errors.Is(e, io.EOF) {
			return docs, nil
		}
		if e != nil {
			return docs, e
		}
		j, e := toJSONable(v)
		if e != nil {
			return docs, e
		}
		b, e := json.Marshal(j)
		if e != nil {
			return docs, e
		}
		docs = append(docs, b)
	}
}

// toJSONable mirrors sigs.k8s.io/yaml's conversion of goyaml.v2 values
// without a target type.
func toJSONable(v any) (any, error) {
	switch t := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, val := range t {
			var ks string
			switch kk := k.(type) {
			case string:
				ks = kk
			case int:
				ks = strconv.Itoa(kk)
			case int64:
				ks = strconv.FormatInt(kk, 10)
			case float64:
				ks = strconv.FormatFloat(kk, 'g', -1, 32)
				switch ks {
				case "+Inf":
					ks = ".inf"
				case "-Inf":
					ks = "-.inf"
				case "NaN":
					ks = ".nan"
				}
			case bool:
				ks = strconv.FormatBool(kk)
			default:
				return nil, fmt.Errorf("unsupported map key of type %T", k)
			}
			c, err := toJSONable(val)
			if err != nil {
				return nil, err
			}
			m[ks] = c
		}
		return m, nil
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			c, err := toJSONable(e)
			if err != nil {
				return nil, err
			}
			a[i] = c
		}
		return a, nil
	}
	return v, nil
}
