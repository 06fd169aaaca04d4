package helm

import (
	"encoding/base64"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	pathglob "github.com/gobwas/glob"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"helm.sh/helm/v3/pkg/chart"
)

// files is .Files: the chart's files that are neither templates nor Chart.yaml/values.yaml,
// by path in the chart. Its methods are those Helm gives templates, with value receivers, and
// they never fail: a missing file reads as empty.
type files map[string][]byte

func chartFiles(c *chart.Chart) files {
	f := make(files, len(c.Files))
	for _, e := range c.Files {
		f[e.Name] = e.Data
	}
	return f
}

// GetBytes returns the content of file name, or an empty slice.
func (f files) GetBytes(name string) []byte {
	if b, ok := f[name]; ok {
		return b
	}
	return []byte{}
}

// Get returns the content of file name as a string, or "".
func (f files) Get(name string) string { return string(f.GetBytes(name)) }

// Glob returns the files whose path matches pattern ("config/**", "*.conf"; "/" separates).
// A malformed pattern matches everything, as in Helm.
func (f files) Glob(pattern string) files {
	g, err := pathglob.Compile(pattern, '/')
	if err != nil {
		g, _ = pathglob.Compile("**")
	}
	out := files{}
	for name, b := range f {
		if g.Match(name) {
			out[name] = b
		}
	}
	return out
}

// AsConfig returns the files as the YAML of a ConfigMap's data: base name to content.
func (f files) AsConfig() string {
	if f == nil {
		return ""
	}
	m := make(map[string]string, len(f))
	for name, b := range f {
		m[path.Base(name)] = string(b)
	}
	return toYAML(m)
}

// AsSecrets returns the files as the YAML of a Secret's data: base name to base64 content.
func (f files) AsSecrets() string {
	if f == nil {
		return ""
	}
	m := make(map[string]string, len(f))
	for name, b := range f {
		m[path.Base(name)] = base64.StdEncoding.EncodeToString(b)
	}
	return toYAML(m)
}

// Lines returns the lines of file name, without a final empty line after a trailing newline.
func (f files) Lines(name string) []string {
	b := f[name]
	if len(b) == 0 {
		return []string{}
	}
	s := strings.TrimSuffix(string(b), "\n")
	return strings.Split(s, "\n")
}

// chartOwnFiles are the files at a chart's top that Helm reads as the chart itself rather than
// as manifests.
var chartOwnFiles = map[string]bool{ChartFile: true, "values.yaml": true, "values.schema.json": true, "requirements.yaml": true}

// looksLikeObject says whether a file names an apiVersion and a kind: a manifest, rather than
// values or data the chart reads through .Files.
func looksLikeObject(p string) bool {
	b, err := os.ReadFile(p)
	return err == nil && apiVersionKey().Match(b) && kindKey().Match(b)
}

var (
	apiVersionKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bapiVersion"?\s*:`) })
	kindKey       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bkind"?\s*:`) })
)

// Unrendered lists the manifest-named files in the chart folder dir that rendering the chart does
// not read: only templates/, crds/ and the subcharts in charts/ become objects, so a manifest
// kept beside them (examples/, ci/ values, a stray deploy.yaml) would otherwise be passed over
// without a word when the folder is scanned.
func Unrendered(dir string) []inventory.SkippedFile {
	var out []inventory.SkippedFile
	reason := "in the Helm chart " + dir + ", which renders only its templates: not read (name the file to scan it)"
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || rel == "templates" || rel == "charts" || rel == "crds" {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && isManifestName(d.Name()) && !(filepath.Dir(rel) == "." && chartOwnFiles[d.Name()]) && looksLikeObject(p) {
			out = append(out, inventory.SkippedFile{File: p, Reason: reason})
		}
		return nil
	})
	return out
}
