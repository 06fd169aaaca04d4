// Package controlplane holds the checks on the control-plane components' settings: the API
// server's authentication, authorization, admission plugins and TLS (guidance sections 2 and
// 3), etcd's TLS and exposure, the controller manager's and scheduler's profiling and bind
// address, and encryption of Secrets at rest.
//
// Each check reads a component through inventory.ComponentOf, which gives the same flags, with
// their field paths, for a static pod manifest on a node, its mirror pod in a live cluster and a
// process command line. The checks therefore run unchanged under `kubeharden node` and
// `kubeharden cluster`; controls whose evidence is a file on the node (the EncryptionConfiguration,
// CA certificates) report "not assessed" when only the mirror pod is available.
//
// One file per control family; each opens with the flags it reads and the values that pass,
// including what an unset flag means (the component's built-in default).
package controlplane
