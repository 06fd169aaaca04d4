// Package secrets holds the checks about credentials: Secrets committed to manifests, credentials
// placed in configuration instead of Secrets, and Secrets exposed through environment variables.
// No check in this package ever puts a credential's value in a message.
package secrets
