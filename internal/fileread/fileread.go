package fileread

// Limited reads a file whole in one allocation of its size, or returns limit+1 bytes' worth
// of length for a file over the limit, so an oversized file is detected without reading it.
func Limited(name string, limit int64) ([]byte, error) {
	return LimitedInto(name, limit, nil)
}

// fitted returns buf resliced to n bytes when its capacity allows, else a new slice of n bytes.
func fitted(buf []byte, n int64) []byte {
	if int64(cap(buf)) >= n {
		return buf[:n]
	}
	return make([]byte, n)
}
