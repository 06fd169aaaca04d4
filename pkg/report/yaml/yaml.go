// Package yaml writes the report document as YAML (the "yaml" format): the same fields as JSON.
package yaml

import (
	"encoding/json"
	"io"

	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/report"
	"sigs.k8s.io/yaml"
)

func init() { report.Register("yaml", Write) }

// Write renders the result as YAML, converting the JSON document so both stay identical.
func Write(w io.Writer, res *engine.Result, opts report.Options) error {
	j, err := json.Marshal(report.Build(res, opts))
	if err != nil {
		return err
	}
	y, err := yaml.JSONToYAML(j)
	if err != nil {
		return err
	}
	_, err = w.Write(y)
	return err
}
