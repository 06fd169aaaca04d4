// Package versions holds the checks of the guidance's section 5: deprecated APIs, unsupported
// Kubernetes versions and known vulnerable components.
package versions
