package earlyheap

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStayMinimal guards what makes the init run early: package initialisation takes
// packages in sorted order once their imports are ready, so every import this package adds
// (beyond syscall and unsafe) would hold its init back behind that import's whole tree.
func TestImportsStayMinimal(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"syscall": true, "unsafe": true}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
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

// TestDisabledBy holds GODEBUG's disablethp to the runtime's reading (parsegodebug at start-up:
// left to right, the last valid setting wins, any number but 0 turns huge pages off).
func TestDisabledBy(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                             false,
		"disablethp=1":                 true,
		"disablethp=2":                 true,
		"disablethp=01":                true,
		"disablethp=10":                true,
		"disablethp=-1":                true,
		"disablethp=+1":                true,
		"disablethp=0":                 false,
		"disablethp=00":                false,
		"madvdontneed=1,disablethp=1":  true,
		"disablethp=1,madvdontneed=1":  true,
		"disablethp=1,disablethp=0":    false,
		"disablethp=0,disablethp=1":    true,
		"disablethp=1,disablethp=x":    true, // not a number: the earlier setting stands
		"disablethp=x":                 false,
		"disablethp=":                  false,
		"disablethp=4294967296":        false, // beyond 32 bits: ignored, as ParseInt(.., 32) fails
		"disablethp=2147483647":        true,
		" disablethp=1":                false, // the runtime does not trim either
		"xdisablethp=1":                false,
		",,disablethp=1,":              true,
		"gctrace=1,madvdontneed=1,x=y": false,
	} {
		if got := disabledBy(godebug); got != want {
			t.Errorf("disabledBy(%q) = %v, want %v", godebug, got, want)
		}
	}
}

func TestParseInt32MatchesStrconv(t *testing.T) {
	for _, s := range []string{"0", "7", "-7", "+7", "007", "2147483647", "2147483648", "-2147483648",
		"-2147483649", "99999999999999999999", "", "+", "-", "1x", " 1", "1 ", "0x1"} {
		want, err := strconv.ParseInt(s, 10, 32)
		got, ok := parseInt32(s)
		if ok != (err == nil) || ok && got != want {
			t.Errorf("parseInt32(%q) = %d, %v; strconv.ParseInt: %d, %v", s, got, ok, want, err)
		}
	}
}

// TestBelow checks the range AdviseHeapBelow gives advice to: 8 MiB under the address, never
// outside the arena of the heap's first chunk, and nothing without a chunk.
func TestBelow(t *testing.T) {
	const arena = 0x7a2c_0000_0000 // a multiple of arenaSize
	for _, c := range []struct {
		name          string
		chunk, addr   uintptr
		wantLo, wantH uintptr
	}{
		{"within the arena", arena + 12<<20, arena + 20<<20, arena + 12<<20, arena + 20<<20},
		{"near the arena's start", arena + 4<<20, arena + 6<<20, arena, arena + 6<<20},
		{"address past the arena", arena + 60<<20, arena + 70<<20, arena + 62<<20, arena + 64<<20},
		{"address in another arena", arena + 4<<20, arena + 200<<20, 0, 0},
		{"address below the arena", arena + 4<<20, arena - 2<<20, 0, 0},
		{"no chunk", 0, arena + 20<<20, 0, 0},
	} {
		lo, hi := below(c.chunk, c.addr)
		if lo >= hi {
			lo, hi = 0, 0
		}
		if lo != c.wantLo || hi != c.wantH {
			t.Errorf("%s: below = [%#x, %#x), want [%#x, %#x)", c.name, lo, hi, c.wantLo, c.wantH)
		}
	}
}
