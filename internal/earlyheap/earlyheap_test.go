package earlyheap

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// TestImportsStayMinimal guards what makes the init run early: package initialisation takes
// packages in sorted order once their imports are ready, so every import this package adds
// (beyond syscall, which is ready a few packages into any process) would hold its init back
// behind that import's whole tree.
func TestImportsStayMinimal(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"syscall": true, "unsafe": true}
	for _, name := range files {
		if filepath.Ext(name) != ".go" || len(name) > 8 && name[len(name)-8:] == "_test.go" {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowed[path] {
				t.Errorf("%s imports %q; only syscall and unsafe keep this package's init early", name, path)
			}
		}
	}
}

func TestDisabled(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                             false,
		"disablethp=1":                 true,
		"madvdontneed=1,disablethp=1":  true,
		" disablethp=1":                false, // the runtime does not trim either
		"disablethp=1,madvdontneed=1":  true,
		"disablethp=0":                 false,
		"xdisablethp=1":                false,
		"disablethp=10":                false,
		",,disablethp=1,":              true,
		"gctrace=1,madvdontneed=1,x=y": false,
	} {
		t.Setenv("GODEBUG", godebug)
		if got := Disabled(); got != want {
			t.Errorf("GODEBUG=%q: Disabled() = %v, want %v", godebug, got, want)
		}
	}
}
