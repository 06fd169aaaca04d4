package logging_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	_ "github.com/kubeharden/kubeharden/pkg/checks/logging"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/node"
)

var controls = []string{"AL-01", "AL-02", "AL-03", "AL-04", "AL-05", "AL-06", "AL-08", "AL-09", "AL-10"}

func TestControlsAreRegisteredAndInTheCatalog(t *testing.T) {
	for _, id := range controls {
		if _, ok := checks.Lookup(id); !ok {
			t.Errorf("%s is not registered", id)
		}
		c := catalog.Default().Get(id)
		if c == nil || c.Section != catalog.SectionLogging || !c.HasSource(catalog.SourceNode) {
			t.Errorf("%s is not a node logging control of the catalog", id)
		}
	}
}

func TestPodFixtures(t *testing.T) {
	for _, id := range []string{"AL-01", "AL-02", "AL-03", "AL-05", "AL-06"} {
		t.Run(id, func(t *testing.T) {
			for name, o := range checktest.Expect(t, id, "testdata/"+id+".yaml") {
				for _, f := range o.Failures {
					if f.Path == "" || f.Message == "" {
						t.Errorf("%s: failure without path or message: %+v", name, f)
					}
				}
			}
		})
	}
}

func parse(t *testing.T, nodePath, file string) *inventory.Object {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	o, err := node.ParseConfig(nodePath, data, "")
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return o
}

// TestFileFixtures: audit policies (AL-04) and webhook kubeconfigs (AL-06), named by outcome.
func TestFileFixtures(t *testing.T) {
	for _, id := range []string{"AL-04", "AL-06"} {
		t.Run(id, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join("testdata", "files", id, "*.yaml"))
			inv := &inventory.Inventory{}
			for _, f := range files {
				o := parse(t, "/etc/kubernetes/audit/"+filepath.Base(f), f)
				o.Name = strings.TrimSuffix(filepath.Base(f), ".yaml")
				inv.Add(o)
			}
			checktest.ExpectInventory(t, id, "testdata/files/"+id, inv)
		})
	}
}

func assess(id string, inv *inventory.Inventory, o *inventory.Object) checks.Assessment {
	c, _ := checks.Lookup(id)
	var a checks.Assessment
	if c.Match(o) {
		c.Assess(&a, o, inv)
	} else {
		a.Skip()
	}
	return a
}

func messages(a checks.Assessment) string {
	var m []string
	for _, f := range a.Failures {
		m = append(m, f.Path+": "+f.Message)
	}
	return strings.Join(m, "\n")
}

// TestPolicyDetails pins which rule each AL-04 finding points at.
func TestPolicyDetails(t *testing.T) {
	o := parse(t, "/p.yaml", "testdata/files/AL-04/fail-secrets-bodies-for-admins.yaml")
	a := assess("AL-04", &inventory.Inventory{}, o)
	if len(a.Failures) != 1 || a.Failures[0].Path != "rules[0].level" || !strings.Contains(a.Failures[0].Message, "Secrets at RequestResponse") {
		t.Errorf("got\n%s", messages(a))
	}
	o = parse(t, "/p.yaml", "testdata/files/AL-04/fail-exec-not-logged.yaml")
	a = assess("AL-04", &inventory.Inventory{}, o)
	got := messages(a)
	for _, w := range []string{"rules[0].level: rule 1 does not log pods/exec", "rules[0].level: rule 1 does not log pods/attach"} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if strings.Contains(got, "portforward") {
		t.Errorf("pods/portforward is logged by the catch-all:\n%s", got)
	}
	o = parse(t, "/p.yaml", "testdata/files/AL-04/fail-catch-all-none-first.yaml")
	if got := messages(assess("AL-04", &inventory.Inventory{}, o)); !strings.Contains(got, "rules[1]: rules after the catch-all rule 1 are never reached") {
		t.Errorf("got\n%s", got)
	}
}

// TestPolicySilences pins the findings of policies that log nothing, or nothing of some
// requests, for every user: the rules are evaluated in order for representative requests, as
// the API server would.
func TestPolicySilences(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
		not  []string
	}{
		{"fail-none-for-every-group", []string{"rules[0].level: rule 1 matches the requests of every user, authenticated or not, with level None"}, []string{"Secrets"}},
		{"fail-none-for-reads", []string{
			"rules[0].level: rule 1 does not log get, list and watch of Secrets (level None)",
			"rules[0].level: rule 1 does not log get, list and watch of ConfigMaps (level None)",
			"rules[0].level: rule 1 does not log get of pods/exec (level None)",
		}, []string{"TokenReviews", "RoleBindings"}},
		{"fail-policy-omits-every-stage", []string{"omitStages: the policy omits every stage"}, []string{"Secrets"}},
		{"fail-rule-omits-every-stage", []string{
			"rules[0].omitStages: rule 1 logs Secrets at Metadata but omits every stage",
			"rules[0].omitStages: rule 1 logs TokenReviews at Metadata but omits every stage",
		}, []string{"pods/exec"}},
	} {
		o := parse(t, "/p.yaml", "testdata/files/AL-04/"+tc.file+".yaml")
		got := messages(assess("AL-04", &inventory.Inventory{}, o))
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: missing %q in\n%s", tc.file, w, got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: unexpected %q in\n%s", tc.file, n, got)
			}
		}
	}
}

// TestWebhookWithItsFile: the API server's AL-06 verdict covers the flags once the kubeconfig is
// in the inventory (judged on its own object).
func TestWebhookWithItsFile(t *testing.T) {
	api := &inventory.Object{Kind: inventory.KindProcess, Name: "kube-apiserver", Origin: inventory.Origin{Source: inventory.SourceNode},
		Typed: &inventory.Process{Args: []string{"kube-apiserver", "--audit-webhook-config-file=/etc/kubernetes/audit/webhook.yaml", "--audit-webhook-mode=blocking"}}}
	kc := parse(t, "/etc/kubernetes/audit/webhook.yaml", "testdata/files/AL-06/pass-https-client-cert.yaml")
	inv := &inventory.Inventory{}
	inv.Add(api, kc)
	if a := assess("AL-06", inv, api); len(a.Failures) > 0 || a.NotAssessedReason != "" || a.Skipped {
		t.Errorf("AL-06 on the API server: %+v", a)
	}
	// A process writes to the node directly: AL-05 does not apply.
	if a := assess("AL-05", inv, api); !a.Skipped {
		t.Errorf("AL-05 on a process: %+v", a)
	}
}

func host(h inventory.Host) *inventory.Object {
	return &inventory.Object{Kind: inventory.KindHost, Name: "node-1", Typed: &h}
}

func TestNodeLogs(t *testing.T) {
	for _, tc := range []struct {
		id       string
		h        inventory.Host
		fail, na bool
	}{
		{"AL-08", inventory.Host{ProcRead: true, LogAgents: []string{"fluent-bit (pid 3)"}}, false, false},
		{"AL-08", inventory.Host{ProcRead: true}, true, false},
		{"AL-08", inventory.Host{}, false, true},
		{"AL-09", inventory.Host{SeccompDirExists: true, SeccompProfiles: []inventory.SeccompProfile{{Path: "/a.json", DefaultAction: "SCMP_ACT_ERRNO", Logs: true}}}, false, false},
		{"AL-09", inventory.Host{SeccompDirExists: true, SeccompProfiles: []inventory.SeccompProfile{{Path: "/a.json", DefaultAction: "SCMP_ACT_ERRNO"}}}, true, false},
		{"AL-09", inventory.Host{SeccompDir: "/var/lib/kubelet/seccomp"}, true, false},
	} {
		a := assess(tc.id, &inventory.Inventory{}, host(tc.h))
		if (len(a.Failures) > 0) != tc.fail || (a.NotAssessedReason != "") != tc.na {
			t.Errorf("%s %+v: %+v", tc.id, tc.h, a)
		}
	}
}

func TestEventQPS(t *testing.T) {
	files, _ := filepath.Glob("testdata/kubelet/*.yaml")
	for _, f := range files {
		o := parse(t, "/var/lib/kubelet/config.yaml", f)
		inv := &inventory.Inventory{}
		inv.Add(o)
		a := assess("AL-10", inv, o)
		if fail := strings.HasPrefix(filepath.Base(f), "fail-"); (len(a.Failures) > 0) != fail || a.Skipped {
			t.Errorf("%s: %+v", f, a)
		}
	}
	if !slices.Contains(controls, "AL-10") {
		t.Fatal("AL-10 missing from the list")
	}
}

// TestAuditLogToStdoutSeparateValue: "--audit-log-path -" (two arguments) is the standard output
// form too, reported at the flag, not as a missing flag.
func TestAuditLogToStdoutSeparateValue(t *testing.T) {
	api := &inventory.Object{Kind: inventory.KindProcess, Name: "kube-apiserver", Origin: inventory.Origin{Source: inventory.SourceNode},
		Typed: &inventory.Process{Args: []string{"kube-apiserver", "--audit-policy-file=/p.yaml", "--audit-log-path", "-"}}}
	inv := &inventory.Inventory{}
	inv.Add(api)
	a := assess("AL-02", inv, api)
	if len(a.Failures) != 1 || a.Failures[0].Path != "args[2]" || !strings.Contains(a.Failures[0].Message, "standard output") {
		t.Errorf("AL-02: %s", messages(a))
	}
}
