// clustertool is the small helper that scripts/testcluster uses to create
// the PKI, pick free loopback ports and wait for the servers to become
// ready. It is a separate module with no dependencies beyond the standard
// library so that the harness needs nothing but a Go toolchain.
module github.com/kubeharden/kubeharden/test/cluster/clustertool

go 1.26.0
