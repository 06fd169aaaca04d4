package earlyheap

import (
	"syscall"
	"unsafe"
)

// supported says this platform gets the advice: Linux on amd64, with 4 KiB pages and 2 MiB huge
// pages.
const supported = true

// Advice values that package syscall does not name.
const (
	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE (Linux 6.1)
)

// advise advises and collapses the whole huge pages of [lo, hi) that lie in private, writable,
// anonymous mappings, but for avoid.
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

// adviseRange advises [lo, hi), which is aligned to huge pages, and collapses it one huge page
// at a time (the kernel gives up on a range at its first huge page with nothing touched in it),
// but only the huge pages with at least collapseFrom of their pages resident: collapsing makes
// the whole huge page resident, which for a few scattered pages (what a release of free memory
// leaves of a huge page, or the runtime's first pages below the heap's start) costs more memory
// than their page faults cost time. It returns the error of the last collapse, which callers
// ignore: a huge page with nothing touched cannot be collapsed (being advised, it becomes a huge
// page when first touched), a kernel short of free huge pages may not collapse one now, and an
// old kernel lacks the advice.
func adviseRange(lo, hi uintptr) syscall.Errno {
	if lo >= hi {
		return 0
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvHugepage); errno != 0 {
		return errno
	}
	var last syscall.Errno
	for p := lo; p < hi; p += hugePage {
		if resident(p) >= collapseFrom {
			_, _, last = syscall.Syscall(syscall.SYS_MADVISE, p, hugePage, madvCollapse)
		}
	}
	return last
}

// collapseFrom is how many of a huge page's 512 pages must be resident for adviseRange to
// collapse it: an eighth, 256 KiB. After hugeheap's release, the huge pages below its range hold
// either most of their pages or a few dozen at most.
const collapseFrom = 64

// resident counts the resident pages of the huge page at p; -1 when residency cannot be read.
func resident(p uintptr) int {
	var vec [hugePage / 4096]byte
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, p, hugePage, uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		return -1
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
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

// eachMapping calls f with the bounds of each private, writable, anonymous mapping in
// /proc/self/maps, in order of address, until f returns false.
func eachMapping(f func(lo, hi uintptr) bool) {
	fd, err := syscall.Open("/proc/self/maps", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	var buf [4 << 10]byte
	var line [128]byte
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
// whether it is a private, writable, anonymous mapping: no file (inode 0) and no path, or a name
// given to anonymous memory ("[anon:...]"). The process's stack, the executable's data and the
// like do not qualify.
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
	// Offset, device and inode follow, then the path, if any.
	rest := line[j+5:]
	for field := 0; field < 3; field++ {
		rest = trimSpaces(rest)
		k := 0
		for k < len(rest) && rest[k] != ' ' {
			k++
		}
		if field == 2 && string(rest[:k]) != "0" {
			return 0, 0, false // a file's inode
		}
		rest = rest[k:]
	}
	path := trimSpaces(rest)
	if len(path) > 0 && !(len(path) >= 6 && string(path[:6]) == "[anon:") {
		return 0, 0, false
	}
	return lo, hi, true
}

// trimSpaces drops the spaces at the start of b.
func trimSpaces(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b
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
