//go:build !unix

package fileread

import (
	"io"
	"os"
)

// LimitedIntoID is LimitedInto; the identity of files is not known here (the zero ID), so
// callers fall back to comparing paths.
func LimitedIntoID(name string, limit int64, buf []byte) ([]byte, ID, error) {
	data, err := limitedInto(name, limit, buf)
	return data, ID{}, err
}

// StatID returns the zero ID: the identity of files is not known here.
func StatID(os.FileInfo) ID { return ID{} }

func limitedInto(name string, limit int64, buf []byte) ([]byte, error) {
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
