// Package json writes the report document as indented JSON (the "json" format).
package json

import (
	"encoding/json"
	"io"

	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/report"
)

func init() { report.Register("json", Write) }

// Write renders the result as the JSON report document.
func Write(w io.Writer, res *engine.Result, opts report.Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(report.Build(res, opts))
}
