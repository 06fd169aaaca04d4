package report

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRelPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	parent := filepath.Base(wd)
	for _, tc := range []struct{ file, base, want string }{
		{"", ".", ""},
		{"deploy/a.yaml", "", "deploy/a.yaml"},
		{"deploy/a.yaml", ".", "deploy/a.yaml"},
		{"./deploy/../deploy/a.yaml", ".", "./deploy/../deploy/a.yaml"}, // local: as given
		{"../x/a.yaml", ".", "../x/a.yaml"},
		{filepath.Join(wd, "deploy", "a.yaml"), ".", "deploy/a.yaml"},
		{"deploy/a.yaml", "deploy", "a.yaml"},
		{"other/a.yaml", "deploy", "other/a.yaml"}, // outside the base: as given
		{filepath.Join(wd, "deploy", "a.yaml"), filepath.Join(wd, "deploy"), "a.yaml"},
		{"../x/a.yaml", "..", "x/a.yaml"},
		{"a.yaml", "..", parent + "/a.yaml"},
	} {
		if got := RelPath(tc.file, tc.base); got != tc.want {
			t.Errorf("RelPath(%q, %q) = %q, want %q", tc.file, tc.base, got, tc.want)
		}
		// The working directory is asked for once; the answers must be filepath.Abs's.
		for _, p := range []string{tc.file, tc.base} {
			if p == "" {
				continue
			}
			got, err1 := absPath(p)
			want, err2 := filepath.Abs(p)
			if got != want || (err1 == nil) != (err2 == nil) {
				t.Errorf("absPath(%q) = %q, %v; filepath.Abs gives %q, %v", p, got, err1, want, err2)
			}
		}
	}
}
