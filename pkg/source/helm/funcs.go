package helm

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
	yaml3 "sigs.k8s.io/yaml/goyaml.v3"
)

// This file is the function set templates can call: sprig's text functions without the two
// that read the environment, Helm's serialisation functions, and the functions whose result
// depends on the render (include, tpl, required, fail: see engine.go) or on a cluster (lookup,
// getHostByName), which find nothing here, as in `helm template`.
//
// The serialisation functions swallow their errors the way Helm's do (toYaml of something that
// cannot be marshalled is "", fromYaml of bad YAML is a map with an "Error" key), since charts
// are written against that behaviour.

// baseFuncs returns the functions that do not depend on the render.
func baseFuncs() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	for name, fn := range map[string]any{
		"toToml":        toTOML,
		"fromToml":      fromTOML,
		"toYaml":        toYAML,
		"toYamlPretty":  toYAMLPretty,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		// No cluster: lookup finds no object, and DNS names resolve to nothing.
		"lookup":        func(string, string, string, string) (map[string]any, error) { return map[string]any{}, nil },
		"getHostByName": func(string) string { return "" },
		"required":      required,
		"fail":          fail,
	} {
		f[name] = fn
	}
	return f
}

// Errors that end a render with a message of the chart's own (required, fail) are wrapped in
// these markers, so that the engine can give the message alone however deep in include and tpl
// calls it was raised. They are the markers Helm uses.
const (
	msgStart = "HELM_ERR_START"
	msgEnd   = "HELM_ERR_END"
)

func chartMessage(msg string) error { return errors.New(msgStart + msg + msgEnd) }

// required returns v, or fails with msg when v is nil or "".
func required(msg string, v any) (any, error) {
	if s, ok := v.(string); v == nil || (ok && s == "") {
		return v, chartMessage(msg)
	}
	return v, nil
}

// fail fails with msg.
func fail(msg string) (string, error) { return "", chartMessage(msg) }

func toYAML(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

// toYAMLPretty marshals with the YAML v3 encoder at a two-space indent, which also indents
// lists under their key.
func toYAMLPretty(v any) string {
	var b bytes.Buffer
	enc := yaml3.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func fromYAML(s string) map[string]any {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []any {
	a := []any{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []any{err.Error()}
	}
	return a
}

// toTOML returns the TOML of v, or the encoder's error message.
func toTOML(v any) string {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(v); err != nil {
		return err.Error()
	}
	return b.String()
}

func fromTOML(s string) map[string]any {
	m := map[string]any{}
	if err := toml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]any {
	m := map[string]any{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []any {
	a := []any{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		a = []any{err.Error()}
	}
	return a
}
