package catalog

import "strings"

// CISBenchmark is the edition of the CIS Kubernetes Benchmark whose numbering "cis:"
// references use. Reports name it, because the benchmark renumbers its items between editions:
// "cis:4.2.4" alone does not say which item is meant.
const CISBenchmark = "CIS Kubernetes Benchmark v1.12"

// DescribeReference spells out which catalog a reference points into: "cis:4.2.4" is
// "CIS Kubernetes Benchmark v1.12, 4.2.4". URLs and unknown forms are returned as they are.
func DescribeReference(ref string) string {
	prefix, id, ok := strings.Cut(ref, ":")
	if !ok || strings.HasPrefix(ref, "https://") {
		return ref
	}
	switch prefix {
	case "kubescape":
		return "kubescape control " + id
	case "trivy":
		return "trivy check " + id
	case "cis":
		return CISBenchmark + ", " + id
	case "pss":
		return "Pod Security Standards, " + id + " (pod-security-admission check)"
	case "guidance":
		return "NSA/CISA guidance, " + id
	}
	return ref
}
