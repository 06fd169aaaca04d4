// Package rbac computes effective RBAC permissions from an inventory: which subjects can do what,
// where, and through which binding, role and rule.
//
// It answers the two questions every RBAC review starts with, "who can do X?" (WhoCan) and "what
// can this subject do?" (SubjectPermissions), and gives the checks of pkg/checks/rbac the resolved
// bindings they judge. The rules are evaluated the way the API server's RBAC authorizer evaluates
// them, so an answer here is the answer the cluster would give for the same objects:
//
//   - a ClusterRoleBinding grants its ClusterRole's rules everywhere: in every namespace, on
//     cluster-scoped resources and on non-resource URLs;
//   - a RoleBinding grants its Role's, or its ClusterRole's, rules inside the binding's namespace
//     only, so it does not reach cluster-scoped resources or non-resource URLs, with two
//     exceptions where the request carries the namespace: requests on the binding's own
//     Namespace object by name (get, watch, update, patch, delete), and bind on clusterroles,
//     which the API server checks in the namespace of the RoleBinding being written;
//   - verbs, API groups and resources match exactly or through "*"; "*/scale" matches the scale
//     subresource of every resource, while "pods/*" is not a pattern and matches nothing but a
//     subresource literally named "*"; resourceNames limit a rule to requests naming one of those
//     objects, so such a rule never allows create (but on a named object's subresource, such as
//     pods/exec), deletecollection or an unnamed list, whatever name a question gives;
//     nonResourceURLs match exactly, or by prefix when they end in "*";
//   - a ServiceAccount subject without a namespace means the binding's namespace (RoleBindings
//     only); a service account is also the user "system:serviceaccount:NS:NAME" and a member of
//     the groups system:serviceaccounts, system:serviceaccounts:NS and system:authenticated;
//   - a ClusterRole with an aggregationRule holds the union of the rules of the ClusterRoles its
//     selectors match (transitively, without itself), as the aggregation controller writes it;
//     rules written into the aggregating role itself are replaced by the controller and ignored.
//
// Two things come from outside the inventory. Kubernetes' default ClusterRoles (cluster-admin,
// admin, edit, view and a few system: roles) are not part of manifests, so a summary of their rules
// is built in and used when the inventory does not define a role of that name; grants through them
// are marked BuiltIn. And members of the group system:masters are allowed everything by the API
// server before RBAC is consulted; WhoCan and SubjectPermissions report that as an implicit grant.
//
// Bindings whose role is in neither the inventory nor the built-in table are not dropped: they
// appear as unresolved grants, since they may grant anything.
//
// The bindings of Kubernetes' bootstrap RBAC policy are known by name, role and subjects
// (Binding.KubernetesDefault), so that the checks can tell the system's own grants from grants
// someone wrote to the same system identities.
//
// The analysis reads only the inventory, so a manifest scan and a live cluster feed it the same
// way: build the inventory from any source and call For.
package rbac
