package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestPrepareAdvisesHeapRange checks, in the kernel's own view of the process, that the range
// prepare returns is advised for huge pages (VmFlags "hg" in /proc/self/smaps) and lies in the
// Go heap (an allocation made after it may land there).
func TestPrepareAdvisesHeapRange(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("kernel without transparent huge pages")
	}
	start, end := prepare(64 << 20)
	if start == 0 || end-start < 32<<20 {
		t.Fatalf("prepare advised [%#x, %#x), want at least 32 MiB", start, end)
	}
	if start%hugePage != 0 || end%hugePage != 0 {
		t.Errorf("range [%#x, %#x) is not aligned to huge pages", start, end)
	}
	flags, err := vmFlags(start)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("VmFlags of the mapping at %#x = %q, want hg (MADV_HUGEPAGE)", start, flags)
	}
}

// vmFlags returns the VmFlags line of the mapping that holds addr.
func vmFlags(addr uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inside := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 && strings.Contains(line, " ") {
			inside = lo <= addr && addr < hi
			continue
		}
		if inside && strings.HasPrefix(line, "VmFlags:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmFlags:")), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping holds %#x", addr)
}
