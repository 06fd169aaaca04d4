package cluster

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
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
	list          func(cs kubernetes.Interface, ns string) pageFunc
}

type pageFunc func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error)

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
	ns := func(kind, apiVersion, resource string, f func(cs kubernetes.Interface, ns string) pageFunc) Kind {
		return Kind{Kind: kind, APIVersion: apiVersion, Resource: resource, Namespaced: true, list: f}
	}
	cl := func(kind, apiVersion, resource string, f func(cs kubernetes.Interface) pageFunc) Kind {
		return Kind{Kind: kind, APIVersion: apiVersion, Resource: resource,
			list: func(cs kubernetes.Interface, _ string) pageFunc { return f(cs) }}
	}
	secrets := ns("Secret", "v1", "secrets", func(cs kubernetes.Interface, n string) pageFunc {
		return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return cs.CoreV1().Secrets(n).List(ctx, o)
		}
	})
	secrets.FieldSelector = legacyTokenSelector
	return []Kind{
		cl("Namespace", "v1", "namespaces", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().Namespaces().List(ctx, o)
			}
		}),
		cl("Node", "v1", "nodes", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().Nodes().List(ctx, o)
			}
		}),
		cl("ClusterRole", "rbac.authorization.k8s.io/v1", "clusterroles", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.RbacV1().ClusterRoles().List(ctx, o)
			}
		}),
		cl("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "clusterrolebindings", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.RbacV1().ClusterRoleBindings().List(ctx, o)
			}
		}),
		cl("ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().List(ctx, o)
			}
		}),
		cl("MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.AdmissionregistrationV1().MutatingWebhookConfigurations().List(ctx, o)
			}
		}),
		cl("ValidatingAdmissionPolicy", "admissionregistration.k8s.io/v1", "validatingadmissionpolicies", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().List(ctx, o)
			}
		}),
		cl("ValidatingAdmissionPolicyBinding", "admissionregistration.k8s.io/v1", "validatingadmissionpolicybindings", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().List(ctx, o)
			}
		}),
		cl("RuntimeClass", "node.k8s.io/v1", "runtimeclasses", func(cs kubernetes.Interface) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.NodeV1().RuntimeClasses().List(ctx, o)
			}
		}),
		ns("Deployment", "apps/v1", "deployments", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.AppsV1().Deployments(n).List(ctx, o)
			}
		}),
		ns("StatefulSet", "apps/v1", "statefulsets", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.AppsV1().StatefulSets(n).List(ctx, o)
			}
		}),
		ns("DaemonSet", "apps/v1", "daemonsets", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.AppsV1().DaemonSets(n).List(ctx, o)
			}
		}),
		ns("ReplicaSet", "apps/v1", "replicasets", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.AppsV1().ReplicaSets(n).List(ctx, o)
			}
		}),
		ns("CronJob", "batch/v1", "cronjobs", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.BatchV1().CronJobs(n).List(ctx, o)
			}
		}),
		ns("Job", "batch/v1", "jobs", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.BatchV1().Jobs(n).List(ctx, o)
			}
		}),
		ns("ReplicationController", "v1", "replicationcontrollers", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().ReplicationControllers(n).List(ctx, o)
			}
		}),
		ns("Pod", "v1", "pods", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().Pods(n).List(ctx, o)
			}
		}),
		ns("Service", "v1", "services", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().Services(n).List(ctx, o)
			}
		}),
		ns("Ingress", "networking.k8s.io/v1", "ingresses", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.NetworkingV1().Ingresses(n).List(ctx, o)
			}
		}),
		ns("NetworkPolicy", "networking.k8s.io/v1", "networkpolicies", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.NetworkingV1().NetworkPolicies(n).List(ctx, o)
			}
		}),
		ns("ServiceAccount", "v1", "serviceaccounts", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().ServiceAccounts(n).List(ctx, o)
			}
		}),
		ns("Role", "rbac.authorization.k8s.io/v1", "roles", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.RbacV1().Roles(n).List(ctx, o)
			}
		}),
		ns("RoleBinding", "rbac.authorization.k8s.io/v1", "rolebindings", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.RbacV1().RoleBindings(n).List(ctx, o)
			}
		}),
		ns("ConfigMap", "v1", "configmaps", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().ConfigMaps(n).List(ctx, o)
			}
		}),
		secrets,
		ns("LimitRange", "v1", "limitranges", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().LimitRanges(n).List(ctx, o)
			}
		}),
		ns("ResourceQuota", "v1", "resourcequotas", func(cs kubernetes.Interface, n string) pageFunc {
			return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().ResourceQuotas(n).List(ctx, o)
			}
		}),
	}
}
