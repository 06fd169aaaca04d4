package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BuiltInNote is how reports mark a grant whose role was not in the input but is one of
// Kubernetes' defaults, so its rules come from the table below.
const BuiltInNote = "built-in role, rules assumed from Kubernetes defaults"

// The roles below are the Kubernetes defaults that manifests most often bind to. Their rules
// summarise those of a current release: complete for the small roles, and for admin, edit and view
// every resource of the built-in API groups they cover (features behind feature gates and the
// retired extensions group are left out). admin, edit and view are aggregated roles here as in a
// cluster, so a ClusterRole of the input labelled rbac.authorization.k8s.io/aggregate-to-edit
// flows into edit and admin just as it would there. A role of the same name in the input (as a
// live cluster has) replaces the built-in one.

const (
	aggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin"
	aggregateToEdit  = "rbac.authorization.k8s.io/aggregate-to-edit"
	aggregateToView  = "rbac.authorization.k8s.io/aggregate-to-view"
)

var (
	read      = []string{"get", "list", "watch"}
	write     = []string{"create", "update", "patch", "delete", "deletecollection"}
	readWrite = append(append([]string{}, read...), write...)
)

func rule(verbs []string, groups []string, resources ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
}

func urls(verbs []string, paths ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: verbs, NonResourceURLs: paths}
}

func verbs(v ...string) []string  { return v }
func groups(g ...string) []string { return g }

var core = groups("")

// publicInfoRules are what every caller, authenticated or not, may read by default.
var publicInfoRules = []rbacv1.PolicyRule{
	urls(verbs("get"), "/livez", "/readyz", "/healthz", "/version", "/version/"),
}

// discoveryRules are what every authenticated caller holds by default: API discovery, the health
// and version endpoints, the questions a user may ask about itself, and the service account
// issuer's public keys.
var discoveryRules = []rbacv1.PolicyRule{
	urls(verbs("get"), "/livez", "/readyz", "/healthz", "/version", "/version/",
		"/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"),
	rule(verbs("create"), groups("authorization.k8s.io"), "selfsubjectaccessreviews", "selfsubjectrulesreviews"),
	rule(verbs("create"), groups("authentication.k8s.io"), "selfsubjectreviews"),
	urls(verbs("get"), "/.well-known/openid-configuration", "/.well-known/openid-configuration/",
		"/openid/v1/jwks", "/openid/v1/jwks/"),
}

// PublicInfoRules returns the rules Kubernetes grants to unauthenticated callers by default
// (health and version endpoints). Granting no more than these is not anonymous access to data.
func PublicInfoRules() []rbacv1.PolicyRule { return publicInfoRules }

// DiscoveryRules returns the rules Kubernetes grants to every authenticated caller by default.
func DiscoveryRules() []rbacv1.PolicyRule { return discoveryRules }

func builtInClusterRoles() []rbacv1.ClusterRole {
	cr := func(name string, labels map[string]string, agg string, rules ...rbacv1.PolicyRule) rbacv1.ClusterRole {
		r := rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Rules: rules}
		if agg != "" {
			r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchLabels: map[string]string{agg: "true"}},
			}}
		}
		return r
	}
	label := func(key string) map[string]string { return map[string]string{key: "true"} }
	return []rbacv1.ClusterRole{
		cr("cluster-admin", nil, "",
			rule(verbs("*"), groups("*"), "*"),
			urls(verbs("*"), "*")),
		cr("admin", nil, aggregateToAdmin),
		cr("edit", label(aggregateToAdmin), aggregateToEdit),
		cr("view", label(aggregateToEdit), aggregateToView),
		cr("system:aggregate-to-admin", label(aggregateToAdmin), "",
			rule(verbs("create"), groups("authorization.k8s.io"), "localsubjectaccessreviews"),
			rule(readWrite, groups("rbac.authorization.k8s.io"), "roles", "rolebindings")),
		cr("system:aggregate-to-edit", label(aggregateToEdit), "",
			// Reading the escalating subresources, Secrets and proxies.
			rule(read, core, "pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"),
			rule(verbs("impersonate"), core, "serviceaccounts"),
			rule(write, core, "pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"),
			rule(verbs("create"), core, "pods/eviction"),
			rule(write, core, "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
				"services", "services/proxy", "persistentvolumeclaims", "configmaps", "secrets"),
			rule(verbs("create"), core, "serviceaccounts/token"),
			rule(write, groups("", "events.k8s.io"), "events"),
			rule(write, groups("apps"), "statefulsets", "statefulsets/scale", "daemonsets", "deployments",
				"deployments/scale", "deployments/rollback", "replicasets", "replicasets/scale"),
			rule(write, groups("autoscaling"), "horizontalpodautoscalers"),
			rule(write, groups("batch"), "jobs", "cronjobs"),
			rule(write, groups("policy"), "poddisruptionbudgets"),
			rule(write, groups("networking.k8s.io"), "networkpolicies", "ingresses"),
			rule(readWrite, groups("coordination.k8s.io"), "leases")),
		cr("system:aggregate-to-view", label(aggregateToView), "",
			rule(read, core, "pods", "pods/log", "pods/status", "replicationcontrollers",
				"replicationcontrollers/scale", "replicationcontrollers/status", "serviceaccounts", "services",
				"services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status",
				"configmaps", "limitranges", "resourcequotas", "resourcequotas/status", "bindings",
				"namespaces", "namespaces/status"),
			rule(read, groups("", "events.k8s.io"), "events"),
			rule(read, groups("discovery.k8s.io"), "endpointslices"),
			rule(read, groups("apps"), "controllerrevisions", "statefulsets", "statefulsets/status",
				"statefulsets/scale", "daemonsets", "daemonsets/status", "deployments", "deployments/status",
				"deployments/scale", "replicasets", "replicasets/status", "replicasets/scale"),
			rule(read, groups("autoscaling"), "horizontalpodautoscalers", "horizontalpodautoscalers/status"),
			rule(read, groups("batch"), "jobs", "jobs/status", "cronjobs", "cronjobs/status"),
			rule(read, groups("policy"), "poddisruptionbudgets", "poddisruptionbudgets/status"),
			rule(read, groups("networking.k8s.io"), "networkpolicies", "ingresses", "ingresses/status")),
		cr("system:discovery", nil, "", discoveryRules[0]),
		cr("system:basic-user", nil, "", discoveryRules[1], discoveryRules[2]),
		cr("system:public-info-viewer", nil, "", publicInfoRules...),
		cr("system:service-account-issuer-discovery", nil, "", discoveryRules[3]),
		cr("system:monitoring", nil, "",
			urls(verbs("get"), "/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz",
				"/livez/*", "/readyz/*", "/healthz/*"),
			rule(verbs("get"), core, "nodes/metrics")),
		cr("system:auth-delegator", nil, "",
			rule(verbs("create"), groups("authentication.k8s.io"), "tokenreviews"),
			rule(verbs("create"), groups("authorization.k8s.io"), "subjectaccessreviews")),
		cr("system:heapster", nil, "",
			rule(read, core, "events", "pods", "nodes", "namespaces")),
		cr("system:kube-dns", nil, "",
			rule(verbs("list", "watch"), core, "endpoints", "services")),
		cr("system:node-proxier", nil, "",
			rule(verbs("list", "watch"), core, "services", "endpoints"),
			rule(read, core, "nodes"),
			rule(verbs("create", "update", "patch"), groups("", "events.k8s.io"), "events"),
			rule(verbs("list", "watch"), groups("discovery.k8s.io"), "endpointslices")),
		cr("system:node-bootstrapper", nil, "",
			rule(verbs("create", "get", "list", "watch"), groups("certificates.k8s.io"), "certificatesigningrequests")),
		cr("system:persistent-volume-provisioner", nil, "",
			rule(verbs("get", "list", "watch", "create", "delete"), core, "persistentvolumes"),
			rule(verbs("get", "list", "watch", "update"), core, "persistentvolumeclaims"),
			rule(read, groups("storage.k8s.io"), "storageclasses"),
			rule(verbs("watch"), core, "events"),
			rule(verbs("create", "update", "patch"), groups("", "events.k8s.io"), "events")),
		cr("system:kubelet-api-admin", nil, "",
			rule(read, core, "nodes"),
			rule(verbs("proxy"), core, "nodes"),
			rule(verbs("*"), core, "nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log")),
	}
}

// builtInRoles are the namespaced default Roles manifests bind to.
func builtInRoles() []rbacv1.Role {
	return []rbacv1.Role{{
		// Lets extension API servers read the front proxy's client CA from one ConfigMap.
		ObjectMeta: metav1.ObjectMeta{Name: "extension-apiserver-authentication-reader", Namespace: "kube-system"},
		Rules: []rbacv1.PolicyRule{{
			Verbs: read, APIGroups: core, Resources: []string{"configmaps"},
			ResourceNames: []string{"extension-apiserver-authentication"},
		}},
	}}
}
