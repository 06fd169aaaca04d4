// Package json writes the report document as indented JSON (the "json" format).
//
// The document is written piece by piece: the header, then one finding at a time, so memory
// stays flat however many findings there are. The output is byte for byte what encoding/json
// with two-space indentation would produce for report.Build's document.
package json

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/kubeharden/kubeharden/internal/chunkwrite"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/report"
)

func init() { report.Register("json", Write) }

// findingsPerChunk is how many findings a worker renders at a time: some 200 KiB of JSON. Much
// smaller chunks cost more in hand-offs between goroutines, much larger ones more fresh memory.
const findingsPerChunk = 256

// chunkBytes is the buffer a chunk is rendered into: findings run to 700 bytes and more.
const chunkBytes = findingsPerChunk * 800

// Write renders the result as the JSON report document.
func Write(w io.Writer, res *engine.Result, opts report.Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	head := report.Header(res, opts)
	errs := head.Errors
	head.Errors = nil
	// Render the header with empty findings and errors, then splice the lists in: the header
	// ends with `"findings": [],\n  "errors": null\n}`.
	h, err := marshal(head, "")
	if err != nil {
		return err
	}
	cut := bytes.LastIndex(h, []byte(`"findings": [],`))
	if cut < 0 {
		return errHeader
	}
	bw.Write(h[:cut])
	bw.WriteString(`"findings": [`)
	if err := bw.Flush(); err != nil {
		return err
	}
	// The findings are most of the report: rendered in parallel chunks, written in order.
	err = chunkwrite.Write(w, chunkwrite.Even(len(res.Findings), findingsPerChunk), func() chunkwrite.Renderer {
		enc := encoder{expect: len(res.Findings)}
		conv := report.Converter{Options: opts}
		return func(b []byte, lo, hi int) []byte {
			for i := lo; i < hi; i++ {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, "\n    "...)
				ef := &res.Findings[i]
				f := conv.Finding(ef)
				b = enc.appendFinding(b, &f, ef.Object)
			}
			return b
		}
	}, chunkwrite.Options{BufferSize: chunkBytes})
	if err != nil {
		return err
	}
	if len(res.Findings) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("],\n  \"errors\": ")
	e, err := marshal(errs, "  ")
	if err != nil {
		return err
	}
	bw.Write(e)
	bw.WriteString("\n}\n")
	return bw.Flush()
}

type headerError struct{}

func (headerError) Error() string { return "report: unexpected header layout" }

var errHeader = headerError{}

func marshal(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	if err := indentInto(&buf, v, prefix); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// indentInto encodes v into buf (reset first) with the report's indentation, without HTML
// escaping and without a trailing newline.
func indentInto(buf *bytes.Buffer, v any, prefix string) error {
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1)
	return nil
}
