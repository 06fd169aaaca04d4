package quickfmt

import (
	"errors"
	"fmt"
	"testing"
)

// cases are compared with fmt.Sprintf; they cover the fast verbs and everything that must fall
// back (other verbs, flags, widths, wrong types, missing and extra arguments).
var cases = []struct {
	format string
	args   []any
}{
	{"plain text", nil},
	{"", nil},
	{"%s", []any{"x"}},
	{"container %q runs as root (runAsUser %d)", []any{"app", 0}},
	{"%q", []any{"has \"quotes\" and \\ backslash"}},
	{"%q", []any{"tab\tnewline\n"}},
	{"%q", []any{"ünïcode ✓"}},
	{"%q", []any{"bad utf8 \xff"}},
	{"%q", []any{"del \x7f"}},
	{"%q", []any{""}},
	{"100%% sure: %s", []any{"yes"}},
	{"%d %d %d %d", []any{int(-5), int32(7), int64(1 << 40), uint32(9)}},
	{"%d", []any{uint64(3)}},
	{"%s", []any{42}},
	{"%q", []any{42}},
	{"%s", []any{errors.New("an error")}},
	{"%v", []any{"v"}},
	{"%04o", []any{0o644}},
	{"%5s", []any{"pad"}},
	{"%-5d|", []any{3}},
	{"%s %s", []any{"only one"}},
	{"%s", []any{"one", "extra"}},
	{"trailing %", nil},
	{"%", []any{"x"}},
	{"%!", []any{"x"}},
	{"%s", []any{nil}},
	{"%x", []any{"hex"}},
}

func TestSprintfMatchesFmt(t *testing.T) {
	for _, c := range cases {
		want := fmt.Sprintf(c.format, c.args...)
		if got := Sprintf(c.format, c.args...); got != want {
			t.Errorf("Sprintf(%q, %#v) = %q, want %q", c.format, c.args, got, want)
		}
	}
}

func TestLongMessage(t *testing.T) {
	long := string(make([]byte, 1000))
	if got, want := Sprintf("a %s b %q", long, "n"), fmt.Sprintf("a %s b %q", long, "n"); got != want {
		t.Error("a message longer than the stack buffer differs from fmt.Sprintf")
	}
}

func FuzzSprintf(f *testing.F) {
	for _, c := range cases {
		a := ""
		if len(c.args) > 0 {
			a, _ = c.args[0].(string)
		}
		f.Add(c.format, a, 7)
	}
	f.Fuzz(func(t *testing.T, format, s string, n int) {
		for _, args := range [][]any{{s}, {s, n}, {n, s}, {s, s}, nil} {
			if got, want := Sprintf(format, args...), fmt.Sprintf(format, args...); got != want {
				t.Fatalf("Sprintf(%q, %#v) = %q, want %q", format, args, got, want)
			}
		}
	})
}

func BenchmarkSprintf(b *testing.B) {
	b.Run("quickfmt", func(b *testing.B) {
		for b.Loop() {
			_ = Sprintf("%s %q has no %s %s", "container", "app", "memory", "limit")
		}
	})
	b.Run("fmt", func(b *testing.B) {
		for b.Loop() {
			_ = fmt.Sprintf("%s %q has no %s %s", "container", "app", "memory", "limit")
		}
	})
}
