package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/internal/testutil"
)

// End-to-end tests of `rbac who-can` and `rbac subject` on the analysis package's fixture: a
// small cluster with aggregation, RoleBinding scopes, group and service account subjects,
// built-in roles and a binding to a missing role.

var rbacFixture = filepath.Join("..", "..", "pkg", "analysis", "rbac", "testdata", "cluster.yaml")

func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(args, Streams{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return out.String(), errOut.String(), code
}

func TestRBACWhoCanTable(t *testing.T) {
	out, errOut, code := runCLI(t, "", "rbac", "who-can", "create", "pods/exec", "-f", rbacFixture)
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := `Who can create pods/exec in any namespace:

SUBJECT               WHERE         VIA
Group system:masters  cluster-wide  group membership (no binding) [1]
Group devs            shop          RoleBinding shop/debuggers → ClusterRole pod-debugger (rules[0] of ClusterRole debug-exec)

Bindings to roles that are not in the input (they may allow it too):
  User bob  billing  RoleBinding billing/missing-role → Role billing/billing-admin

[1] members of system:masters bypass RBAC: the API server allows them everything
`
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestRBACWhoCanNamespaceAndJSON(t *testing.T) {
	out, _, code := runCLI(t, "", "rbac", "who-can", "list", "widgets.example.com", "-n", "shop", "-f", rbacFixture, "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var got struct {
		Request struct {
			Verb, APIGroup, Resource, Namespace string
		} `json:"request"`
		Grants []struct {
			Subject struct{ Kind, Name string } `json:"subject"`
			Via     string                      `json:"via"`
			Note    string                      `json:"note"`
			BuiltIn bool                        `json:"builtIn"`
			Rule    *struct {
				Resources []string `json:"resources"`
			} `json:"rule"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if got.Request.APIGroup != "example.com" || got.Request.Resource != "widgets" || got.Request.Namespace != "shop" {
		t.Errorf("request = %+v", got.Request)
	}
	var vias []string
	for _, g := range got.Grants {
		vias = append(vias, g.Subject.Kind+" "+g.Subject.Name+": "+g.Via)
	}
	want := []string{
		"Group ops: ClusterRoleBinding ops-view → ClusterRole view (rules[0] of ClusterRole widgets-view)",
		"Group system:masters: group membership (no binding)",
	}
	if strings.Join(vias, "\n") != strings.Join(want, "\n") {
		t.Errorf("grants:\n%s\nwant:\n%s", strings.Join(vias, "\n"), strings.Join(want, "\n"))
	}
	if g := got.Grants[0]; !g.BuiltIn || !strings.Contains(g.Note, "built-in role") || g.Rule == nil || g.Rule.Resources[0] != "widgets" {
		t.Errorf("first grant = %+v", g)
	}
}

func TestRBACSubjectTable(t *testing.T) {
	out, errOut, code := runCLI(t, "", "rbac", "subject", "ServiceAccount/shop/api", "-f", rbacFixture)
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := `ServiceAccount shop/api
  also holds what is bound to: User system:serviceaccount:shop:api, Group system:serviceaccounts, Group system:serviceaccounts:shop, Group system:authenticated

Cluster-wide:
  RULE       AS                                   VIA
  get nodes  User system:serviceaccount:shop:api  ClusterRoleBinding api-nodes → ClusterRole node-reader rules[0]

In namespace shop:
  RULE                             AS                                 VIA
  update */scale (all API groups)  Group system:serviceaccounts:shop  RoleBinding shop/all-sa-scale → ClusterRole scaler rules[0]
  get secrets named db-password    itself                             RoleBinding shop/api-secrets → Role shop/secret-reader rules[0]
  list configmaps                  itself                             RoleBinding shop/api-secrets → Role shop/secret-reader rules[1]
`
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestRBACSubjectNotesAndStdin(t *testing.T) {
	data, err := os.ReadFile(rbacFixture)
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := runCLI(t, string(data), "rbac", "subject", "User/carol", "-f", "-")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"In namespace shop:",
		"get nodes  itself  RoleBinding shop/carol-nodes → ClusterRole node-reader rules[0] [1]",
		"[1] no effect: a RoleBinding does not reach cluster-scoped resources or non-resource URLs",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = runCLI(t, "", "rbac", "subject", "User/nobody", "-f", rbacFixture)
	if !strings.Contains(out, "No binding in the input grants it anything.") {
		t.Errorf("output for a subject without bindings:\n%s", out)
	}
}

func TestRBACErrors(t *testing.T) {
	cases := []struct {
		args   []string
		stdin  string
		stderr string
	}{
		{[]string{"rbac", "who-can", "get", "pods"}, "", `required flag(s) "filename" not set`},
		{[]string{"rbac", "who-can", "get", "pods", "-n", "shop", "--cluster-wide", "-f", rbacFixture}, "", "exclude each other"},
		{[]string{"rbac", "who-can", "get", "pods", "-o", "yaml", "-f", rbacFixture}, "", `unknown output format "yaml"`},
		{[]string{"rbac", "subject", "ServiceAccount/api", "-f", rbacFixture}, "", "ServiceAccount/NAMESPACE/NAME"},
		{[]string{"rbac", "who-can", "get", "pods", "-f", "missing.yaml"}, "", "the input was not read completely"},
	}
	for _, c := range cases {
		_, errOut, code := runCLI(t, c.stdin, c.args...)
		if code != ExitError || !strings.Contains(errOut, c.stderr) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, errOut, c.stderr)
		}
	}
	// RBAC objects the API server would reject are warned about; the answer still comes.
	bad := `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: no-namespace}
subjects: [{kind: ServiceAccount, name: api}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
`
	_, errOut, code := runCLI(t, bad, "rbac", "who-can", "get", "pods", "-f", "-")
	if code != ExitOK || !strings.Contains(errOut, "warning: ClusterRoleBinding no-namespace subjects[0]: a ServiceAccount subject of a ClusterRoleBinding needs a namespace") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// delegatorRBAC binds, in namespace shop only, a ClusterRole that may bind clusterroles and delete
// namespaces: both reach shop, as the API server authorizes them with that namespace.
const delegatorRBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: delegator}
rules:
- {verbs: [bind], apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles]}
- {verbs: [delete], apiGroups: [""], resources: [namespaces]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: delegate, namespace: shop}
subjects: [{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: delegator, apiGroup: rbac.authorization.k8s.io}
`

func TestRBACRoleBindingReachesItsNamespaceObjectAndBind(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"who-can", "bind", "clusterroles", "-n", "shop"}, []string{
			"Who can bind clusterroles.rbac.authorization.k8s.io in namespace shop:",
			"User dave             shop          RoleBinding shop/delegate → ClusterRole delegator rules[0]",
		}},
		{[]string{"who-can", "delete", "namespaces", "--name", "shop", "-n", "shop"}, []string{
			"Who can delete namespaces named shop:",
			"User dave             shop          RoleBinding shop/delegate → ClusterRole delegator rules[1]",
		}},
		{[]string{"subject", "User/dave"}, []string{
			"bind clusterroles (rbac.authorization.k8s.io)  itself  RoleBinding shop/delegate → ClusterRole delegator rules[0]\n",
			"delete namespaces                              itself  RoleBinding shop/delegate → ClusterRole delegator rules[1]\n",
		}},
	}
	for _, c := range cases {
		out, errOut, code := runCLI(t, delegatorRBAC, append(append([]string{"rbac"}, c.args...), "-f", "-")...)
		if code != ExitOK || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
		if strings.Contains(out, "no effect") {
			t.Errorf("%v: a rule is marked without effect:\n%s", c.args, out)
		}
	}
}

// writeRBACChart writes a chart whose RBAC needs a value (required) and whose RoleBinding names
// no namespace, so it lands in the release namespace, as `helm install -n` puts it.
func writeRBACChart(t *testing.T) string {
	t.Helper()
	files := map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: delegate\nversion: 0.1.0\n",
		"values.yaml": "user: \"\"\nverbs: [get]\n",
		"templates/rbac.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: {{ .Release.Name }}-reader}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: {{ toJson .Values.verbs }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: {{ .Release.Name }}-reader}
subjects: [{kind: User, name: {{ required "user is required" .Values.user | quote }}, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: Role, name: {{ .Release.Name }}-reader, apiGroup: rbac.authorization.k8s.io}
`,
	}
	chart := map[string]string{}
	for name, text := range files {
		chart["delegate/"+name] = text
	}
	return filepath.Join(testutil.WriteTree(t, chart), "delegate")
}

// TestRBACRendersChartsAsDeployed: the rbac commands take scan's Helm options, and the release
// namespace has a flag of its own, since -n is the namespace asked about.
func TestRBACRendersChartsAsDeployed(t *testing.T) {
	chart := writeRBACChart(t)
	values := filepath.Join(t.TempDir(), "prod.yaml")
	if err := os.WriteFile(values, []byte("user: gina\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "rbac", "who-can", "get", "secrets", "-n", "shop", "-f", chart,
		"--values", values, "--set", "verbs={get,list}", "--release-name", "web", "--release-namespace", "shop")
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if want := "User gina             shop          RoleBinding shop/web-reader → Role shop/web-reader rules[0]\n"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	out, errOut, code = runCLI(t, "", "rbac", "subject", "User/jane", "-f", chart,
		"--set-string", "user=jane", "--release-namespace", "billing")
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"In namespace billing:", "get secrets  itself  RoleBinding billing/delegate-reader → Role billing/delegate-reader rules[0]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Without the required value the chart cannot be rendered: an input error, as for scan.
	_, errOut, code = runCLI(t, "", "rbac", "subject", "User/jane", "-f", chart)
	if code != ExitError || !strings.Contains(errOut, "user is required") {
		t.Errorf("exit %d, stderr %q; want 2 and the chart's error", code, errOut)
	}
}
