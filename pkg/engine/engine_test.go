package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// failIfNamed fails objects whose name is in bad and skips those in skip.
func failIfNamed(id string, bad map[string]string, notAssessed map[string]bool) checks.Check {
	return checks.Check{
		ID:    id,
		Match: func(o *inventory.Object) bool { return o.Kind == "Pod" },
		Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			if notAssessed[o.Name] {
				a.NotAssessed("cannot see it")
				return
			}
			if p, ok := bad[o.Name]; ok {
				a.Fail(p, id+" failed")
			}
		},
	}
}

func pod(name string, src inventory.Source, annotations map[string]string) *inventory.Object {
	meta := &metav1.ObjectMeta{Name: name, Namespace: "app", Annotations: annotations}
	return &inventory.Object{APIVersion: "v1", Kind: "Pod", Name: name, Namespace: "app", Meta: meta, Typed: struct{}{},
		Origin: inventory.Origin{Source: src, File: name + ".yaml", Line: 1}}
}

func TestScoresAndStatuses(t *testing.T) {
	inv := &inventory.Inventory{}
	inv.Add(pod("a", inventory.SourceManifest, nil), pod("b", inventory.SourceManifest, nil), pod("c", inventory.SourceManifest, nil))
	cs := []checks.Check{
		failIfNamed("PS-14", map[string]string{"a": "spec.containers[0].securityContext.privileged"}, nil),                                    // critical, w=8
		failIfNamed("PS-09", map[string]string{"a": "spec.containers[0].image", "b": "spec.containers[0].image"}, map[string]bool{"c": true}), // low, w=1
	}
	res, err := Run(inv, Options{Checks: cs, ShowPassed: true})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	// PS-14: a fail, b pass, c pass. PS-09: a fail, b fail, c not assessed.
	if s.Pass != 2 || s.Fail != 3 || s.NotAssessed != 1 {
		t.Fatalf("counts = %+v", s.Counts)
	}
	// passed weight 16 (two criticals), failed weight 8 + 1 + 1 = 10: 100*16/26 = 61.5
	if s.Score == nil || *s.Score != 61.5 {
		t.Fatalf("score = %v, want 61.5", s.Score)
	}
	pod := s.Sections[catalog.SectionPodSecurity-1]
	if pod.Score == nil || *pod.Score != 61.5 || s.Sections[catalog.SectionAuth-1].Score != nil {
		t.Fatalf("section scores wrong: %+v", s.Sections)
	}
	if s.BySeverity["critical"] != 1 || s.BySeverity["low"] != 2 {
		t.Fatalf("bySeverity = %v", s.BySeverity)
	}
	// Findings are ordered by object, then catalog order (PS-09 before PS-14 in section 1? the
	// catalog sorts numerically: PS-09 < PS-14).
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Object.Name+"/"+f.Control.ID+"/"+f.Status.String())
	}
	want := []string{"a/PS-09/fail", "a/PS-14/fail", "b/PS-09/fail", "b/PS-14/pass", "c/PS-09/not-assessed", "c/PS-14/pass"}
	if len(got) != len(want) {
		t.Fatalf("findings = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("findings = %v, want %v", got, want)
		}
	}
	if res.MaxFailSeverity() != catalog.SeverityCritical {
		t.Errorf("MaxFailSeverity = %v", res.MaxFailSeverity())
	}
}

// TestErrorsRedacted: whatever source an input error comes from (a node's configuration file, a
// kubeconfig), what its parser quoted of a value is not in the result.
func TestErrorsRedacted(t *testing.T) {
	inv := &inventory.Inventory{Errors: []inventory.InputError{
		{File: "encryption-config.yaml", Line: 7, Message: "unknown anchor 'Tm9kZUVuY0FsaWFz' referenced"},
		{File: "webhook.kubeconfig", Line: 3, Message: "found undefined tag handle !Pa55word!"},
	}}
	res, err := Run(inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		if strings.Contains(e.Message, "Tm9kZUVu") || strings.Contains(e.Message, "Pa55word") || e.Line == 0 {
			t.Errorf("error %+v", e)
		}
	}
}

func TestSourceFilterAndDisable(t *testing.T) {
	inv := &inventory.Inventory{}
	// NS-42 applies to manifests only: a Secret from a cluster is never assessed by it.
	inv.Add(pod("live", inventory.SourceCluster, nil), pod("file", inventory.SourceManifest, nil))
	cs := []checks.Check{failIfNamed("NS-42", map[string]string{"live": "data", "file": "data"}, nil)}
	res, err := Run(inv, Options{Checks: cs})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Object.Name != "file" {
		t.Fatalf("findings = %+v", res.Findings)
	}
	res, _ = Run(inv, Options{Checks: cs, Config: &config.Config{Disable: []string{"ns-42"}}})
	if len(res.Findings) != 0 || res.Summary.Controls != 0 {
		t.Fatalf("disabled control still ran: %+v", res.Findings)
	}
	res, _ = Run(inv, Options{Checks: cs, Config: &config.Config{MinSeverity: catalog.SeverityCritical}})
	if len(res.Findings) != 0 {
		t.Fatalf("control below minSeverity still ran")
	}
}

func TestExemptions(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	yesterday := &config.Date{Time: time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)}
	today := &config.Date{Time: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	inv := &inventory.Inventory{}
	inv.Add(
		pod("annotated", inventory.SourceManifest, map[string]string{config.ExemptAnnotation: "ps-14, PS-17: needs the host"}),
		pod("cfg-today", inventory.SourceManifest, nil),
		pod("cfg-expired", inventory.SourceManifest, nil),
		pod("plain", inventory.SourceManifest, nil),
		pod("bad-annotation", inventory.SourceManifest, map[string]string{config.ExemptAnnotation: "PS-14"}),
	)
	all := map[string]string{"annotated": "x", "cfg-today": "x", "cfg-expired": "x", "plain": "x", "bad-annotation": "x"}
	cfg := &config.Config{File: ".kubeharden.yaml", Exceptions: []config.Exception{
		{Controls: []string{"PS-14"}, Name: "cfg-t*", Reason: "accepted", Expires: today, Ticket: "SEC-1"},
		{Controls: []string{"*"}, Name: "cfg-expired", Reason: "was accepted", Expires: yesterday},
	}}
	res, err := Run(inv, Options{Checks: []checks.Check{failIfNamed("PS-14", all, nil)}, Config: cfg, Now: now, ShowExempt: true})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]Finding{}
	for _, f := range res.Findings {
		status[f.Object.Name] = f
	}
	for name, want := range map[string]Status{"annotated": StatusExempt, "cfg-today": StatusExempt, "cfg-expired": StatusFail, "plain": StatusFail, "bad-annotation": StatusFail} {
		if status[name].Status != want {
			t.Errorf("%s: status %s, want %s", name, status[name].Status, want)
		}
	}
	if ex := status["cfg-today"].Exemption; ex == nil || ex.Ticket != "SEC-1" || ex.Source != ".kubeharden.yaml exceptions[0]" {
		t.Errorf("exemption = %+v", ex)
	}
	if res.Summary.Exempt != 2 || res.Summary.Fail != 3 {
		t.Errorf("counts = %+v", res.Summary.Counts)
	}
	if len(res.Summary.Expired) != 1 || res.Summary.Expired[0].Findings != 1 {
		t.Errorf("expired = %+v", res.Summary.Expired)
	}
	if len(res.Errors) != 1 {
		t.Errorf("a malformed annotation must be an input error, got %v", res.Errors)
	}
	// Without ShowExempt, exempt findings are counted but not listed.
	res, _ = Run(inv, Options{Checks: []checks.Check{failIfNamed("PS-14", all, nil)}, Config: cfg, Now: now})
	for _, f := range res.Findings {
		if f.Status == StatusExempt {
			t.Fatalf("exempt finding listed without ShowExempt")
		}
	}
	if res.Summary.Exempt != 2 {
		t.Fatalf("exempt count = %d", res.Summary.Exempt)
	}
	// Annotations can be switched off by the platform team.
	off := false
	cfg.AnnotationExemptions = &off
	res, _ = Run(inv, Options{Checks: []checks.Check{failIfNamed("PS-14", all, nil)}, Config: cfg, Now: now})
	if res.Summary.Exempt != 1 {
		t.Fatalf("annotation honoured although disabled: %+v", res.Summary.Counts)
	}
}

// TestAnnotationsAndExpiredExceptions covers what an owner's annotation and a stale exception
// must not do silently: an annotation on a Deployment and one on its pod template both apply; a
// wrong ID or a missing reason is an input error even on an object that fails nothing, while
// the annotation's other entries still apply; an expired exception is reported although it no
// longer matches any failure.
func TestAnnotationsAndExpiredExceptions(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	lastYear := &config.Date{Time: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "app",
		Annotations: map[string]string{config.ExemptAnnotation: "PS-17: needs the host network"}}}
	dep.Spec.Template.Annotations = map[string]string{config.ExemptAnnotation: "PS-15: reads host processes; PS-14,PS-99: typo"}
	inv := &inventory.Inventory{}
	inv.Add(
		&inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Name: "agent", Namespace: "app", Meta: &dep.ObjectMeta, Typed: dep,
			Origin: inventory.Origin{Source: inventory.SourceManifest, File: "agent.yaml", Line: 1}},
		pod("quiet", inventory.SourceManifest, map[string]string{config.ExemptAnnotation: "PS-17"}),
	)
	failDeployment := func(id string) checks.Check {
		return checks.Check{ID: id, Match: func(o *inventory.Object) bool { return o.Kind == "Deployment" },
			Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) { a.Fail("spec", id+" failed") }}
	}
	cfg := &config.Config{File: ".kubeharden.yaml", Exceptions: []config.Exception{
		{Controls: []string{"PS-20"}, Name: "gone", Reason: "was accepted", Expires: lastYear},
		{Controls: []string{"PS-17"}, Name: "nothing-by-this-name", Reason: "matches nothing"},
	}}
	res, err := Run(inv, Options{Checks: []checks.Check{failDeployment("PS-17"), failDeployment("PS-15"), failDeployment("PS-14"), failDeployment("PS-20")},
		Config: cfg, Now: now, ShowExempt: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Status{}
	for _, f := range res.Findings {
		got[f.Control.ID] = f.Status
	}
	want := map[string]Status{"PS-17": StatusExempt, "PS-15": StatusExempt, "PS-14": StatusExempt, "PS-20": StatusFail}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("%s: %s, want %s", id, got[id], st)
		}
	}
	var msgs []string
	for _, e := range res.Errors {
		msgs = append(msgs, e.File+": "+e.Message)
	}
	if len(msgs) != 2 || !strings.Contains(strings.Join(msgs, "\n"), `"PS-99"`) || !strings.Contains(strings.Join(msgs, "\n"), "quiet.yaml: Pod app/quiet") {
		t.Errorf("errors %q, want one for PS-99 on the Deployment and one for the Pod that fails nothing", msgs)
	}
	if len(res.Summary.Expired) != 1 || res.Summary.Expired[0].Findings != 0 || res.Summary.Expired[0].Source != ".kubeharden.yaml exceptions[0]" {
		t.Errorf("expired = %+v, want the stale exception with no findings", res.Summary.Expired)
	}
	// The exception that accepted nothing is listed as unused; the expired one is not listed twice.
	if len(res.Summary.Unused) != 1 || res.Summary.Unused[0].Source != ".kubeharden.yaml exceptions[1]" {
		t.Errorf("unused = %+v, want exceptions[1] alone", res.Summary.Unused)
	}
	// An exception for a control that reads only live clusters, in a run over files, had nothing
	// to accept either: not listed.
	clusterOnly := checks.Check{ID: "AL-11", Match: func(*inventory.Object) bool { return false },
		Assess: func(*checks.Assessment, *inventory.Object, *inventory.Inventory) {}}
	cfgLive := &config.Config{File: ".kubeharden.yaml", Exceptions: []config.Exception{{Controls: []string{"AL-11"}, Reason: "no log shipper yet"}}}
	res, err = Run(inv, Options{Checks: []checks.Check{failDeployment("PS-15"), clusterOnly}, Config: cfgLive, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Summary.Unused) != 0 {
		t.Errorf("unused = %+v for a cluster-only control in a run over files", res.Summary.Unused)
	}
	// An exception for a control the run left out had nothing to accept: not listed.
	res, err = Run(inv, Options{Checks: []checks.Check{failDeployment("PS-15")}, Config: cfg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Summary.Unused) != 0 {
		t.Errorf("unused = %+v for a run without PS-17", res.Summary.Unused)
	}
}

// TestNamespaceExceptionCoversTheNamespace: an exception for namespace legacy also covers the
// Namespace object legacy, which is cluster-scoped and so has no namespace of its own.
func TestNamespaceExceptionCoversTheNamespace(t *testing.T) {
	inv := &inventory.Inventory{}
	inv.Add(&inventory.Object{APIVersion: "v1", Kind: "Namespace", Name: "legacy", Meta: &metav1.ObjectMeta{Name: "legacy"}, Typed: struct{}{},
		Origin: inventory.Origin{Source: inventory.SourceManifest, File: "ns.yaml", Line: 1}})
	failAll := checks.Check{ID: "NS-05", Match: func(o *inventory.Object) bool { return true },
		Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			a.Fail("", "no NetworkPolicy")
		}}
	cfg := &config.Config{Exceptions: []config.Exception{{Controls: []string{"*"}, Namespace: "legacy", Reason: "being retired"}}}
	res, err := Run(inv, Options{Checks: []checks.Check{failAll}, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Exempt != 1 || res.Summary.Fail != 0 {
		t.Errorf("counts %+v, want the Namespace's failure exempt", res.Summary.Counts)
	}
}

// TestUndecodedObjectsSpreadOnlyToTheirNamespace: a NetworkPolicy that did not decode leaves its
// own namespace not assessed by the controls that need NetworkPolicies, and no other; a Role that
// did not decode leaves nothing else not assessed (other roles' bindings are judged as usual).
func TestUndecodedObjectsSpreadOnlyToTheirNamespace(t *testing.T) {
	inv := &inventory.Inventory{}
	inv.Add(pod("a", inventory.SourceManifest, nil), pod("b", inventory.SourceManifest, nil))
	inv.Objects[1].Namespace, inv.Objects[1].Meta.Namespace = "other", "other"
	for _, kind := range []string{"NetworkPolicy", "Role", "ServiceAccount"} {
		inv.Unreadable = append(inv.Unreadable, &inventory.Object{APIVersion: "v1", Kind: kind, Namespace: "app", Name: "broken",
			Unreadable: "could not be read: bad field", Origin: inventory.Origin{Source: inventory.SourceManifest, File: "x.yaml", Line: 1}})
	}
	needs := func(id, kind string) checks.Check {
		c := failIfNamed(id, map[string]string{"a": "spec", "b": "spec"}, nil)
		c.Needs = []string{kind}
		return c
	}
	res, err := Run(inv, Options{Checks: []checks.Check{needs("NS-05", "NetworkPolicy"), needs("AA-05", "Role"), needs("PS-28", "ServiceAccount")}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Status{}
	for _, f := range res.Findings {
		if f.Object.Kind == "Pod" {
			got[f.Control.ID+" "+f.Object.Name] = f.Status
		}
	}
	want := map[string]Status{"NS-05 a": StatusNotAssessed, "NS-05 b": StatusFail, "AA-05 a": StatusFail, "AA-05 b": StatusFail,
		"PS-28 a": StatusNotAssessed, "PS-28 b": StatusFail}
	for k, st := range want {
		if got[k] != st {
			t.Errorf("%s: %s, want %s", k, got[k], st)
		}
	}
}

func TestUnknownControlIsAnError(t *testing.T) {
	_, err := Run(&inventory.Inventory{}, Options{Checks: []checks.Check{failIfNamed("NOPE-1", nil, nil)}})
	if err == nil {
		t.Fatal("a check for a control missing from the catalog must be rejected")
	}
}

func TestNeedsUnavailableKindIsNotAssessed(t *testing.T) {
	inv := &inventory.Inventory{}
	inv.Add(pod("a", inventory.SourceCluster, nil))
	inv.MarkUnavailable("NetworkPolicy", "Forbidden: user cannot list networkpolicies")
	c := failIfNamed("PS-14", map[string]string{"a": "x"}, nil)
	c.Needs = []string{"NetworkPolicy"}
	res, err := Run(inv, Options{Checks: []checks.Check{c}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.NotAssessed != 1 || res.Summary.Fail != 0 || len(res.Findings) != 1 || res.Findings[0].Status != StatusNotAssessed {
		t.Fatalf("a check whose needed kind is unavailable must not run: %+v %+v", res.Summary.Counts, res.Findings)
	}
	if res.Summary.Unavailable["NetworkPolicy"] == "" {
		t.Fatal("summary must list unavailable kinds")
	}
}

// TestFindingsInObjectOrderAcrossChunks runs thousands of objects through many workers, with
// findings only from the later objects (so the result is first sized from chunks with none and
// must grow) and slow objects here and there (so chunks finish out of order), and requires the
// findings in object order, exactly as one worker gives them.
func TestFindingsInObjectOrderAcrossChunks(t *testing.T) {
	const n = 5000
	inv := &inventory.Inventory{}
	bad := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("p%05d", i)
		inv.Add(pod(name, inventory.SourceManifest, nil))
		if i > 1000 && i%3 != 0 {
			bad[name] = fmt.Sprintf("spec.containers[%d].image", i%4)
		}
	}
	slow := failIfNamed("PS-14", nil, nil)
	slow.Assess = func(_ *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
		if strings.HasSuffix(o.Name, "17") {
			time.Sleep(50 * time.Microsecond)
		}
	}
	cs := []checks.Check{failIfNamed("PS-09", bad, nil), slow}
	one, err := Run(inv, Options{Checks: cs, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Findings) != len(bad) {
		t.Fatalf("%d findings, want %d", len(one.Findings), len(bad))
	}
	for i := 1; i < len(one.Findings); i++ {
		if one.Findings[i-1].Object.Name >= one.Findings[i].Object.Name {
			t.Fatalf("one worker: finding %d (%s) not after %s", i, one.Findings[i].Object.Name, one.Findings[i-1].Object.Name)
		}
	}
	many, err := Run(inv, Options{Checks: cs, Workers: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(many.Findings) != len(one.Findings) {
		t.Fatalf("8 workers: %d findings, 1 worker: %d", len(many.Findings), len(one.Findings))
	}
	for i := range one.Findings {
		if a, b := one.Findings[i], many.Findings[i]; a.Object != b.Object || a.Path != b.Path || a.Control != b.Control {
			t.Fatalf("finding %d: 8 workers %s %s, 1 worker %s %s", i, b.Object.Name, b.Path, a.Object.Name, a.Path)
		}
	}
}
