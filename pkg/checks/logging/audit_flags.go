package logging

/*
AL-01: the API server must have an audit policy.

Read: kube-apiserver --audit-policy-file.
Fails: unset: without a policy the API server records no audit events at all.

AL-02: audit events must go somewhere durable.

Read: kube-apiserver --audit-log-path, --audit-webhook-config-file.
Passes: a log file path, or a webhook. Fails: neither; or the path "-" (standard output, which
        is lost with the container's log rotation) without a webhook.

AL-03: audit logs must be kept long enough.

Read: kube-apiserver --audit-log-maxage, --audit-log-maxbackup, --audit-log-maxsize, when the
      log is written to a file.
Passes: maxage 30 days or more (CIS 1.2.17; the guidance's example keeps 1825), maxbackup 10 or
        more, maxsize 100 MB or more, each set explicitly.
Fails:  a smaller or unset value. Unset means: no retention period (files are removed by count
        only), no bound on the number of rotated files, and the library default size.

AL-05: audit files must live on the node, not in the container.

Read: the kube-apiserver pod's volumes and volumeMounts for the --audit-policy-file and the
      folder of --audit-log-path (static or mirror pods only; a process writes to the node).
Fails: a path not covered by a hostPath volume: the policy is then not the node's file, and the
       log is lost whenever the pod restarts.

AL-06: the audit webhook backend must be secure and not lose events.

Read: kube-apiserver --audit-webhook-mode (default batch) and --audit-webhook-batch-buffer-size
      (default 10000) when --audit-webhook-config-file is set; the webhook kubeconfig's
      clusters[].cluster.server, insecure-skip-tls-verify and users[].user username/password.
Fails: a mode other than batch, blocking or blocking-strict; a batch buffer below 1000 events
       (events are dropped when it fills); a plain http:// server; TLS verification skipped;
       basic-auth credentials.
*/

import (
	"path"
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/controlplane"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/redact"
)

var apiServer = controlplane.Is(inventory.ComponentAPIServer)

func init() {
	checks.Register(
		checks.Check{ID: "AL-01", Match: apiServer, Assess: func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
			c := controlplane.Component(o, inv)
			if _, ok := set(c, "audit-policy-file"); !ok {
				a.Fail(controlplane.MissingPath(c), "--audit-policy-file is not set: the API server records no audit events")
			}
		}},
		checks.Check{ID: "AL-02", Match: apiServer, Assess: assessAuditBackend},
		checks.Check{ID: "AL-03", Match: apiServer, Assess: assessRetention},
		checks.Check{ID: "AL-05", Match: apiServer, Assess: assessAuditMounts},
		checks.Check{ID: "AL-06", Match: controlplane.Either(apiServer, controlplane.IsKind(inventory.KindKubeconfig)), Assess: assessWebhook},
	)
}

// set returns a flag with a non-empty value.
func set(c *inventory.Component, name string) (inventory.Flag, bool) {
	f, ok := c.Setting(name)
	return f, ok && strings.TrimSpace(f.Value) != ""
}

func assessAuditBackend(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := controlplane.Component(o, inv)
	logPath, hasLog := set(c, "audit-log-path")
	if _, hasHook := set(c, "audit-webhook-config-file"); hasHook {
		return
	}
	switch {
	case !hasLog:
		a.Fail(controlplane.MissingPath(c), "neither --audit-log-path nor --audit-webhook-config-file is set: audit events are not written anywhere")
	case logPath.Value == "-":
		a.Fail(logPath.Path, "--audit-log-path=- writes audit events to standard output, where they are lost with the container log's rotation; write them to a file on the node or send them to a webhook")
	}
}

// retention lists the CIS minimums for the audit log's rotation flags.
var retention = []struct {
	flag string
	min  int
	why  string
}{
	{"audit-log-maxage", 30, "no retention period is defined (old files are removed by count only)"},
	{"audit-log-maxbackup", 10, "the number of rotated files kept is not bounded, so the disk may fill"},
	{"audit-log-maxsize", 100, "files are rotated at the library's default size"},
}

func assessRetention(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := controlplane.Component(o, inv)
	if f, ok := set(c, "audit-log-path"); !ok || f.Value == "-" {
		a.Skip() // AL-02 reports where the events go
		return
	}
	for _, r := range retention {
		f, ok := set(c, r.flag)
		if !ok {
			a.Failf(controlplane.MissingPath(c), "--%s is not set: %s; set %d or more", r.flag, r.why, r.min)
			continue
		}
		if n, err := strconv.Atoi(f.Value); err != nil || n < r.min {
			a.Failf(f.Path, "%s is below %d", f.Arg(), r.min)
		}
	}
}

func assessAuditMounts(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := controlplane.Component(o, inv)
	if c.Pod == nil {
		a.Skip() // a process reads and writes the node's files directly
		return
	}
	policy, hasPolicy := set(c, "audit-policy-file")
	logPath, hasLog := set(c, "audit-log-path")
	if !hasPolicy && (!hasLog || logPath.Value == "-") {
		a.Skip() // AL-01 and AL-02 report the missing flags
		return
	}
	if hasPolicy {
		if _, onHost := c.HostPath(policy.Value); !onHost {
			a.Failf(policy.Path, "the audit policy %s is not on a hostPath volume, so the API server does not read the node's file", policy.Value)
		}
	}
	if hasLog && logPath.Value != "-" {
		if _, onHost := c.HostPath(path.Dir(logPath.Value)); !onHost {
			a.Failf(logPath.Path, "the audit log folder %s is not on a hostPath volume: the log is lost when the pod restarts", path.Dir(logPath.Value))
		}
	}
}

var webhookModes = map[string]bool{"batch": true, "blocking": true, "blocking-strict": true}

func assessWebhook(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	if kc, ok := o.Typed.(*inventory.Kubeconfig); ok {
		assessWebhookKubeconfig(a, kc)
		return
	}
	c := controlplane.Component(o, inv)
	hook, ok := set(c, "audit-webhook-config-file")
	if !ok {
		a.Skip()
		return
	}
	mode := "batch"
	if f, ok := set(c, "audit-webhook-mode"); ok {
		mode = f.Value
		if !webhookModes[mode] {
			a.Failf(f.Path, "%s is not one of batch, blocking or blocking-strict", f.Arg())
		}
	}
	if f, ok := set(c, "audit-webhook-batch-buffer-size"); ok && mode == "batch" {
		if n, err := strconv.Atoi(f.Value); err != nil || n < 1000 {
			a.Failf(f.Path, "%s: events are dropped once the buffer is full, for example while the webhook is unreachable; keep at least 1000 (the default is 10000)", f.Arg())
		}
	}
	if len(a.Failures) == 0 {
		if hp, onHost := c.HostPath(hook.Value); !onHost || inv.Get(inventory.KindKubeconfig, "", hp) == nil {
			if o.Origin.Source == inventory.SourceNode {
				a.NotAssessed("the webhook configuration " + hook.Value + " could not be read on the node")
			} else {
				a.NotAssessed("the webhook configuration " + hook.Value + " is on the control-plane node; run `kubeharden node` there to assess it")
			}
		}
	}
}

func assessWebhookKubeconfig(a *checks.Assessment, kc *inventory.Kubeconfig) {
	for i, cl := range kc.Clusters {
		p := inventory.Index("clusters", i) + ".cluster"
		if strings.HasPrefix(strings.ToLower(cl.Cluster.Server), "http://") {
			a.Failf(p+".server", "audit events are sent to %s without TLS", redact.URL(cl.Cluster.Server))
		}
		if cl.Cluster.InsecureSkipTLSVerify {
			a.Fail(p+".insecure-skip-tls-verify", "the webhook's certificate is not verified: anyone on the path can receive the audit events")
		}
	}
	for i, u := range kc.Users {
		if u.User.Username || u.User.Password {
			a.Failf(inventory.Index("users", i)+".user", "user %q authenticates to the webhook with a username and password; use a client certificate or token", u.Name)
		}
	}
}
