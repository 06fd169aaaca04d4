package catalog

import (
	"strings"
	"testing"
)

// TestDescribeReference: a CIS number is never shown without the edition it comes from, and
// every reference of the catalog is spelled out or is a URL.
func TestDescribeReference(t *testing.T) {
	if got := DescribeReference("cis:4.2.4"); got != CISBenchmark+", 4.2.4" {
		t.Errorf("cis:4.2.4 = %q", got)
	}
	for _, c := range Default().All() {
		for _, ref := range c.References {
			if got := DescribeReference(ref); got == ref && !strings.HasPrefix(ref, "https://") {
				t.Errorf("%s: reference %q is not spelled out", c.ID, ref)
			}
		}
	}
}
