// Command kubeharden audits Kubernetes manifests, clusters and nodes against the NSA/CISA
// Kubernetes Hardening Guidance. All logic lives in internal/cli and pkg/; main only wires the
// process's streams and exit code.
package main

import (
	"os"

	"github.com/kubeharden/kubeharden/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
