package cluster

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// Kind is one resource the scan lists: the kinds the checks read (inventory.NewTyped decodes
// the same set from files), each at the API version the checks' Go types have.
type Kind struct {
	Kind       string
	APIVersion string
	// Resource is the plural resource name, as RBAC rules and error messages spell it.
	Resource   string
	Namespaced bool
	// FieldSelector narrows the list on the server (Secrets: only service-account tokens).
	FieldSelector string
	decode        decodeList
}

// legacyTokenSelector lists only the Secrets a check reads. The only control that reads live
// Secrets is PS-30 (legacy service-account token Secrets). Listing every Secret would bring every
// value the cluster holds into this process and over the wire (Helm keeps whole releases in
// Secrets, often megabytes each) only to drop it; the server filters on type instead.
// Every Secret that is listed is still redacted as it is read.
const legacyTokenSelector = "type=" + string(corev1.SecretTypeServiceAccountToken)

// Kinds returns the kinds a scan lists, in the order their results are added to the inventory
// (which is the order findings are reported in): namespaces and cluster-wide objects first,
// then workloads, then the objects around them.
func Kinds() []Kind {
	ns := func(kind, apiVersion, resource string, d decodeList) Kind {
		return Kind{Kind: kind, APIVersion: apiVersion, Resource: resource, Namespaced: true, decode: d}
	}
	cl := func(kind, apiVersion, resource string, d decodeList) Kind {
		return Kind{Kind: kind, APIVersion: apiVersion, Resource: resource, decode: d}
	}
	secrets := ns("Secret", "v1", "secrets", listOf(func(l *corev1.SecretList) []corev1.Secret { return l.Items }))
	secrets.FieldSelector = legacyTokenSelector
	return []Kind{
		cl("Namespace", "v1", "namespaces", listOf(func(l *corev1.NamespaceList) []corev1.Namespace { return l.Items })),
		cl("Node", "v1", "nodes", listOf(func(l *corev1.NodeList) []corev1.Node { return l.Items })),
		cl("ClusterRole", "rbac.authorization.k8s.io/v1", "clusterroles", listOf(func(l *rbacv1.ClusterRoleList) []rbacv1.ClusterRole { return l.Items })),
		cl("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "clusterrolebindings", listOf(func(l *rbacv1.ClusterRoleBindingList) []rbacv1.ClusterRoleBinding { return l.Items })),
		cl("ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", listOf(func(l *admissionregistrationv1.ValidatingWebhookConfigurationList) []admissionregistrationv1.ValidatingWebhookConfiguration {
			return l.Items
		})),
		cl("MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations", listOf(func(l *admissionregistrationv1.MutatingWebhookConfigurationList) []admissionregistrationv1.MutatingWebhookConfiguration {
			return l.Items
		})),
		cl("ValidatingAdmissionPolicy", "admissionregistration.k8s.io/v1", "validatingadmissionpolicies", listOf(func(l *admissionregistrationv1.ValidatingAdmissionPolicyList) []admissionregistrationv1.ValidatingAdmissionPolicy {
			return l.Items
		})),
		cl("ValidatingAdmissionPolicyBinding", "admissionregistration.k8s.io/v1", "validatingadmissionpolicybindings", listOf(func(l *admissionregistrationv1.ValidatingAdmissionPolicyBindingList) []admissionregistrationv1.ValidatingAdmissionPolicyBinding {
			return l.Items
		})),
		cl("RuntimeClass", "node.k8s.io/v1", "runtimeclasses", listOf(func(l *nodev1.RuntimeClassList) []nodev1.RuntimeClass { return l.Items })),
		ns("Deployment", "apps/v1", "deployments", listOf(func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items })),
		ns("StatefulSet", "apps/v1", "statefulsets", listOf(func(l *appsv1.StatefulSetList) []appsv1.StatefulSet { return l.Items })),
		ns("DaemonSet", "apps/v1", "daemonsets", listOf(func(l *appsv1.DaemonSetList) []appsv1.DaemonSet { return l.Items })),
		ns("ReplicaSet", "apps/v1", "replicasets", listOf(func(l *appsv1.ReplicaSetList) []appsv1.ReplicaSet { return l.Items })),
		ns("CronJob", "batch/v1", "cronjobs", listOf(func(l *batchv1.CronJobList) []batchv1.CronJob { return l.Items })),
		ns("Job", "batch/v1", "jobs", listOf(func(l *batchv1.JobList) []batchv1.Job { return l.Items })),
		ns("ReplicationController", "v1", "replicationcontrollers", listOf(func(l *corev1.ReplicationControllerList) []corev1.ReplicationController { return l.Items })),
		ns("Pod", "v1", "pods", listOf(func(l *corev1.PodList) []corev1.Pod { return l.Items })),
		ns("Service", "v1", "services", listOf(func(l *corev1.ServiceList) []corev1.Service { return l.Items })),
		ns("Ingress", "networking.k8s.io/v1", "ingresses", listOf(func(l *networkingv1.IngressList) []networkingv1.Ingress { return l.Items })),
		ns("NetworkPolicy", "networking.k8s.io/v1", "networkpolicies", listOf(func(l *networkingv1.NetworkPolicyList) []networkingv1.NetworkPolicy { return l.Items })),
		ns("ServiceAccount", "v1", "serviceaccounts", listOf(func(l *corev1.ServiceAccountList) []corev1.ServiceAccount { return l.Items })),
		ns("Role", "rbac.authorization.k8s.io/v1", "roles", listOf(func(l *rbacv1.RoleList) []rbacv1.Role { return l.Items })),
		ns("RoleBinding", "rbac.authorization.k8s.io/v1", "rolebindings", listOf(func(l *rbacv1.RoleBindingList) []rbacv1.RoleBinding { return l.Items })),
		ns("ConfigMap", "v1", "configmaps", listOf(func(l *corev1.ConfigMapList) []corev1.ConfigMap { return l.Items })),
		secrets,
		ns("LimitRange", "v1", "limitranges", listOf(func(l *corev1.LimitRangeList) []corev1.LimitRange { return l.Items })),
		ns("ResourceQuota", "v1", "resourcequotas", listOf(func(l *corev1.ResourceQuotaList) []corev1.ResourceQuota { return l.Items })),
	}
}
