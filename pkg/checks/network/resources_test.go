package network

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

type wantFailure struct{ path, msg string }

func assertFailures(t *testing.T, outs map[string]checktest.Outcome, name string, want ...wantFailure) {
	t.Helper()
	got := outs[name].Failures
	if len(got) != len(want) {
		t.Errorf("%s: got %d failures %v, want %d", name, len(got), got, len(want))
		return
	}
	for i, w := range want {
		if got[i].Path != w.path || got[i].Message != w.msg {
			t.Errorf("%s failure %d = %q: %q\n                want %q: %q", name, i, got[i].Path, got[i].Message, w.path, w.msg)
		}
	}
}

func TestLimits(t *testing.T) {
	outs := checktest.Expect(t, "NS-12", "testdata/resources_limits.yaml")
	assertFailures(t, outs, "fail-no-resources",
		wantFailure{"spec.template.spec.containers[0].resources.limits.cpu", `container "app" has no CPU limit`},
		wantFailure{"spec.template.spec.containers[0].resources.limits.memory", `container "app" has no memory limit`},
	)
	assertFailures(t, outs, "fail-memory-limit-only",
		wantFailure{"spec.template.spec.containers[0].resources.limits.cpu", `container "app" has no CPU limit`},
	)
	assertFailures(t, outs, "fail-init-container-unbounded",
		wantFailure{"spec.jobTemplate.spec.template.spec.initContainers[0].resources.limits.cpu", `init container "migrate" has no CPU limit`},
		wantFailure{"spec.jobTemplate.spec.template.spec.initContainers[0].resources.limits.memory", `init container "migrate" has no memory limit`},
	)
	assertFailures(t, outs, "fail-zero-limit",
		wantFailure{"spec.containers[0].resources.limits.cpu", `container "app" sets a CPU limit of 0, which means no limit`},
	)
	assertFailures(t, outs, "fail-pod-type-limitrange",
		wantFailure{"spec.template.spec.containers[0].resources.limits.cpu", `container "app" has no CPU limit`},
		wantFailure{"spec.template.spec.containers[0].resources.limits.memory", `container "app" has no memory limit`},
	)
}

func TestRequests(t *testing.T) {
	outs := checktest.Expect(t, "NS-13", "testdata/resources_requests.yaml")
	assertFailures(t, outs, "fail-no-requests",
		wantFailure{"spec.template.spec.containers[0].resources.requests.cpu", `container "agent" has no CPU request`},
		wantFailure{"spec.template.spec.containers[0].resources.requests.memory", `container "agent" has no memory request`},
	)
	assertFailures(t, outs, "fail-memory-request-missing",
		wantFailure{"spec.template.spec.containers[0].resources.requests.memory", `container "job" has no memory request`},
	)
	assertFailures(t, outs, "fail-zero-request",
		wantFailure{"spec.containers[0].resources.requests.cpu", `container "app" sets a CPU request of 0`},
	)
	assertFailures(t, outs, "fail-sidecar-init-container",
		wantFailure{"spec.template.spec.initContainers[0].resources.requests.cpu", `init container "proxy" has no CPU request`},
		wantFailure{"spec.template.spec.initContainers[0].resources.requests.memory", `init container "proxy" has no memory request`},
	)
}

// The limits fixture also holds the requests cases that follow from limits: limits imply
// requests, LimitRange defaults cover both, and a LimitRange in another namespace covers nothing.
func TestRequestsOnLimitsFixture(t *testing.T) {
	outs := checktest.ByName(checktest.Run(t, "NS-13", checktest.Load(t, "testdata/resources_limits.yaml")))
	for name, wantFail := range map[string]bool{
		"pass-all-set":                    false,
		"pass-ephemeral-ignored":          false,
		"pass-pod-level-resources":        false,
		"pass-limitrange-default":         false,
		"fail-limitrange-other-namespace": true,
		"fail-memory-limit-only":          true, // cpu request missing; memory request implied
		"fail-no-resources":               true,
	} {
		if got := len(outs[name].Failures) > 0; got != wantFail {
			t.Errorf("NS-13 on %s: failed=%v, want %v (%v)", name, got, wantFail, outs[name].Failures)
		}
	}
	assertFailures(t, outs, "fail-memory-limit-only",
		wantFailure{"spec.template.spec.containers[0].resources.requests.cpu", `container "app" has no CPU request`},
	)
}

// Without the LimitRange in the inventory the same workload fails: the LimitRange, not the
// namespace name, is what made it pass.
func TestLimitRangeIsWhatPasses(t *testing.T) {
	inv := checktest.Load(t, "testdata/resources_limits.yaml")
	kept := &inventory.Inventory{}
	for _, o := range inv.Objects {
		if o.Kind != "LimitRange" {
			kept.Add(o)
		}
	}
	outs := checktest.ByName(checktest.Run(t, "NS-12", kept))
	if len(outs["pass-limitrange-default"].Failures) != 2 {
		t.Errorf("without its LimitRange, pass-limitrange-default got %v, want two failures", outs["pass-limitrange-default"].Failures)
	}
}

func TestPassingWorkloadDoesNotAllocate(t *testing.T) {
	inv := checktest.Load(t, "testdata/resources_limits.yaml")
	var o *inventory.Object
	for _, x := range inv.Objects {
		if x.Name == "pass-all-set" {
			o = x
		}
	}
	for _, id := range []string{"NS-12", "NS-13"} {
		c, _ := checks.Lookup(id)
		var a checks.Assessment
		// PodTemplateOf returns a pointer to a small struct; that one allocation is the
		// inventory's, not the check's.
		if n := testing.AllocsPerRun(100, func() { a.Reset(); c.Assess(&a, o, inv) }); n > 1 {
			t.Errorf("%s allocates %v times on a passing workload", id, n)
		}
		if len(a.Failures) > 0 {
			t.Fatalf("%s: %v", id, a.Failures)
		}
	}
}
