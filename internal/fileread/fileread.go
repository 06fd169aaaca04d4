package fileread

// ID identifies a file on its device (on unix its device and inode numbers), so that a file
// reached by two names is known as one. The zero ID means the identity is not known.
type ID struct{ Dev, Ino uint64 }

// Limited reads a file whole in one allocation of its size, or returns limit+1 bytes' worth
// of length for a file over the limit, so an oversized file is detected without reading it.
func Limited(name string, limit int64) ([]byte, error) {
	return LimitedInto(name, limit, nil)
}

// LimitedInto is Limited reading into buf's memory when the file fits in buf's capacity, so a
// caller that is done with one file's text before reading the next reuses one buffer instead
// of allocating (and, in a fresh process, faulting in) memory for every file. The result
// shares memory with buf when it fits.
func LimitedInto(name string, limit int64, buf []byte) ([]byte, error) {
	data, _, err := LimitedIntoID(name, limit, buf)
	return data, err
}

// fitted returns buf resliced to n bytes when its capacity allows, else a new slice of n bytes.
func fitted(buf []byte, n int64) []byte {
	if int64(cap(buf)) >= n {
		return buf[:n]
	}
	return make([]byte, n)
}
