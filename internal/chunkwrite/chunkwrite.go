// Package chunkwrite renders a long list in parallel and writes it in order.
//
// Why: a report of a large cluster is tens of megabytes (71,000 findings make a 53 MiB JSON
// report), and rendering it on one core while the other waits was a third of the time a live
// scan spends after its LIST calls. The list is cut into consecutive chunks; each worker renders
// whole chunks into its own buffer with its own state; the caller's goroutine writes the buffers
// in chunk order as they finish. At most a few chunks are in flight, so memory stays bounded by
// the chunk size, not the report's.
package chunkwrite

import (
	"io"
	"runtime"
	"sync"
)

// Renderer appends the rendering of items [lo, hi) to b and returns it. A worker calls its own
// Renderer for chunk after chunk, in increasing order, so it may keep state between calls (a
// cache, the previous item) but must not assume the chunks it sees are adjacent.
type Renderer func(b []byte, lo, hi int) []byte

// Options tunes Write.
type Options struct {
	// Workers is the number of goroutines rendering; 0 means GOMAXPROCS. With one worker or
	// one chunk the list is rendered on the calling goroutine.
	Workers int
	// BufferSize is the capacity each buffer starts with: about a chunk's rendering, so that
	// buffers are not grown (and their outgrown copies left as garbage) chunk after chunk.
	BufferSize int
}

// Write renders the chunks [bounds[i], bounds[i+1]) and writes them to w in order. newRenderer
// is called once per worker. Write returns the first error w returns; after it, no further
// chunk is written and the workers stop at their next chunk.
func Write(w io.Writer, bounds []int, newRenderer func() Renderer, opts Options) error {
	chunks := len(bounds) - 1
	if chunks <= 0 {
		return nil
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, chunks)
	if workers == 1 {
		render := newRenderer()
		buf := make([]byte, 0, opts.BufferSize)
		for i := range chunks {
			buf = render(buf[:0], bounds[i], bounds[i+1])
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	}

	// A worker takes a free buffer before it claims the next chunk, so the lowest chunk not yet
	// written always has a buffer and a worker: the writer can always make progress. One buffer
	// more than workers lets each render while the writer writes.
	inFlight := workers + 1
	free := make(chan []byte, inFlight)
	for range inFlight {
		free <- make([]byte, 0, opts.BufferSize)
	}
	done := make([]chan []byte, chunks)
	for i := range done {
		done[i] = make(chan []byte, 1)
	}
	stop := make(chan struct{})
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			render := newRenderer()
			for {
				var buf []byte
				select {
				case buf = <-free:
				case <-stop:
					return
				}
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= chunks {
					return
				}
				done[i] <- render(buf[:0], bounds[i], bounds[i+1])
			}
		}()
	}
	var err error
	for i := range chunks {
		buf := <-done[i]
		if _, err = w.Write(buf); err != nil {
			break
		}
		free <- buf
	}
	close(stop)
	wg.Wait()
	return err
}

// Even returns the bounds of chunks of size items over [0, n).
func Even(n, size int) []int {
	bounds := make([]int, 0, n/size+2)
	for lo := 0; lo < n; lo += size {
		bounds = append(bounds, lo)
	}
	return append(bounds, n)
}
