package logging

/*
AL-08: the node must forward its logs.

Read: the node's process table (the Host object): a running log forwarder (fluent-bit, fluentd,
      td-agent, vector, the OpenTelemetry collector, filebeat, promtail, Grafana Alloy or Agent,
      and similar, including ones running in pods).
Fails: the process table was read and no forwarder runs: container and kubelet logs die with the
       node. Not assessed when no process table was read (a copy of a node read with --root).
       A cluster-wide view (a forwarder DaemonSet that tolerates every node) is for
       `kubeharden cluster`.

AL-09: syscall-audit seccomp profiles for baselining (informational).

Read: the *.json profiles under the kubelet's seccomp folder (<root-dir>/seccomp).
Passes: a profile logs syscalls (defaultAction or a rule's action SCMP_ACT_LOG).
Fails:  none does, so no syscall baseline can be recorded in audit mode.

AL-10: the kubelet must not drop events.

Read: eventRecordQPS, flag --event-qps (default 50; 0 means no limit).
Fails: a limit between 1 and 4 events per second: bursts of events (evictions, failures) are
       dropped before they reach the API server. CIS 4.2.8 leaves the level to the operator.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/controlplane"
	"github.com/kubeharden/kubeharden/pkg/checks/node"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// minEventQPS is the lowest event rate limit that passes AL-10.
const minEventQPS = 5

func init() {
	checks.Register(
		checks.Check{ID: "AL-08", Match: controlplane.IsKind(inventory.KindHost), Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			h := o.Typed.(*inventory.Host)
			switch {
			case !h.ProcRead:
				a.NotAssessed("no process table was read, so running log forwarders cannot be seen")
			case len(h.LogAgents) == 0:
				a.Fail("processes", "no log forwarder runs on the node: container, kubelet and system logs are lost with the node")
			}
		}},
		checks.Check{ID: "AL-09", Match: controlplane.IsKind(inventory.KindHost), Assess: func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
			h := o.Typed.(*inventory.Host)
			for _, p := range h.SeccompProfiles {
				if p.Logs {
					return
				}
			}
			var where string
			if h.SeccompDirExists {
				where = "no profile under " + h.SeccompDir + " logs syscalls (SCMP_ACT_LOG)"
			} else {
				where = h.SeccompDir + " does not exist"
			}
			a.Fail("seccompProfiles", where+": there is no seccomp profile in audit mode to record a syscall baseline with")
		}},
		node.KubeletCheck("AL-10", func(j *node.Judge) {
			s := j.Get("eventRecordQPS", "event-qps")
			n, ok := s.Int(50)
			switch {
			case !ok:
				j.Fail(s, "%s is not a number", s.Describe())
			case n > 0 && n < minEventQPS:
				j.Fail(s, "%s: events beyond %d per second are dropped", s.Describe(), n)
			case n < 0:
				j.Fail(s, "%s is negative", s.Describe())
			}
		}),
	)
}
