package versions

import (
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func TestDeprecatedAPI(t *testing.T) {
	outs := checktest.Expect(t, "UP-04", "testdata/deprecated_api.yaml")
	want := map[string]string{
		"fail-apps-v1beta1-deployment":    "apps/v1beta1 Deployment was removed in Kubernetes 1.16; use apps/v1",
		"fail-extensions-ingress":         "extensions/v1beta1 Ingress was removed in Kubernetes 1.22; use networking.k8s.io/v1",
		"fail-batch-v1beta1-cronjob":      "batch/v1beta1 CronJob was removed in Kubernetes 1.25; use batch/v1",
		"fail-psp":                        "policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25; use Pod Security Admission (namespace labels pod-security.kubernetes.io/enforce); PodSecurityPolicy has no replacement API",
		"fail-crd-v1beta1":                "apiextensions.k8s.io/v1beta1 CustomResourceDefinition was removed in Kubernetes 1.22; use apiextensions.k8s.io/v1",
		"fail-hpa-v2beta2":                "autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26; use autoscaling/v2",
		"fail-flowschema-v1beta3":         "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema was removed in Kubernetes 1.32; use flowcontrol.apiserver.k8s.io/v1",
		"fail-csistoragecapacity-v1beta1": "storage.k8s.io/v1beta1 CSIStorageCapacity was removed in Kubernetes 1.27; use storage.k8s.io/v1",
		"fail-apps-v1beta2-any-kind":      "apps/v1beta2 ControllerRevision was removed in Kubernetes 1.16; use apps/v1",
		"fail-dra-alpha":                  "resource.k8s.io/v1alpha3 ResourceClaim is an alpha API that current Kubernetes releases no longer serve; use resource.k8s.io/v1",
		"fail-initializer-configuration":  "admissionregistration.k8s.io/v1alpha1 InitializerConfiguration was removed in Kubernetes 1.14; use a mutating admission webhook; InitializerConfiguration has no replacement API",
		"fail-pod-scheduling-context":     "resource.k8s.io/v1alpha3 PodSchedulingContext was removed in Kubernetes 1.32; use structured parameters in ResourceClaims (resource.k8s.io/v1); classic DRA's PodSchedulingContext has no replacement API",
		"fail-endpoints":                  "v1 Endpoints is deprecated since Kubernetes 1.33; use discovery.k8s.io/v1 EndpointSlice",
	}
	for name, msg := range want {
		f := outs[name].Failures
		if len(f) != 1 || f[0].Path != "apiVersion" || f[0].Message != msg {
			t.Errorf("%s: got %+v\nwant apiVersion: %q", name, f, msg)
		}
	}
}

// The check must see kinds the inventory does not decode: removed APIs are mostly such kinds.
func TestUndecodedKindsAreMatched(t *testing.T) {
	c, ok := checks.Lookup("UP-04")
	if !ok {
		t.Fatal("UP-04 not registered")
	}
	o := &inventory.Object{APIVersion: "policy/v1beta1", Kind: "PodSecurityPolicy", Name: "restricted"}
	if !c.Match(o) {
		t.Fatal("UP-04 does not match an object without a typed value")
	}
	var a checks.Assessment
	c.Assess(&a, o, &inventory.Inventory{})
	if len(a.Failures) != 1 {
		t.Fatalf("got %v", a.Failures)
	}
	if c.Match(&inventory.Object{Kind: "KubeletConfiguration"}) {
		t.Error("UP-04 matches an object without an apiVersion")
	}
}

func TestScheduleIsWellFormed(t *testing.T) {
	for k, d := range deprecatedAPIs {
		if !strings.Contains(k.apiVersion, "v") || k.kind == "" || d.use == "" {
			t.Errorf("bad row %v: %+v", k, d)
		}
		if d.removed == "" && !d.alpha && d.deprecated == "" {
			t.Errorf("%v: neither removed, alpha nor deprecated", k)
		}
		// No row may point at itself.
		if d.use == k.apiVersion && d.useKind == "" {
			t.Errorf("%v: replacement is the same version", k)
		}
	}
}

func TestCurrentVersionDoesNotAllocate(t *testing.T) {
	c, _ := checks.Lookup("UP-04")
	o := &inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	var a checks.Assessment
	if n := testing.AllocsPerRun(100, func() { c.Assess(&a, o, nil) }); n != 0 {
		t.Errorf("UP-04 allocates %v times on a current API", n)
	}
}

// TestScheduleKindsAreReadable: the loader refuses a kind that a built-in group version does not
// have (a typo kubectl refuses too); every kind this schedule reports must get past it, or
// UP-04 could never report it.
func TestScheduleKindsAreReadable(t *testing.T) {
	for k := range deprecatedAPIs {
		if k.kind == anyKind {
			continue
		}
		if builtinGV, known := inventory.BuiltinKind(k.apiVersion, k.kind); builtinGV && !known {
			t.Errorf("%s %s is refused by the loader as a kind its group version does not have", k.apiVersion, k.kind)
		}
	}
}
