package live

/*
AL-11: a log forwarder runs on every node.

Read: the DaemonSets of every namespace: name, container images and tolerations.
Passes: a DaemonSet of a known log forwarder (fluent-bit, fluentd, Vector, the OpenTelemetry
        collector, Filebeat or Elastic Agent, Promtail, Grafana Alloy or Agent, the Datadog,
        Splunk, Sumo Logic, New Relic, Azure Monitor and CloudWatch agents, GKE's fluentbit) that
        tolerates every taint, so it also runs on control-plane and dedicated nodes.
Fails:  none is found (medium); or the forwarders found do not tolerate every taint (low: nodes
        with taints keep their logs to themselves).
Not assessed: the scan was limited to one namespace. `kubeharden node` (AL-08) looks at one
node's processes instead.
*/

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "AL-11", Match: isClusterInfo, Assess: assessLogForwarder, Needs: []string{"DaemonSet"}})
}

var logForwarders = []string{"fluent-bit", "fluentbit", "fluentd", "td-agent", "timberio/vector", "vector:", "/vector",
	"otel-collector", "opentelemetry-collector", "otelcol", "filebeat", "elastic-agent", "promtail", "grafana/alloy",
	"grafana-agent", "grafana/agent", "datadog-agent", "datadog/agent", "splunk-otel-collector", "splunk/fluentd",
	"sumologic", "newrelic-logging", "newrelic/newrelic-fluentbit", "ama-logs", "omsagent", "cloudwatch-agent",
	"aws-for-fluent-bit", "logdna-agent", "logging-agent"}

func isForwarder(ds *appsv1.DaemonSet) bool {
	for _, n := range append([]string{ds.Name + ":"}, images(&ds.Spec.Template.Spec)...) {
		n = strings.ToLower(n)
		for _, f := range logForwarders {
			if strings.Contains(n, f) {
				return true
			}
		}
	}
	return false
}

// toleratesAll reports whether the pod tolerates every taint (an Exists toleration without key).
func toleratesAll(s *corev1.PodSpec) bool {
	for _, t := range s.Tolerations {
		if t.Key == "" && t.Operator == corev1.TolerationOpExists && t.Effect == "" {
			return true
		}
	}
	return false
}

func assessLogForwarder(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	if ns := clusterInfo(o).Namespace; ns != "" {
		a.NotAssessed("the scan was limited to namespace " + ns + "; log forwarders run elsewhere")
		return
	}
	var partial []string
	for _, d := range inv.OfKind("DaemonSet") {
		ds := d.Typed.(*appsv1.DaemonSet)
		if !isForwarder(ds) {
			continue
		}
		if toleratesAll(&ds.Spec.Template.Spec) {
			return
		}
		partial = append(partial, ds.Namespace+"/"+ds.Name)
	}
	if len(partial) > 0 {
		a.FailSeverity(catalog.SeverityLow, "", "log forwarder DaemonSet "+strings.Join(partial, ", ")+" does not tolerate every taint, so tainted nodes (the control plane, dedicated pools) keep their logs to themselves")
		return
	}
	a.Fail("", "no log forwarder DaemonSet was found: container and kubelet logs stay on the nodes and are lost with them")
}
