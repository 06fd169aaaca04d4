package network

/*
NS-09: Services that expose pods outside the cluster. NS-33: Ingresses that serve without TLS.

Fields read:
  NS-09  Service spec.type, spec.ports[*] (port, protocol, nodePort), spec.externalIPs,
         spec.loadBalancerSourceRanges, and the internal-load-balancer annotations of AWS, Azure
         and GCP
  NS-33  Ingress spec.tls[*].hosts, spec.rules[*].host

Passing values:
  NS-09  type ClusterIP, ExternalName or unset, and no externalIPs. externalIPs fail at high
         severity (whoever may create Services can claim any address with them, CVE-2020-8554);
         NodePort and LoadBalancer fail at medium and name the ports they open, or at low for a
         load balancer that is internal or limited by loadBalancerSourceRanges.
  NS-33  spec.tls is present and every rule host is listed in some spec.tls[].hosts: exactly,
         or through a wildcard "*.example.com" covering one label, or by a tls entry without
         hosts (which the controller applies to every host). Rules without a host are not
         judged once spec.tls is present; an Ingress with no spec.tls fails at spec.tls.
*/

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-09", Match: checks.Kinds("Service"), Assess: assessServiceExposure},
		checks.Check{ID: "NS-33", Match: checks.Kinds("Ingress"), Assess: assessIngressTLS},
	)
}

// internalLBAnnotations mark a LoadBalancer Service as internal to the cloud network, with the
// value that says so.
var internalLBAnnotations = []struct {
	key    string
	values []string
}{
	{"service.beta.kubernetes.io/aws-load-balancer-internal", []string{"true", "0.0.0.0/0"}},
	{"service.beta.kubernetes.io/aws-load-balancer-scheme", []string{"internal"}},
	{"service.beta.kubernetes.io/azure-load-balancer-internal", []string{"true"}},
	{"networking.gke.io/load-balancer-type", []string{"Internal"}},
	{"cloud.google.com/load-balancer-type", []string{"Internal"}},
}

func assessServiceExposure(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	svc, ok := o.Typed.(*corev1.Service)
	if !ok {
		return
	}
	if len(svc.Spec.ExternalIPs) > 0 {
		a.FailSeverity(catalog.SeverityHigh, "spec.externalIPs", fmt.Sprintf(
			"externalIPs %s: every node forwards traffic for these addresses to this Service; unless the API server runs the DenyServiceExternalIPs admission plugin, anyone who may create Services can intercept any address this way (CVE-2020-8554)",
			strings.Join(svc.Spec.ExternalIPs, ", ")))
	}
	ports := describeServicePorts(svc)
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		a.Failf("spec.type", "type NodePort opens %s on every node's addresses, bypassing any load balancer or Ingress in front of the cluster", ports)
	case corev1.ServiceTypeLoadBalancer:
		if internal := internalLoadBalancer(svc); internal != "" {
			a.FailSeverity(catalog.SeverityLow, "spec.type", fmt.Sprintf("type LoadBalancer exposes %s through an internal load balancer (%s) and on every node's addresses", ports, internal))
			return
		}
		if ranges := svc.Spec.LoadBalancerSourceRanges; len(ranges) > 0 && !containsWholeFamily(ranges) {
			a.FailSeverity(catalog.SeverityLow, "spec.type", fmt.Sprintf("type LoadBalancer exposes %s outside the cluster, to %s only, and on every node's addresses", ports, strings.Join(ranges, ", ")))
			return
		}
		a.Failf("spec.type", "type LoadBalancer exposes %s to every address that can reach the load balancer, and on every node's addresses; put it behind an Ingress with TLS or limit loadBalancerSourceRanges", ports)
	}
}

func internalLoadBalancer(svc *corev1.Service) string {
	for _, ann := range internalLBAnnotations {
		v, ok := svc.Annotations[ann.key]
		if !ok {
			continue
		}
		for _, want := range ann.values {
			if strings.EqualFold(v, want) {
				return ann.key + ": " + v
			}
		}
	}
	return ""
}

func containsWholeFamily(ranges []string) bool {
	for _, r := range ranges {
		r = strings.TrimSpace(r)
		if strings.HasSuffix(r, "/0") {
			return true
		}
	}
	return false
}

// describeServicePorts renders "port 80/TCP (node port 30080)" or "ports 80/TCP, 443/TCP".
func describeServicePorts(svc *corev1.Service) string {
	if len(svc.Spec.Ports) == 0 {
		return "no declared port"
	}
	parts := make([]string, len(svc.Spec.Ports))
	for i, p := range svc.Spec.Ports {
		proto := string(p.Protocol)
		if proto == "" {
			proto = "TCP"
		}
		parts[i] = strconv.Itoa(int(p.Port)) + "/" + proto
		if p.NodePort != 0 {
			parts[i] += " (node port " + strconv.Itoa(int(p.NodePort)) + ")"
		}
	}
	if len(parts) == 1 {
		return "port " + parts[0]
	}
	return "ports " + strings.Join(parts, ", ")
}

func assessIngressTLS(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	ing, ok := o.Typed.(*networkingv1.Ingress)
	if !ok {
		return
	}
	if len(ing.Spec.TLS) == 0 {
		var hosts []string
		for _, r := range ing.Spec.Rules {
			if r.Host != "" {
				hosts = append(hosts, r.Host)
			}
		}
		what := "every host"
		if len(hosts) > 0 {
			what = strings.Join(hosts, ", ")
		}
		a.Failf("spec.tls", "no spec.tls: %s is served over plain HTTP, so credentials and session cookies cross the network unencrypted", what)
		return
	}
	for i, r := range ing.Spec.Rules {
		if r.Host == "" || tlsCovers(ing.Spec.TLS, r.Host) {
			continue
		}
		a.Failf(inventory.Field(inventory.Index("spec.rules", i), "host"), "host %q is in no spec.tls[].hosts, so it is served without TLS", r.Host)
	}
}

// tlsCovers reports whether some TLS entry covers host.
func tlsCovers(tls []networkingv1.IngressTLS, host string) bool {
	host = strings.ToLower(host)
	for _, t := range tls {
		if len(t.Hosts) == 0 {
			return true
		}
		for _, h := range t.Hosts {
			h = strings.ToLower(h)
			if h == host {
				return true
			}
			if suffix, ok := strings.CutPrefix(h, "*."); ok {
				if i := strings.IndexByte(host, '.'); i > 0 && host[i+1:] == suffix && !strings.HasPrefix(host, "*.") {
					return true
				}
			}
		}
	}
	return false
}
