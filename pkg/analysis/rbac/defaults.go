package rbac

import "strings"

// Kubernetes' own bindings: the ones the API server's bootstrap RBAC policy creates and
// reconciles at every start (labelled kubernetes.io/bootstrapping=rbac-defaults on a live
// cluster). What they grant their subjects is the system working as designed: the garbage
// collector may delete anything, the controller manager reads Secrets. What anyone else writes is
// judged, even when it names the same system identities: a binding of cluster-admin to
// system:bootstrappers makes every bootstrap token an administrator.
//
// A binding is recognised by its kind, namespace, name and role together, and only the subjects
// the policy itself puts there count as its own. The label decides nothing: anyone may copy it
// onto a binding, and manifests copied from a cluster often drop it. Subjects added to a default
// binding are judged, since the API server's reconciliation keeps subjects it did not write (an
// added subject on cluster-admin is a common way to hand out administrator rights).

// defaultBinding identifies a binding of the bootstrap policy and the role it names (which is
// also the binding's name, except where noted in the table).
type defaultBinding struct {
	kind, namespace, name string
}

const (
	userKubeControllerManager = "system:kube-controller-manager"
	userKubeScheduler         = "system:kube-scheduler"
	// controllerPrefix names the controllers' ClusterRoles and their ClusterRoleBindings, each
	// binding system:controller:NAME to the service account kube-system/NAME.
	controllerPrefix = "system:controller:"
)

func user(name string) Subject  { return Subject{Kind: KindUser, Name: name} }
func group(name string) Subject { return Subject{Kind: KindGroup, Name: name} }
func kubeSystemSA(name string) Subject {
	return Subject{Kind: KindServiceAccount, Namespace: "kube-system", Name: name}
}

// defaultBindings are the bootstrap policy's bindings of a current release, with their role and
// subjects. The controllers' ClusterRoleBindings follow one pattern and are recognised by it (see
// defaultSubjects). system:node has had no subjects since Kubernetes 1.8 (the Node authorizer
// serves the kubelets); a cluster upgraded from an older release may still bind system:nodes
// there, and that grant is judged.
var defaultBindings = map[defaultBinding]struct {
	role     string
	subjects []Subject
}{
	{"ClusterRoleBinding", "", "cluster-admin"}:                           {"cluster-admin", []Subject{group(GroupMasters)}},
	{"ClusterRoleBinding", "", "system:monitoring"}:                       {"system:monitoring", []Subject{group("system:monitoring")}},
	{"ClusterRoleBinding", "", "system:discovery"}:                        {"system:discovery", []Subject{group(GroupAuthenticated)}},
	{"ClusterRoleBinding", "", "system:basic-user"}:                       {"system:basic-user", []Subject{group(GroupAuthenticated)}},
	{"ClusterRoleBinding", "", "system:public-info-viewer"}:               {"system:public-info-viewer", []Subject{group(GroupAuthenticated), group(GroupUnauthenticated)}},
	{"ClusterRoleBinding", "", "system:node-proxier"}:                     {"system:node-proxier", []Subject{user("system:kube-proxy")}},
	{"ClusterRoleBinding", "", "system:kube-controller-manager"}:          {"system:kube-controller-manager", []Subject{user(userKubeControllerManager)}},
	{"ClusterRoleBinding", "", "system:kube-dns"}:                         {"system:kube-dns", []Subject{kubeSystemSA("kube-dns")}},
	{"ClusterRoleBinding", "", "system:kube-scheduler"}:                   {"system:kube-scheduler", []Subject{user(userKubeScheduler)}},
	{"ClusterRoleBinding", "", "system:volume-scheduler"}:                 {"system:volume-scheduler", []Subject{user(userKubeScheduler)}},
	{"ClusterRoleBinding", "", "system:node"}:                             {"system:node", nil},
	{"ClusterRoleBinding", "", "system:service-account-issuer-discovery"}: {"system:service-account-issuer-discovery", []Subject{group(GroupServiceAccounts)}},
	{"ClusterRoleBinding", "", "system:cluster-trust-bundle-discovery"}:   {"system:cluster-trust-bundle-discovery", []Subject{group(GroupServiceAccounts)}},
	// The delegated-authentication reader's binding is the one whose role has another name.
	{"RoleBinding", "kube-system", "system::extension-apiserver-authentication-reader"}: {"extension-apiserver-authentication-reader",
		[]Subject{user(userKubeControllerManager), user(userKubeScheduler)}},
	{"RoleBinding", "kube-system", "system::leader-locking-kube-controller-manager"}: {"system::leader-locking-kube-controller-manager",
		[]Subject{user(userKubeControllerManager), kubeSystemSA("kube-controller-manager"), kubeSystemSA("leader-election-controller")}},
	{"RoleBinding", "kube-system", "system::leader-locking-kube-scheduler"}: {"system::leader-locking-kube-scheduler",
		[]Subject{user(userKubeScheduler), kubeSystemSA("kube-scheduler")}},
	{"RoleBinding", "kube-system", controllerPrefix + "bootstrap-signer"}: {controllerPrefix + "bootstrap-signer", []Subject{kubeSystemSA("bootstrap-signer")}},
	{"RoleBinding", "kube-public", controllerPrefix + "bootstrap-signer"}: {controllerPrefix + "bootstrap-signer", []Subject{kubeSystemSA("bootstrap-signer")}},
	{"RoleBinding", "kube-system", controllerPrefix + "cloud-provider"}:   {controllerPrefix + "cloud-provider", []Subject{kubeSystemSA("cloud-provider")}},
	{"RoleBinding", "kube-system", controllerPrefix + "token-cleaner"}:    {controllerPrefix + "token-cleaner", []Subject{kubeSystemSA("token-cleaner")}},
}

// defaultSubjects returns, for each subject of b, whether Kubernetes' bootstrap policy puts it
// there; nil when b is not one of the policy's bindings.
func defaultSubjects(b *Binding) []bool {
	kind, ns, name := b.Ref.Kind, b.Namespace, b.Ref.Name
	var own []Subject
	if d, ok := defaultBindings[defaultBinding{kind, ns, name}]; ok {
		if b.RoleRef.Name != d.role || b.RoleRef.Kind != roleKindFor(kind) {
			return nil
		}
		own = d.subjects
	} else if controller, ok := strings.CutPrefix(name, controllerPrefix); ok && kind == "ClusterRoleBinding" &&
		controlPlaneAccounts[controller] && b.RoleRef.Kind == "ClusterRole" && b.RoleRef.Name == name {
		own = []Subject{kubeSystemSA(controller)}
	}
	if len(own) == 0 {
		return nil
	}
	out := make([]bool, len(b.Subjects))
	for i, s := range b.Subjects {
		for _, o := range own {
			out[i] = out[i] || s == o
		}
	}
	return out
}

// roleKindFor is the kind of role the bootstrap policy's bindings of kind bindingKind name.
func roleKindFor(bindingKind string) string {
	if bindingKind == "RoleBinding" {
		return "Role"
	}
	return "ClusterRole"
}

// KubernetesDefault reports whether the binding's subject i is one that Kubernetes' bootstrap
// RBAC policy itself binds there: the binding has a default binding's kind, namespace, name and
// role, and the subject is among that binding's own. Such grants are the system's own design.
// Subjects added to a default binding, and every subject of any other binding, are not.
func (b *Binding) KubernetesDefault(i int) bool {
	return i < len(b.defaults) && b.defaults[i]
}
