//go:build !unix

package fileread

import (
	"io"
	"os"
)

// LimitedInto is Limited reading into buf's memory when the file fits in buf's capacity; the
// result then shares memory with buf.
func LimitedInto(name string, limit int64, buf []byte) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		// A pipe or a device has no size to go by: read it to the end, or past the limit.
		return io.ReadAll(io.LimitReader(f, limit+1))
	}
	if st.Size() > limit {
		return make([]byte, limit+1), nil
	}
	buf = fitted(buf, st.Size())
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return buf[:n], nil
}
