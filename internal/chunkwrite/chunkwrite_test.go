package chunkwrite

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// render writes each item as its number and a newline, sleeping now and then so that chunks
// finish out of order.
func render(slow bool) func() Renderer {
	return func() Renderer {
		return func(b []byte, lo, hi int) []byte {
			if slow && rand.IntN(3) == 0 {
				time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
			}
			for i := lo; i < hi; i++ {
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, '\n')
			}
			return b
		}
	}
}

func want(n int) string {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.String()
}

func TestWriteKeepsOrder(t *testing.T) {
	for _, tc := range []struct{ n, size, workers int }{
		{0, 7, 4}, {1, 7, 4}, {100, 7, 1}, {100, 7, 2}, {1000, 3, 8}, {5000, 64, 3}, {64, 64, 2},
	} {
		t.Run(fmt.Sprintf("n%d-size%d-workers%d", tc.n, tc.size, tc.workers), func(t *testing.T) {
			var out bytes.Buffer
			if err := Write(&out, Even(tc.n, tc.size), render(true), Options{Workers: tc.workers}); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != want(tc.n) {
				t.Fatalf("got %d bytes out of order or incomplete, want %d", len(got), len(want(tc.n)))
			}
		})
	}
}

func TestEven(t *testing.T) {
	for _, tc := range []struct {
		n, size int
		want    string
	}{
		{0, 4, "[0]"}, {3, 4, "[0 3]"}, {8, 4, "[0 4 8]"}, {9, 4, "[0 4 8 9]"},
	} {
		if got := fmt.Sprint(Even(tc.n, tc.size)); got != tc.want {
			t.Errorf("Even(%d, %d) = %s, want %s", tc.n, tc.size, got, tc.want)
		}
	}
}

// failAfter accepts n writes, then fails every write.
type failAfter struct {
	n      int
	writes atomic.Int32
	out    bytes.Buffer
}

var errFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if int(f.writes.Add(1)) > f.n {
		return 0, errFull
	}
	return f.out.Write(p)
}

// TestWriteStopsAtError requires the writer's error back, nothing written after it, and the
// workers to stop instead of rendering the rest of a long list.
func TestWriteStopsAtError(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		w := &failAfter{n: 3}
		var rendered atomic.Int32
		newR := func() Renderer {
			r := render(false)()
			return func(b []byte, lo, hi int) []byte {
				rendered.Add(1)
				return r(b, lo, hi)
			}
		}
		err := Write(w, Even(100_000, 10), newR, Options{Workers: workers})
		if !errors.Is(err, errFull) {
			t.Fatalf("workers %d: err = %v, want %v", workers, err, errFull)
		}
		if got := w.out.String(); got != want(30) {
			t.Fatalf("workers %d: wrote %q, want the first three chunks", workers, got)
		}
		// Every chunk rendered takes one of the workers+1 buffers and only the three written
		// chunks give theirs back: at most workers+4 of the 10,000 chunks are rendered.
		if n := rendered.Load(); n > int32(workers+4) {
			t.Fatalf("workers %d: rendered %d chunks after the error", workers, n)
		}
	}
}
