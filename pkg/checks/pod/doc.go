// Package pod holds the checks of the guidance's section 1, Kubernetes Pod security: what runs
// as root, escapes its container or reaches the host, for every container of every pod template.
package pod
