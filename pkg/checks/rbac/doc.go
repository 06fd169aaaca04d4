// Package rbac holds the checks of the guidance's section 3.2 (role-based access control) and the
// Secrets-access control of section 2.9, judged from Roles, ClusterRoles and their bindings.
//
// Role checks (AA-14) read a role's own rules. Every other check is a question about effective
// access, answered by pkg/analysis/rbac for the whole inventory at once (aggregation, scopes,
// built-in roles), and reported on the binding that grants the access, at the offending subject
// (subjects[i]), so that the finding points at the line to change and an exception names the
// binding it accepts.
//
// Three rules hold for all of them:
//   - what Kubernetes' own default bindings give the subjects its bootstrap policy puts there
//     (Binding.KubernetesDefault) is never reported, nor what a binding gives Group
//     system:masters, which RBAC cannot add to (AA-09 reports those bindings). A binding anyone
//     else wrote is judged whoever it names: system: users and groups and the controllers'
//     service accounts are identities whose credentials can leak like any other, and a binding
//     of cluster-admin to system:bootstrappers or system:nodes is a takeover path;
//   - a rule that grants everything (rbac.IsAdminRule) is reported once, by AA-13, and not again
//     by each control whose permission it includes;
//   - a binding whose role is in neither the input nor the built-in table of Kubernetes defaults
//     is "not assessed", never passed: it may grant anything.
//
// Who counts as an administrator beyond the system is the organisation's call: accept a binding
// with an exception (.kubeharden.yaml, or the kubeharden.io/exempt annotation on the binding).
package rbac
