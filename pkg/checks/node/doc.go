// Package node holds the checks on a node's own configuration: the kubelet's settings
// (authentication, authorization, exposure, serving certificates, limits, seccomp) and the
// permissions and owners of kubeconfigs, PKI files, static pod manifests, kubelet files and the
// etcd data directory.
//
// The kubelet's settings come from several objects (its configuration file and drop-ins, the
// files that hold its flags, or its process); kubelet.go combines them the way the kubelet does
// and judges each setting once, on the object that decided it, so a finding points at the line
// to change. Files are judged on File objects from pkg/source/node.
package node
