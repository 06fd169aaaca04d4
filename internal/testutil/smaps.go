package testutil

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Mapping is what /proc/self/smaps says of one mapping: the tests of the huge-page packages
// check the kernel's own view of the advice they give.
type Mapping struct {
	VmFlags       string // the two-letter flags; "hg" for MADV_HUGEPAGE
	AnonHugePages int    // kB of the mapping backed by huge pages
}

// Advised reports whether the mapping has the MADV_HUGEPAGE advice.
func (m Mapping) Advised() bool { return strings.Contains(" "+m.VmFlags+" ", " hg ") }

// MappingAt reads /proc/self/smaps (Linux) for the mapping that holds addr; failing to read it
// fails the test.
func MappingAt(tb testing.TB, addr uintptr) Mapping {
	tb.Helper()
	m, err := mappingAt(addr)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func mappingAt(addr uintptr) (Mapping, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return Mapping{}, err
	}
	defer f.Close()
	var m Mapping
	sc := bufio.NewScanner(f)
	inside, found := false, false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 && strings.Contains(line, " ") {
			inside = lo <= addr && addr < hi
			found = found || inside
			continue
		}
		if !inside {
			continue
		}
		if v, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			fmt.Sscanf(strings.TrimSpace(v), "%d", &m.AnonHugePages)
		}
		if v, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			m.VmFlags = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return Mapping{}, err
	}
	if !found {
		return Mapping{}, fmt.Errorf("no mapping holds %#x", addr)
	}
	return m, nil
}
