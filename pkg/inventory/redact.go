package inventory

import corev1 "k8s.io/api/core/v1"

// lastApplied is kubectl's annotation holding the whole object as last applied; on a Secret it
// contains the Secret's data.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// RedactSecret drops a Secret's values while keeping its keys, as soon as it is read. Checks only
// need to know which keys a Secret holds; not holding the values is what guarantees that no
// report, in any format, can ever contain one.
func RedactSecret(s *corev1.Secret) {
	for k := range s.Data {
		s.Data[k] = nil
	}
	for k := range s.StringData {
		s.StringData[k] = ""
	}
	delete(s.Annotations, lastApplied)
}
