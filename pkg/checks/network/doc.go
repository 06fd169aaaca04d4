// Package network holds the checks of the guidance's section 2 that manifests and clusters show:
// resource policies, namespaces, network policies and exposed services.
package network
