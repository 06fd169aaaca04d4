// Command clustertool is the helper behind scripts/testcluster.
//
// The harness must run on a bare CI machine where only a Go toolchain is
// guaranteed, so everything the shell script would otherwise need openssl or
// curl for lives here, written against the standard library only:
//
//	clustertool pki --dir DIR --server URL [--node NAME]
//	    writes a kubeadm-style PKI to DIR/pki, client credentials to
//	    DIR/users and the kubeconfigs DIR/admin.kubeconfig and
//	    DIR/viewer.kubeconfig.
//	clustertool freeports N
//	    prints N distinct TCP ports that are free on 127.0.0.1.
//	clustertool wait --url URL [--cacert F --cert F --key F] [--timeout D] [--pid PID]...
//	    polls URL until it answers 200, failing early if a watched
//	    process has exited.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "pki":
		err = runPKI(os.Args[2:])
	case "freeports":
		err = runFreePorts(os.Args[2:])
	case "wait":
		err = runWait(os.Args[2:])
	case "-h", "--help", "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "clustertool: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "clustertool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  clustertool pki --dir DIR --server URL [--node NAME]
  clustertool freeports N
  clustertool wait --url URL [--cacert FILE --cert FILE --key FILE] [--timeout DURATION] [--pid PID]...
`)
}
