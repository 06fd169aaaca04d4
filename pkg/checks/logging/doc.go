// Package logging holds the checks of the guidance's section 4 that can be read from
// configuration: whether the API server writes an audit log, where and for how long, what its
// audit policy records, how audit events leave the node, and whether the node forwards its logs
// and keeps events.
//
// API server flags are read through inventory.ComponentOf, so these checks run on static pod
// manifests, mirror pods and processes alike; the audit policy and the webhook's kubeconfig are
// judged on the files themselves, which only `kubeharden node` reads.
package logging
