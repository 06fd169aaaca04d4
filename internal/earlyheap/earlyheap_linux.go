package earlyheap

import (
	"syscall"
	"unsafe"
)

// Advice values that package syscall does not name.
const (
	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE (Linux 6.1)
)

// advise advises and collapses the whole huge pages of [lo, hi) that lie in private, writable
// mappings, but for avoid.
func advise(lo, hi uintptr) {
	eachMapping(func(mlo, mhi uintptr) bool {
		a, b := max(lo, mlo), min(hi, mhi)
		a, b = (a+hugePage-1)&^(hugePage-1), b&^(hugePage-1)
		if avoid != 0 && a <= avoid && avoid < b {
			adviseRange(a, avoid)
			a = avoid + hugePage
		}
		adviseRange(a, b)
		return mlo < hi
	})
}

// adviseRange advises and collapses [lo, hi), which is aligned to huge pages.
func adviseRange(lo, hi uintptr) {
	if lo >= hi {
		return
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvHugepage); errno == 0 {
		// The error is ignored: a huge page with nothing touched in it cannot be collapsed
		// (being advised, it becomes a huge page when first touched), and an old kernel lacks
		// the advice.
		syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvCollapse)
	}
}

// heapStart returns the first resident page of [chunk, addr], addr being resident: where the
// heap starts, since the pages the runtime skips at its start are never touched. It returns
// chunk when residency cannot be read.
func heapStart(chunk, addr uintptr) uintptr {
	const page = 4 << 10
	var vec [chunkSize / page]byte
	n := (addr - chunk + page) / page
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, chunk, n*page, uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		return chunk
	}
	for i := range vec[:n] {
		if vec[i]&1 != 0 {
			return chunk + uintptr(i)*page
		}
	}
	return chunk
}

// eachMapping calls f with the bounds of each private, writable mapping in /proc/self/maps, in
// order of address, until f returns false.
func eachMapping(f func(lo, hi uintptr) bool) {
	fd, err := syscall.Open("/proc/self/maps", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	var buf [4 << 10]byte
	var line [64]byte
	n := 0 // bytes of the current line kept in line: only a line's start is read
	for {
		m, err := syscall.Read(fd, buf[:])
		if m <= 0 || err != nil {
			return
		}
		for _, c := range buf[:m] {
			if c != '\n' {
				if n < len(line) {
					line[n] = c
					n++
				}
				continue
			}
			if lo, hi, ok := parseMapping(line[:n]); ok && !f(lo, hi) {
				return
			}
			n = 0
		}
	}
}

// parseMapping reads the start of a maps line ("lo-hi perms offset dev inode path") and reports
// whether it is a private, writable mapping.
func parseMapping(line []byte) (lo, hi uintptr, ok bool) {
	lo, i := parseHex(line, 0)
	if i == 0 || i >= len(line) || line[i] != '-' {
		return 0, 0, false
	}
	hi, j := parseHex(line, i+1)
	if j == i+1 || j+5 > len(line) || line[j] != ' ' {
		return 0, 0, false
	}
	perms := line[j+1 : j+5]
	if perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p' {
		return 0, 0, false
	}
	return lo, hi, true
}

// parseHex reads a lower-case hexadecimal number at line[i:] and returns it with the index after
// it.
func parseHex(line []byte, i int) (uintptr, int) {
	var v uintptr
	for ; i < len(line); i++ {
		c := line[i]
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | uintptr(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | uintptr(c-'a'+10)
		default:
			return v, i
		}
	}
	return v, i
}
