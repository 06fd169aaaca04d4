// Package pod holds the checks of the guidance's section 1, Kubernetes Pod security: what runs
// as root, escapes its container or reaches the host, for every container of every pod template.
//
// One file per control or close family, each opening with the fields it reads and the values
// that pass; helpers.go explains how values inherited from the pod securityContext are resolved
// and where findings point. PS-40 and PS-41 run the Kubernetes pod-security-admission library
// itself (pss.go), so their verdicts are the API server's.
package pod
