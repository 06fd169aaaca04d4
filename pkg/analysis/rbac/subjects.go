package rbac

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Subject kinds, as written in a binding's subjects.
const (
	KindUser           = rbacv1.UserKind
	KindGroup          = rbacv1.GroupKind
	KindServiceAccount = rbacv1.ServiceAccountKind
)

// Well-known groups and users the API server assigns by itself.
const (
	GroupMasters              = "system:masters"
	GroupAuthenticated        = "system:authenticated"
	GroupUnauthenticated      = "system:unauthenticated"
	GroupServiceAccounts      = "system:serviceaccounts"
	UserAnonymous             = "system:anonymous"
	serviceAccountUserPrefix  = "system:serviceaccount:"
	serviceAccountGroupPrefix = "system:serviceaccounts:"
)

// Subject is a user, a group or a service account. Namespace is set for service accounts only.
type Subject struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// String renders "ServiceAccount shop/api", "User jane" or "Group devs".
func (s Subject) String() string {
	if s.Kind == KindServiceAccount {
		return s.Kind + " " + s.Namespace + "/" + s.Name
	}
	return s.Kind + " " + s.Name
}

// ParseSubject reads KIND/NAME or ServiceAccount/NAMESPACE/NAME: "User/jane", "Group/devs",
// "ServiceAccount/shop/api" (or "sa/shop/api"). Kinds are case-insensitive. A user or group name
// may itself contain "/"; everything after the kind is the name.
func ParseSubject(s string) (Subject, error) {
	kind, rest, ok := strings.Cut(s, "/")
	if !ok || rest == "" {
		return Subject{}, fmt.Errorf("subject %q: want KIND/NAME or ServiceAccount/NAMESPACE/NAME", s)
	}
	switch strings.ToLower(kind) {
	case "user":
		return Subject{Kind: KindUser, Name: rest}, nil
	case "group":
		return Subject{Kind: KindGroup, Name: rest}, nil
	case "serviceaccount", "sa":
		ns, name, ok := strings.Cut(rest, "/")
		if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
			return Subject{}, fmt.Errorf("subject %q: a service account is ServiceAccount/NAMESPACE/NAME", s)
		}
		return Subject{Kind: KindServiceAccount, Namespace: ns, Name: name}, nil
	}
	return Subject{}, fmt.Errorf("subject %q: unknown kind %q (want User, Group or ServiceAccount)", s, kind)
}

// AsServiceAccount returns the service account s stands for: s itself, or the account behind a
// user name of the form system:serviceaccount:NS:NAME.
func AsServiceAccount(s Subject) (Subject, bool) {
	switch s.Kind {
	case KindServiceAccount:
		return s, true
	case KindUser:
		rest, ok := strings.CutPrefix(s.Name, serviceAccountUserPrefix)
		if !ok {
			return Subject{}, false
		}
		ns, name, ok := strings.Cut(rest, ":")
		if !ok || ns == "" || name == "" {
			return Subject{}, false
		}
		return Subject{Kind: KindServiceAccount, Namespace: ns, Name: name}, true
	}
	return Subject{}, false
}

// Identities lists every subject a binding may name to grant something to s: s itself, and the
// groups (and user name) the API server gives it without anyone asking. A user's other group
// memberships come from its credentials and cannot be known here; ask about those groups
// separately.
func Identities(s Subject) []Subject {
	if sa, ok := AsServiceAccount(s); ok {
		s = sa
	}
	switch s.Kind {
	case KindServiceAccount:
		return []Subject{
			s,
			{Kind: KindUser, Name: serviceAccountUserPrefix + s.Namespace + ":" + s.Name},
			{Kind: KindGroup, Name: GroupServiceAccounts},
			{Kind: KindGroup, Name: serviceAccountGroupPrefix + s.Namespace},
			{Kind: KindGroup, Name: GroupAuthenticated},
		}
	case KindUser:
		if s.Name == UserAnonymous {
			return []Subject{s, {Kind: KindGroup, Name: GroupUnauthenticated}}
		}
		return []Subject{s, {Kind: KindGroup, Name: GroupAuthenticated}}
	}
	return []Subject{s}
}

// Who counts as a system identity and who counts as "everyone" is decided here, once, for every
// check.
//
// System identities are the cluster's own components:
//   - users whose name starts with "system:" (the API server reserves the prefix: the
//     controller-manager, scheduler and kube-proxy identities, nodes as system:node:NAME), except
//     system:anonymous and service-account user names, which are the service account;
//   - groups whose name starts with "system:" (system:masters, system:nodes, system:bootstrappers,
//     system:monitoring), except the catch-all groups below;
//   - the kube-controller-manager's and kube-scheduler's own service accounts in kube-system,
//     listed by name below. Other service accounts in kube-system are ordinary subjects: add-ons
//     installed there are reviewed like any other workload.
//
// Being a system identity says who a subject is, not that what it holds is fine: what Kubernetes'
// own default bindings give them is the system's design (Binding.KubernetesDefault), but a binding
// someone else wrote that gives system:nodes or system:bootstrappers cluster-admin hands it to
// every node or every bootstrap token, and is judged like any other grant.
//
// A subject that is an administrator by the organisation's decision (a break-glass group, a GitOps
// controller) is accepted through the normal exception mechanism on the binding that grants the
// access (.kubeharden.yaml exceptions or the kubeharden.io/exempt annotation), so the decision is
// written down with a reason and an expiry rather than built in.

// IsSystemSubject reports whether s is one of the cluster's own identities (see above); a person
// or team never is.
func IsSystemSubject(s Subject) bool {
	switch s.Kind {
	case KindUser:
		if sa, ok := AsServiceAccount(s); ok {
			return IsSystemSubject(sa)
		}
		return strings.HasPrefix(s.Name, "system:") && s.Name != UserAnonymous
	case KindGroup:
		return strings.HasPrefix(s.Name, "system:") && !IsBroadGroup(s.Name)
	case KindServiceAccount:
		return s.Namespace == "kube-system" && controlPlaneAccounts[s.Name]
	}
	return false
}

// IsBroadGroup reports whether group is one of the groups the API server puts callers in without
// any administrator's choice: every authenticated user, every unauthenticated request, every
// service account, or every service account of one namespace. Whatever is bound to them is held
// by far more identities than a reader of the binding may think.
func IsBroadGroup(group string) bool {
	switch group {
	case GroupAuthenticated, GroupUnauthenticated, GroupServiceAccounts:
		return true
	}
	return strings.HasPrefix(group, serviceAccountGroupPrefix)
}

// IsHuman reports whether s looks like a person or a team: a user or group that is neither a
// system subject, a catch-all group nor a service account's user name.
func IsHuman(s Subject) bool {
	switch s.Kind {
	case KindUser:
		_, sa := AsServiceAccount(s)
		return !sa && !IsSystemSubject(s) && s.Name != UserAnonymous
	case KindGroup:
		return !IsSystemSubject(s) && !IsBroadGroup(s.Name)
	}
	return false
}

// IsServiceAccount reports whether s is a service account, named as such or by its user name.
func IsServiceAccount(s Subject) bool {
	_, ok := AsServiceAccount(s)
	return ok
}

// controlPlaneAccounts are the kube-system service accounts that kube-controller-manager (one per
// controller, with --use-service-account-credentials) and kube-scheduler run as, as created by
// Kubernetes' bootstrap RBAC policy.
var controlPlaneAccounts = map[string]bool{}

func init() {
	for _, name := range []string{
		"attachdetach-controller", "bootstrap-signer", "certificate-controller", "cloud-provider",
		"clusterrole-aggregation-controller", "cronjob-controller", "daemon-set-controller",
		"deployment-controller", "device-taint-eviction-controller", "disruption-controller",
		"endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
		"ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
		"horizontal-pod-autoscaler", "job-controller", "kube-apiserver-serving-clustertrustbundle-publisher",
		"kube-controller-manager", "kube-scheduler", "leader-election-controller",
		"legacy-service-account-token-cleaner", "namespace-controller", "node-controller",
		"persistent-volume-binder", "pod-garbage-collector", "podcertificaterequestcleaner",
		"podgroup-protection-controller", "pv-protection-controller", "pvc-protection-controller",
		"replicaset-controller", "replication-controller", "resource-claim-controller",
		"resourcepoolstatusrequest-controller", "resourcequota-controller", "root-ca-cert-publisher",
		"route-controller", "selinux-warning-controller", "service-account-controller",
		"service-cidrs-controller", "service-controller", "statefulset-controller",
		"storage-version-garbage-collector", "storage-version-migrator-controller", "token-cleaner",
		"ttl-after-finished-controller", "ttl-controller", "validatingadmissionpolicy-status-controller",
		"volumeattributesclass-protection-controller",
	} {
		controlPlaneAccounts[name] = true
	}
}

// bootstrappingLabel marks the roles and bindings the API server creates and reconciles itself.
const bootstrappingLabel = "kubernetes.io/bootstrapping"

// IsKubernetesDefault reports whether an RBAC object is one of Kubernetes' own defaults, as a live
// cluster shows them: labelled kubernetes.io/bootstrapping=rbac-defaults and named like one (a
// "system:" name, or cluster-admin, admin, edit, view and the delegated-authentication reader).
// Both are required, so that copying the label onto an ordinary role does not hide it.
func IsKubernetesDefault(meta *metav1.ObjectMeta) bool {
	if meta == nil || meta.Labels[bootstrappingLabel] != "rbac-defaults" {
		return false
	}
	switch meta.Name {
	case "cluster-admin", "admin", "edit", "view", "extension-apiserver-authentication-reader":
		return true
	}
	return strings.HasPrefix(meta.Name, "system:")
}
