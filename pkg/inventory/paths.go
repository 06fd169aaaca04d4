package inventory

import (
	"slices"
	"strconv"
	"strings"
)

// Field paths name a field inside an object, the way findings report them:
//
//	spec.template.spec.containers[0].securityContext.privileged
//	metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]
//
// A key made only of letters, digits, '_' and '-' is joined with a dot; any other key is written
// as ["key"]. Field and Index build paths; PathHasher hashes the same bytes incrementally so the
// manifest loader can index every node of a document without building path strings.

// Field returns the path of key inside the mapping at parent.
func Field(parent, key string) string {
	if simpleKey(key) {
		if parent == "" {
			return key
		}
		return parent + "." + key
	}
	return parent + `["` + key + `"]`
}

// Item returns Index(Field(parent, key), i) followed by rest (".a.b" or ""), built in one
// allocation when key is a plain name: checks build such paths for every finding.
func Item(parent, key string, i int, rest string) string {
	if parent == "" || !simpleKey(key) {
		return Index(Field(parent, key), i) + rest
	}
	return parent + "." + key + "[" + strconv.Itoa(i) + "]" + rest
}

// Index returns the path of item i of the sequence at parent.
func Index(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

func simpleKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// PathHash is an FNV-1a hash of a path's bytes, built incrementally.
type PathHash uint64

const (
	fnvOffset PathHash = 14695981039346656037
	fnvPrime  PathHash = 1099511628211
)

// RootHash is the hash of the empty path (the object itself).
const RootHash = fnvOffset

func (h PathHash) addString(s string) PathHash {
	for i := 0; i < len(s); i++ {
		h ^= PathHash(s[i])
		h *= fnvPrime
	}
	return h
}

// Field returns the hash of Field(parent, key) given the hash of parent. isRoot tells whether
// parent is the empty path.
func (h PathHash) Field(key string, isRoot bool) PathHash {
	if simpleKey(key) {
		if !isRoot {
			h = h.addString(".")
		}
		return h.addString(key)
	}
	return h.addString(`["`).addString(key).addString(`"]`)
}

// Index returns the hash of Index(parent, i) given the hash of parent.
func (h PathHash) Index(i int) PathHash {
	var b [24]byte
	s := strconv.AppendInt(append(b[:0], '['), int64(i), 10)
	s = append(s, ']')
	for _, c := range s {
		h ^= PathHash(c)
		h *= fnvPrime
	}
	return h
}

// HashPath hashes a whole path string.
func HashPath(path string) PathHash { return fnvOffset.addString(path) }

// LineIndex maps path hashes to source lines. It is a sorted slice of packed 8-byte entries
// rather than a map: an inventory holds one per object, one entry per field, and a map would be
// four times the size. Each entry keeps the top 40 bits of the path's hash and a 24-bit line;
// 40 bits leave a chance in a trillion-odd per pair of paths that two of one object's paths
// share an entry, and lines past 16,777,215 are recorded as that line.
type LineIndex struct {
	entries []uint64
	sorted  bool
}

const (
	lineBits = 24
	maxLine  = 1<<lineBits - 1
)

func pack(h PathHash, line int) uint64 {
	line = min(max(line, 0), maxLine)
	return uint64(h)&^maxLine | uint64(line)
}

// Add records that the field with the given path hash starts at line. The first line recorded
// for a hash wins.
func (x *LineIndex) Add(h PathHash, line int) {
	x.entries = append(x.entries, pack(h, line))
	x.sorted = false
}

// Len is the number of indexed paths.
func (x *LineIndex) Len() int { return len(x.entries) }

// Seal sorts the index; it must be called once after the last Add and before lookups from
// several goroutines.
func (x *LineIndex) Seal() {
	x.sort()
	x.entries = slices.Clip(x.entries)
}

func (x *LineIndex) sort() {
	// The first line added for a hash must sort first among its equals. Sources that add
	// fields in document order add non-decreasing lines, and then sorting the packed entries
	// whole (hash, then line) gives that order: a plain sort of integers, several times
	// cheaper than a stable sort by the hash alone, which is kept for other orders.
	if x.linesAscend() {
		slices.Sort(x.entries)
	} else {
		slices.SortStableFunc(x.entries, func(a, b uint64) int {
			switch a, b = a>>lineBits, b>>lineBits; {
			case a < b:
				return -1
			case a > b:
				return 1
			}
			return 0
		})
	}
	x.sorted = true
}

// LineIndexBuilder builds one LineIndex after another, as a loader indexes object after object.
// The entries are collected in one scratch buffer and each finished index is laid out, at its
// final size, in chunks shared with the indexes built before it: growing every index entry by
// entry left as much garbage as the indexes themselves, and their allocations were a tenth of
// what a scan of the shared corpus allocates. A builder's first index gets an array of its own,
// so that one used for a single object costs no chunk. The zero value is ready to use; a builder
// is not safe for concurrent use.
type LineIndexBuilder struct {
	scratch LineIndex
	chunk   []uint64
	built   int // indexes built so far
}

// lineChunk is the size of the chunks indexes are laid out in; an index of more than a quarter
// of it gets an array of its own.
const lineChunk = 4096

// Add records that the field with the given path hash starts at line (see LineIndex.Add).
func (b *LineIndexBuilder) Add(h PathHash, line int) { b.scratch.Add(h, line) }

// Index returns the sealed index of everything added since the last call.
func (b *LineIndexBuilder) Index() *LineIndex {
	b.scratch.sort()
	src := b.scratch.entries
	b.scratch.entries, b.scratch.sorted = src[:0], false
	var entries []uint64
	b.built++
	switch n := len(src); {
	case n == 0:
	case n > lineChunk/4 || b.built == 1:
		entries = make([]uint64, n)
		copy(entries, src)
	default:
		if cap(b.chunk)-len(b.chunk) < n {
			b.chunk = make([]uint64, 0, lineChunk)
		}
		start := len(b.chunk)
		b.chunk = append(b.chunk, src...)
		entries = b.chunk[start:len(b.chunk):len(b.chunk)]
	}
	return &LineIndex{entries: entries, sorted: true}
}

// linesAscend reports whether the lines were added in non-decreasing order.
func (x *LineIndex) linesAscend() bool {
	prev := uint64(0)
	for _, e := range x.entries {
		if l := e & maxLine; l >= prev {
			prev = l
		} else {
			return false
		}
	}
	return true
}

func (x *LineIndex) lookup(h PathHash) int {
	key := uint64(h) >> lineBits
	if !x.sorted {
		for _, e := range x.entries {
			if e>>lineBits == key {
				return int(e & maxLine)
			}
		}
		return 0
	}
	// The first entry at or after key's smallest packing is the first one added for key, if
	// any entry has key.
	i, _ := slices.BinarySearch(x.entries, key<<lineBits)
	if i == len(x.entries) || x.entries[i]>>lineBits != key {
		return 0
	}
	return int(x.entries[i] & maxLine)
}

// Find returns the line of path, or of the nearest ancestor of path that was indexed, or 0.
// Walking up matters for fields that are absent: a missing allowPrivilegeEscalation is reported
// at the container's securityContext, or at the container itself.
func (x *LineIndex) Find(path string) int {
	for {
		if l := x.lookup(HashPath(path)); l > 0 {
			return l
		}
		if path == "" {
			return 0
		}
		path = parentPath(path)
	}
}

// parentPath strips the last segment of a path.
func parentPath(p string) string {
	if strings.HasSuffix(p, `"]`) {
		if i := strings.LastIndex(p, `["`); i >= 0 {
			return p[:i]
		}
	}
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}
