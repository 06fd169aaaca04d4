// Package report turns an engine result into the document every machine-readable format shares,
// and keeps the registry of output formats. Each format lives in its own subpackage
// (report/table, report/json, report/sarif, ...) and reads the same result: no writer derives a
// verdict of its own.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/kubeharden/kubeharden/pkg/engine"
)

// Options are what writers may need besides the result.
type Options struct {
	// ToolVersion is printed in reports that name their producer.
	ToolVersion string
	// Color enables ANSI colour in human formats (only when writing to a terminal).
	Color bool
	// BaseDir, when set, makes file paths in reports relative to it (SARIF wants paths relative
	// to the repository root).
	BaseDir string
}

// Writer renders a result in one format.
type Writer func(w io.Writer, res *engine.Result, opts Options) error

var (
	mu      sync.Mutex
	writers = map[string]Writer{}
)

// Register adds a format; format packages call it from init.
func Register(name string, w Writer) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := writers[name]; dup {
		panic("report: duplicate format " + name)
	}
	writers[name] = w
}

// Lookup returns the writer for a format name.
func Lookup(name string) (Writer, error) {
	mu.Lock()
	defer mu.Unlock()
	if w, ok := writers[name]; ok {
		return w, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want one of %s)", name, strings.Join(formatsLocked(), ", "))
}

// Formats lists the registered format names.
func Formats() []string {
	mu.Lock()
	defer mu.Unlock()
	return formatsLocked()
}

func formatsLocked() []string {
	out := make([]string, 0, len(writers))
	for n := range writers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
