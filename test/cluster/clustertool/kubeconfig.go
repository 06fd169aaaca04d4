package main

import (
	"encoding/base64"
	"fmt"
)

// writeKubeconfig writes a self-contained kubeconfig (all credentials
// embedded, like the files kubeadm writes to /etc/kubernetes) so that it
// stays usable when copied away from the state directory.
//
// The YAML is written by hand to keep this module free of dependencies;
// every value is either base64 or a string we control, so quoting is the
// only escaping needed.
func writeKubeconfig(path, server string, ca *keyPair, user string, kp *keyPair) error {
	b64 := base64.StdEncoding.EncodeToString
	context := user + "@" + clusterName
	doc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]q
  cluster:
    server: %[2]q
    certificate-authority-data: %[3]s
contexts:
- name: %[4]q
  context:
    cluster: %[1]q
    user: %[5]q
current-context: %[4]q
preferences: {}
users:
- name: %[5]q
  user:
    client-certificate-data: %[6]s
    client-key-data: %[7]s
`, clusterName, server, b64(ca.certPEM()), context, user, b64(kp.certPEM()), b64(kp.keyPEM()))
	return writeFile(path, []byte(doc), 0o600)
}
