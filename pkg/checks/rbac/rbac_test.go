package rbac

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// controls are the IDs this package implements, each with testdata/<ID>.yaml.
var controls = []string{"AA-05", "AA-06", "AA-09", "AA-13", "AA-14", "AA-15", "AA-16", "AA-17", "AA-18", "AA-19", "AA-21", "AA-22", "NS-40"}

func TestRegisteredChecksAreCatalogControls(t *testing.T) {
	cat := catalog.Default()
	for _, id := range controls {
		if _, ok := checks.Lookup(id); !ok {
			t.Errorf("no check registered for %s", id)
		}
		c := cat.Get(id)
		if c == nil {
			t.Errorf("%s is not in the catalog", id)
			continue
		}
		want := catalog.SectionAuth
		if id == "NS-40" {
			want = catalog.SectionNetwork
		}
		if c.Section != want || !c.HasSource(catalog.SourceManifest) || !c.HasSource(catalog.SourceCluster) {
			t.Errorf("%s: section %v, sources %v", id, c.Section, c.Sources)
		}
	}
	for _, c := range checks.All() {
		if strings.HasPrefix(c.ID, "AA-") && !slices.Contains(controls, c.ID) {
			t.Errorf("%s is registered but not listed here", c.ID)
		}
	}
}

// wantFailure is one expected failure: its path, message and severity (0: the control's).
type wantFailure struct {
	path, msg string
	sev       catalog.Severity
}

// wantFailures lists, per control and fixture object, every failure expected, in order. Objects
// of the fixture that are not listed must have none.
var wantFailures = map[string]map[string][]wantFailure{
	"AA-05": {
		"fail-anonymous-view": {
			{"subjects[1]", "User system:anonymous (anyone who reaches the API server without credentials) is granted \"get, list, watch pods, pods/log, pods/status, replicationcontrollers, replicationcontrollers/scale, replicationcontrollers/status and 13 more\" cluster-wide through ClusterRoleBinding fail-anonymous-view → ClusterRole view (rules[0] of ClusterRole system:aggregate-to-view) (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
		"fail-unauthenticated-metrics": {
			{"subjects[0]", "Group system:unauthenticated (anyone who reaches the API server without credentials) is granted \"get /healthz, /metrics\" cluster-wide through ClusterRoleBinding fail-unauthenticated-metrics → ClusterRole metrics rules[0]", 0},
		},
	},
	"AA-06": {
		"fail-every-service-account": {
			{"subjects[0]", "Group system:serviceaccounts (every service account of the cluster) is granted \"get configmaps\" in namespace shop through RoleBinding shop/fail-every-service-account → Role shop/config-reader rules[0]", 0},
		},
		"fail-everyone-views": {
			{"subjects[0]", "Group system:authenticated (every user and service account) is granted \"get, list, watch pods, pods/log, pods/status, replicationcontrollers, replicationcontrollers/scale, replicationcontrollers/status and 13 more\" cluster-wide through ClusterRoleBinding fail-everyone-views → ClusterRole view (rules[0] of ClusterRole system:aggregate-to-view) (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
	},
	"AA-09": {
		"fail-masters": {
			{"subjects[1]", "binds Group system:masters, whose members bypass RBAC altogether: the binding grants them nothing, and relying on the group means handing out credentials that cannot be revoked; bind an ordinary group instead", 0},
		},
	},
	"AA-13": {
		"fail-garbage-collector": {
			{"subjects[0]", "ServiceAccount kube-system/generic-garbage-collector holds every verb on every resource cluster-wide through ClusterRoleBinding fail-garbage-collector → ClusterRole cluster-admin rules[0] (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
		"fail-aggregated": {
			{"subjects[0]", "ServiceAccount ci/deployer holds every verb on every resource cluster-wide through ClusterRoleBinding fail-aggregated → ClusterRole platform (rules[0] of ClusterRole platform-everything)", 0},
		},
		"fail-kube-system-addon": {
			{"subjects[0]", "ServiceAccount kube-system/lb-controller holds every verb on every resource cluster-wide through ClusterRoleBinding fail-kube-system-addon → ClusterRole cluster-admin rules[0] (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
		"fail-mixed-subjects": {
			{"subjects[0]", "User system:kube-controller-manager holds every verb on every resource cluster-wide through ClusterRoleBinding fail-mixed-subjects → ClusterRole cluster-admin rules[0] (built-in role, rules assumed from Kubernetes defaults)", 0},
			{"subjects[1]", "Group admins holds every verb on every resource cluster-wide through ClusterRoleBinding fail-mixed-subjects → ClusterRole cluster-admin rules[0] (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
		"fail-namespace-admin": {
			{"subjects[0]", "User jane holds every verb on every resource in namespace shop through RoleBinding shop/fail-namespace-admin → ClusterRole core-admin rules[0]", catalog.SeverityMedium},
		},
		"fail-ops-cluster-admin": {
			{"subjects[0]", "Group ops holds every verb on every resource cluster-wide through ClusterRoleBinding fail-ops-cluster-admin → ClusterRole cluster-admin rules[0] (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
	},
	"AA-14": {
		"fail-disguised": {
			{"rules[0].resources", "rule \"get *\" covers every resource and subresource of its API groups", 0},
		},
		"fail-every-group": {
			{"rules[0].apiGroups", "rule \"get deployments (all API groups)\" matches its resources in every API group, including custom resources installed later", catalog.SeverityLow},
		},
		"fail-every-scale": {
			{"rules[0].resources", "rule \"update */scale (apps)\" covers a subresource of every resource", catalog.SeverityLow},
		},
		"fail-every-url": {
			{"rules[0].nonResourceURLs", "rule \"get *\" covers every non-resource URL", 0},
		},
		"fail-everything": {
			{"rules[0].verbs", "rule \"* * (all API groups)\" allows every verb, including escalate, bind and impersonate where they apply", 0},
			{"rules[0].resources", "rule \"* * (all API groups)\" covers every resource and subresource of its API groups", 0},
		},
		"fail-resources-star": {
			{"rules[1].resources", "rule \"get, list * (apps)\" covers every resource and subresource of its API groups", 0},
		},
		"fail-verbs-star": {
			{"rules[0].verbs", "rule \"* pods\" allows every verb, including escalate, bind and impersonate where they apply", 0},
		},
	},
	"AA-15": {
		"fail-aggregated-exec": {
			{"subjects[0]", "Group devs can create pods/exec in namespace shop through RoleBinding shop/fail-aggregated-exec → ClusterRole pod-debugger (rules[0] of ClusterRole debugger-exec)", 0},
		},
		"fail-create-one-get-another": {
			{"subjects[0]", "User jane can create pods/exec in namespace shop through RoleBinding shop/fail-create-one-get-another → Role shop/exec-and-peek rules[0]", 0},
			{"subjects[0]", "User jane can get pods/attach in namespace shop through RoleBinding shop/fail-create-one-get-another → Role shop/exec-and-peek rules[1]; before Kubernetes 1.35 get alone allows this through WebSockets", catalog.SeverityMedium},
		},
		"fail-edit": {
			{"subjects[0]", "ServiceAccount build/ci can create pods/exec, pods/attach, pods/portforward cluster-wide through ClusterRoleBinding fail-edit → ClusterRole edit (rules[2] of ClusterRole system:aggregate-to-edit) (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
		"fail-get-only": {
			{"subjects[0]", "User jane can get pods/exec, pods/attach in namespace shop through RoleBinding shop/fail-get-only → Role shop/get-only rules[0]; before Kubernetes 1.35 get alone allows this through WebSockets", catalog.SeverityMedium},
		},
	},
	"AA-16": {
		"fail-controller-account": {
			{"subjects[0]", "ServiceAccount kube-system/clusterrole-aggregation-controller can escalate clusterroles cluster-wide through ClusterRoleBinding fail-controller-account → ClusterRole role-manager rules[0]; escalate lets a subject write roles granting more than it holds", 0},
			{"subjects[0]", "ServiceAccount kube-system/clusterrole-aggregation-controller can bind clusterroles cluster-wide through ClusterRoleBinding fail-controller-account → ClusterRole role-manager rules[0]; bind lets a subject bind roles granting more than it holds", 0},
		},
		"fail-escalate-bind": {
			{"subjects[0]", "User jane can escalate clusterroles cluster-wide through ClusterRoleBinding fail-escalate-bind → ClusterRole role-manager rules[0]; escalate lets a subject write roles granting more than it holds", 0},
			{"subjects[0]", "User jane can bind clusterroles cluster-wide through ClusterRoleBinding fail-escalate-bind → ClusterRole role-manager rules[0]; bind lets a subject bind roles granting more than it holds", 0},
		},
		"fail-bind-in-namespace": {
			{"subjects[0]", "User dave can bind clusterroles in namespace shop through RoleBinding shop/fail-bind-in-namespace → ClusterRole delegator rules[0]; bind lets a subject bind roles granting more than it holds", 0},
		},
		"fail-role-manager-in-namespace": {
			{"subjects[0]", "User erin can bind clusterroles in namespace shop through RoleBinding shop/fail-role-manager-in-namespace → ClusterRole role-manager rules[0]; bind lets a subject bind roles granting more than it holds", 0},
		},
		"fail-impersonate": {
			{"subjects[0]", "ServiceAccount auth/gateway can impersonate users, groups cluster-wide through ClusterRoleBinding fail-impersonate → ClusterRole impersonator rules[0]; impersonation acts with the impersonated identity's permissions", 0},
		},
		"fail-namespace-admin": {
			{"subjects[0]", "Group shop-owners can impersonate serviceaccounts in namespace shop through RoleBinding shop/fail-namespace-admin → ClusterRole admin (rules[1] of ClusterRole system:aggregate-to-edit) (built-in role, rules assumed from Kubernetes defaults); impersonation acts with the impersonated identity's permissions", 0},
			{"subjects[0]", "Group shop-owners can create, update, patch rolebindings in namespace shop through RoleBinding shop/fail-namespace-admin → ClusterRole admin (rules[1] of ClusterRole system:aggregate-to-admin) (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
	},
	"AA-17": {
		"fail-cluster-wide": {
			{"subjects[0]", "ServiceAccount cd/argo can patch pods; create, update deployments, statefulsets cluster-wide through ClusterRoleBinding fail-cluster-wide → ClusterRole deployer rules[0], rules[1]", 0},
		},
		"fail-every-workload-of-shop": {
			{"subjects[0]", "Group system:serviceaccounts:shop can create jobs in namespace shop through RoleBinding shop/fail-every-workload-of-shop → Role shop/job-runner rules[0]", 0},
		},
	},
	"AA-18": {
		"fail-nodes-proxy": {
			{"subjects[0]", "ServiceAccount monitoring/agent can get nodes/proxy cluster-wide through ClusterRoleBinding fail-nodes-proxy → ClusterRole kubelet-reader rules[0]; this is the kubelet API of every node", 0},
		},
		"fail-plumbing": {
			{"subjects[0]", "User jane can patch validatingwebhookconfigurations cluster-wide through ClusterRoleBinding fail-plumbing → ClusterRole cluster-plumbing rules[0]", 0},
			{"subjects[0]", "User jane can update certificate signing requests (approval) cluster-wide through ClusterRoleBinding fail-plumbing → ClusterRole cluster-plumbing rules[1]", 0},
			{"subjects[0]", "User jane can create persistentvolumes cluster-wide through ClusterRoleBinding fail-plumbing → ClusterRole cluster-plumbing rules[2]; a hostPath volume mounts any node directory", catalog.SeverityMedium},
		},
		"fail-token": {
			{"subjects[0]", "ServiceAccount shop/vault can create service account tokens in namespace shop through RoleBinding shop/fail-token → Role shop/token-minter rules[0]", catalog.SeverityMedium},
		},
	},
	"AA-19": {
		"fail-edit": {
			{"subjects[0]", "Group devs can delete, deletecollection events in namespace shop through RoleBinding shop/fail-edit → ClusterRole edit (rules[6] of ClusterRole system:aggregate-to-edit) (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
		"fail-event-cleaner": {
			{"subjects[0]", "ServiceAccount shop/janitor can deletecollection events in namespace shop through RoleBinding shop/fail-event-cleaner → Role shop/event-cleaner rules[0]", 0},
		},
	},
	"AA-21": {
		"fail-ci-edit": {
			{"subjects[0]", "ServiceAccount build/ci shares ClusterRole edit with Group shop-devs (RoleBinding shop/pass-team-edit); give the workload a role of its own", 0},
		},
		"fail-same-binding": {
			{"subjects[1]", "ServiceAccount shop/api shares Role shop/shared with User bob (RoleBinding shop/fail-same-binding); give the workload a role of its own", 0},
		},
	},
	"AA-22": {
		"fail-default": {
			{"subjects[0]", "binds the default service account of namespace shop to Role shop/config-reader: every pod there that names no service account receives these permissions", 0},
		},
		"fail-default-by-user-name": {
			{"subjects[1]", "binds the default service account of namespace billing to ClusterRole view: every pod there that names no service account receives these permissions", 0},
		},
	},
	"NS-40": {
		"fail-core-wildcard": {
			{"subjects[0]", "User jane can watch Secrets in namespace shop through RoleBinding shop/fail-core-wildcard → Role shop/read-core rules[0]", 0},
		},
		"fail-edit": {
			{"subjects[0]", "Group devs can get, list, watch Secrets in namespace shop through RoleBinding shop/fail-edit → ClusterRole edit (rules[0] of ClusterRole system:aggregate-to-edit) (built-in role, rules assumed from Kubernetes defaults)", 0},
		},
		"fail-scheduler": {
			{"subjects[0]", "User system:kube-scheduler can get, list Secrets in namespace shop through RoleBinding shop/fail-scheduler → Role shop/secret-reader rules[1]", 0},
		},
		"fail-reader": {
			{"subjects[0]", "ServiceAccount shop/api can get, list Secrets in namespace shop through RoleBinding shop/fail-reader → Role shop/secret-reader rules[1]", 0},
		},
	},
}

// TestFixtures runs every control over its testdata file: fail-* objects must fail, pass-* pass,
// na-* be not assessed, skip-* be skipped; and each failure has the path, message and severity
// listed in wantFailures.
func TestFixtures(t *testing.T) {
	for _, id := range controls {
		path := "testdata/" + id + ".yaml"
		outs := checktest.Expect(t, id, path)
		want := wantFailures[id]
		for name, o := range outs {
			if _, listed := want[name]; !listed && len(o.Failures) > 0 {
				t.Errorf("%s %s: unexpected failures:%s", id, name, dump(o.Failures))
			}
		}
		for name, fs := range want {
			got := outs[name].Failures
			if len(got) != len(fs) {
				t.Errorf("%s %s: got %d failures, want %d:%s", id, name, len(got), len(fs), dump(got))
				continue
			}
			for i, w := range fs {
				if got[i].Path != w.path || got[i].Message != w.msg || got[i].Severity != w.sev {
					t.Errorf("%s %s failure %d:\n got  %s %q (%v)\n want %s %q (%v)", id, name, i,
						got[i].Path, got[i].Message, got[i].Severity, w.path, w.msg, w.sev)
				}
			}
		}
	}
}

func dump(fs []checks.Failure) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s %q (%v)", f.Path, f.Message, f.Severity)
	}
	return b.String()
}

// TestKubernetesDefaultsAreNotFindings: the defaults a live cluster lists (cluster-admin with its
// bootstrapping label) are skipped by AA-14 and pass AA-09, while the label alone does not hide
// a role (fail-disguised in AA-14.yaml).
func TestKubernetesDefaultsAreNotFindings(t *testing.T) {
	if o := checktest.ByName(checktest.Run(t, "AA-14", checktest.Load(t, "testdata/AA-14.yaml")))["cluster-admin"]; !o.Skipped {
		t.Errorf("AA-14 did not skip the default cluster-admin ClusterRole: %+v", o)
	}
	if o := checktest.ByName(checktest.Run(t, "AA-09", checktest.Load(t, "testdata/AA-09.yaml")))["cluster-admin"]; len(o.Failures) > 0 {
		t.Errorf("AA-09 failed the default cluster-admin binding: %v", o.Failures)
	}
}

func TestNotAssessedNamesTheMissingRole(t *testing.T) {
	outs := checktest.Expect(t, "NS-40", "testdata/NS-40.yaml")
	want := "Role shop/not-in-input is not in the input, so what this binding grants is unknown; scan it together with the role"
	if got := outs["na-missing-role"].NotAssessed; got != want {
		t.Errorf("not-assessed reason = %q, want %q", got, want)
	}
}

// TestExceptionsAcceptAnAdministrator shows the way to declare an administrator: an exception on
// the binding, through the engine like any other finding.
func TestExceptionsAcceptAnAdministrator(t *testing.T) {
	inv := checktest.Load(t, "testdata/AA-13.yaml")
	c, _ := checks.Lookup("AA-13")
	cfg := &config.Config{Exceptions: []config.Exception{{
		Controls: []string{"AA-13"}, Kind: "ClusterRoleBinding", Name: "fail-ops-cluster-admin", Reason: "break-glass group of the platform team",
	}}}
	res, err := engine.Run(inv, engine.Options{Checks: []checks.Check{c}, Config: cfg, ShowExempt: true})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]engine.Status{}
	for _, f := range res.Findings {
		status[f.Object.Name] = f.Status
	}
	if status["fail-ops-cluster-admin"] != engine.StatusExempt || status["fail-mixed-subjects"] != engine.StatusFail {
		t.Errorf("statuses = %v", status)
	}
}

// TestAssessIgnoresOtherObjects calls every check directly, bypassing Match, on objects that are
// not RBAC objects or not decoded: none may fail them, panic, or call them not assessed.
func TestAssessIgnoresOtherObjects(t *testing.T) {
	inv := checktest.Load(t, "testdata/AA-13.yaml")
	others := []*inventory.Object{
		{Kind: "Widget", Name: "untyped"},
		{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding", Name: "undecoded"},
		{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role", Name: "undecoded", Namespace: "shop"},
	}
	for _, id := range controls {
		c, _ := checks.Lookup(id)
		for _, o := range others {
			var a checks.Assessment
			c.Assess(&a, o, inv)
			if len(a.Failures) > 0 || a.NotAssessedReason != "" {
				t.Errorf("%s on %s %s: %+v", id, o.Kind, o.Name, a)
			}
		}
	}
}

// TestKubernetesDefaultBindingsAreNotFindings runs every control over Kubernetes' own default
// roles and bindings as a cluster lists them: the bootstrap policy grants its components what they
// need (the garbage collector writes everything, the controller manager reads Secrets), and none
// of it is a finding.
func TestKubernetesDefaultBindingsAreNotFindings(t *testing.T) {
	inv := checktest.Load(t, "testdata/kubernetes-defaults.yaml")
	for _, id := range controls {
		for _, o := range checktest.Run(t, id, inv) {
			if len(o.Failures) > 0 {
				t.Errorf("%s fails Kubernetes' default %s %s:%s", id, o.Object.Kind, o.Object.Name, dump(o.Failures))
			}
		}
	}
}

// TestSystemIdentitiesInUserBindings: a binding that Kubernetes' bootstrap policy does not
// write (or a subject added to one that it does) is judged whoever it names, system: users and
// groups and the controllers' service accounts included. Only system:masters, which a binding
// cannot give anything, is left to AA-09.
func TestSystemIdentitiesInUserBindings(t *testing.T) {
	inv := checktest.Load(t, "testdata/system-identities.yaml")
	all := []string{"subjects[0]", "subjects[1]", "subjects[2]", "subjects[3]"}
	want := map[string]map[string][]string{
		"AA-13": {
			"bootstrap-admin":     all[:3],
			"cluster-admin":       {"subjects[1]"},
			"system:node-proxier": {"subjects[0]"},
		},
		"NS-40": {"bootstrap-powers": all},
		"AA-15": {"bootstrap-powers": all},
		"AA-16": {"bootstrap-powers": all},
		"AA-17": {"bootstrap-powers": all},
		"AA-18": {"bootstrap-powers": all},
		"AA-09": {"masters-admin": {"subjects[0]"}},
	}
	for _, id := range controls {
		for _, o := range checktest.Run(t, id, inv) {
			if got, w := o.Paths(), want[id][o.Object.Name]; !slices.Equal(got, w) {
				t.Errorf("%s %s: failures at %v, want %v:%s", id, o.Object.Name, got, w, dump(o.Failures))
			}
		}
	}
}
