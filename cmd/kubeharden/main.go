// Command kubeharden audits Kubernetes manifests, clusters and nodes against the NSA/CISA
// Kubernetes Hardening Guidance. All logic lives in internal/cli and pkg/; main only wires the
// process's streams and exit code.
package main

import (
	"os"
	"runtime"

	"github.com/kubeharden/kubeharden/internal/cli"
	// Imported for its init function, which gives the heap's first chunk huge pages (see the
	// package's comment). Package hugeheap imports it too; the import here says that the binary
	// relies on it. Where a package is imported does not change when its init runs.
	_ "github.com/kubeharden/kubeharden/internal/earlyheap"
)

func main() {
	// The command offers no heap profiles, so it does not sample allocations for one: the
	// samples' stack walks and buckets cost about 1.5 MiB of a corpus scan's peak memory.
	runtime.MemProfileRate = 0
	os.Exit(cli.Main(os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
