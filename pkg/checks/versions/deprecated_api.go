package versions

/*
UP-04: objects written against a deprecated or removed API version.

Fields read: apiVersion and kind, of every object, including kinds kubeharden does not decode;
not of namespaces that no input declares (their apiVersion is not known).

Passing values: any apiVersion/kind pair not in the table below.

The table follows Kubernetes' Deprecated API Migration Guide and release notes. It lists only
built-in API groups: custom resources (cert-manager.io/v1alpha2, ...) follow their own projects'
schedules. Alpha versions were never served by default and were dropped without a fixed schedule;
for those the message says so instead of naming a release.

Last reviewed: 2026-11-26.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "UP-04", Match: hasAPIVersion, Assess: assessDeprecatedAPI})
}

// hasAPIVersion matches every object that names its API, typed or not: a CustomResourceDefinition
// on apiextensions.k8s.io/v1beta1 or a PodSecurityPolicy is exactly the kind of object the
// inventory does not decode. A namespace the input does not declare (inventory.ImplyNamespaces)
// is not matched: its apiVersion is made up, and no manifest was written against it.
func hasAPIVersion(o *inventory.Object) bool { return o.APIVersion != "" && o.Kind != "" && !o.Implied }

// deprecatedAPI is one row of the schedule.
type deprecatedAPI struct {
	// deprecated is the release that deprecated a version that is still served. It is only
	// recorded where a message needs it: for removed versions the removal is what matters.
	deprecated string
	// removed is the first release that no longer serves it; "" when it is still served, or when
	// alpha is set and no release is recorded.
	removed string
	// alpha marks versions that were never enabled by default.
	alpha bool
	// use is the replacement: an apiVersion ("apps/v1"), or advice when the kind itself is gone.
	use string
	// useKind is set when the replacement is another kind.
	useKind string
}

type apiKey struct{ apiVersion, kind string }

// anyKind stands for every kind of a version that was removed as a whole.
const anyKind = "*"

// deprecatedAPIs is keyed by apiVersion and kind. A struct key keeps lookups allocation-free.
var deprecatedAPIs = deprecationSchedule()

func deprecationSchedule() map[apiKey]deprecatedAPI {
	m := map[apiKey]deprecatedAPI{}
	add := func(apiVersion string, kinds []string, d deprecatedAPI) {
		for _, k := range kinds {
			m[apiKey{apiVersion, k}] = d
		}
	}

	// Removed in 1.14.
	add("admissionregistration.k8s.io/v1alpha1", []string{"InitializerConfiguration"}, deprecatedAPI{removed: "1.14", alpha: true, use: "a mutating admission webhook; InitializerConfiguration has no replacement API"})

	// Removed in 1.16.
	add("extensions/v1beta1", []string{"Deployment", "DaemonSet", "ReplicaSet"}, deprecatedAPI{removed: "1.16", use: "apps/v1"})
	add("extensions/v1beta1", []string{"NetworkPolicy"}, deprecatedAPI{removed: "1.16", use: "networking.k8s.io/v1"})
	add("extensions/v1beta1", []string{"PodSecurityPolicy"}, deprecatedAPI{removed: "1.16", use: "Pod Security Admission (PodSecurityPolicy itself was removed in 1.25)"})
	add("extensions/v1beta1", []string{"Ingress"}, deprecatedAPI{removed: "1.22", use: "networking.k8s.io/v1"})
	add("extensions/v1beta1", []string{anyKind}, deprecatedAPI{removed: "1.22", use: "the kind's current API group"})
	add("apps/v1beta1", []string{"Deployment", "StatefulSet", "ControllerRevision", anyKind}, deprecatedAPI{removed: "1.16", use: "apps/v1"})
	add("apps/v1beta2", []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision", anyKind}, deprecatedAPI{removed: "1.16", use: "apps/v1"})

	// Removed in 1.21.
	add("batch/v2alpha1", []string{"CronJob"}, deprecatedAPI{removed: "1.21", alpha: true, use: "batch/v1"})

	// Removed in 1.22.
	add("admissionregistration.k8s.io/v1beta1", []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}, deprecatedAPI{removed: "1.22", use: "admissionregistration.k8s.io/v1"})
	add("apiextensions.k8s.io/v1beta1", []string{"CustomResourceDefinition"}, deprecatedAPI{removed: "1.22", use: "apiextensions.k8s.io/v1"})
	add("apiregistration.k8s.io/v1beta1", []string{"APIService"}, deprecatedAPI{removed: "1.22", use: "apiregistration.k8s.io/v1"})
	add("authentication.k8s.io/v1beta1", []string{"TokenReview"}, deprecatedAPI{removed: "1.22", use: "authentication.k8s.io/v1"})
	add("authorization.k8s.io/v1beta1", []string{"SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview"}, deprecatedAPI{removed: "1.22", use: "authorization.k8s.io/v1"})
	add("certificates.k8s.io/v1beta1", []string{"CertificateSigningRequest"}, deprecatedAPI{removed: "1.22", use: "certificates.k8s.io/v1"})
	add("coordination.k8s.io/v1beta1", []string{"Lease"}, deprecatedAPI{removed: "1.22", use: "coordination.k8s.io/v1"})
	add("networking.k8s.io/v1beta1", []string{"Ingress", "IngressClass"}, deprecatedAPI{removed: "1.22", use: "networking.k8s.io/v1"})
	add("rbac.authorization.k8s.io/v1beta1", []string{"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", anyKind}, deprecatedAPI{removed: "1.22", use: "rbac.authorization.k8s.io/v1"})
	add("scheduling.k8s.io/v1beta1", []string{"PriorityClass"}, deprecatedAPI{removed: "1.22", use: "scheduling.k8s.io/v1"})
	add("storage.k8s.io/v1beta1", []string{"CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"}, deprecatedAPI{removed: "1.22", use: "storage.k8s.io/v1"})

	// Removed in 1.25.
	add("batch/v1beta1", []string{"CronJob"}, deprecatedAPI{removed: "1.25", use: "batch/v1"})
	add("discovery.k8s.io/v1beta1", []string{"EndpointSlice"}, deprecatedAPI{removed: "1.25", use: "discovery.k8s.io/v1"})
	add("events.k8s.io/v1beta1", []string{"Event"}, deprecatedAPI{removed: "1.25", use: "events.k8s.io/v1"})
	add("autoscaling/v2beta1", []string{"HorizontalPodAutoscaler"}, deprecatedAPI{removed: "1.25", use: "autoscaling/v2"})
	add("policy/v1beta1", []string{"PodDisruptionBudget"}, deprecatedAPI{removed: "1.25", use: "policy/v1"})
	add("policy/v1beta1", []string{"PodSecurityPolicy"}, deprecatedAPI{removed: "1.25", use: "Pod Security Admission (namespace labels pod-security.kubernetes.io/enforce); PodSecurityPolicy has no replacement API"})
	add("node.k8s.io/v1beta1", []string{"RuntimeClass"}, deprecatedAPI{removed: "1.25", use: "node.k8s.io/v1"})

	// Removed in 1.26, 1.27, 1.29 and 1.32.
	add("autoscaling/v2beta2", []string{"HorizontalPodAutoscaler"}, deprecatedAPI{removed: "1.26", use: "autoscaling/v2"})
	add("flowcontrol.apiserver.k8s.io/v1beta1", []string{"FlowSchema", "PriorityLevelConfiguration"}, deprecatedAPI{removed: "1.26", use: "flowcontrol.apiserver.k8s.io/v1"})
	add("storage.k8s.io/v1beta1", []string{"CSIStorageCapacity"}, deprecatedAPI{removed: "1.27", use: "storage.k8s.io/v1"})
	add("flowcontrol.apiserver.k8s.io/v1beta2", []string{"FlowSchema", "PriorityLevelConfiguration"}, deprecatedAPI{removed: "1.29", use: "flowcontrol.apiserver.k8s.io/v1"})
	add("flowcontrol.apiserver.k8s.io/v1beta3", []string{"FlowSchema", "PriorityLevelConfiguration"}, deprecatedAPI{removed: "1.32", use: "flowcontrol.apiserver.k8s.io/v1"})

	// Alpha versions whose features graduated: never on by default, no longer served.
	add("rbac.authorization.k8s.io/v1alpha1", []string{"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", anyKind}, deprecatedAPI{alpha: true, use: "rbac.authorization.k8s.io/v1"})
	add("scheduling.k8s.io/v1alpha1", []string{"PriorityClass"}, deprecatedAPI{alpha: true, use: "scheduling.k8s.io/v1"})
	add("node.k8s.io/v1alpha1", []string{"RuntimeClass"}, deprecatedAPI{alpha: true, use: "node.k8s.io/v1"})
	add("storage.k8s.io/v1alpha1", []string{"VolumeAttachment", "CSIStorageCapacity"}, deprecatedAPI{alpha: true, use: "storage.k8s.io/v1"})
	add("flowcontrol.apiserver.k8s.io/v1alpha1", []string{"FlowSchema", "PriorityLevelConfiguration"}, deprecatedAPI{alpha: true, use: "flowcontrol.apiserver.k8s.io/v1"})
	add("settings.k8s.io/v1alpha1", []string{"PodPreset"}, deprecatedAPI{removed: "1.20", alpha: true, use: "a mutating admission webhook or policy; PodPreset has no replacement API"})
	add("admissionregistration.k8s.io/v1alpha1", []string{"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}, deprecatedAPI{alpha: true, use: "admissionregistration.k8s.io/v1"})
	add("networking.k8s.io/v1alpha1", []string{"ServiceCIDR", "IPAddress"}, deprecatedAPI{alpha: true, use: "networking.k8s.io/v1"})
	add("resource.k8s.io/v1alpha2", []string{"ResourceClaim", "ResourceClaimTemplate", "ResourceClass", "PodSchedulingContext", "ResourceSlice", "ResourceClaimParameters", "ResourceClassParameters"}, deprecatedAPI{removed: "1.31", alpha: true, use: "resource.k8s.io/v1 (classic DRA's ResourceClass became DeviceClass)"})
	add("resource.k8s.io/v1alpha3", []string{"ResourceClaim", "ResourceClaimTemplate", "ResourceSlice", "DeviceClass"}, deprecatedAPI{alpha: true, use: "resource.k8s.io/v1"})
	add("resource.k8s.io/v1alpha3", []string{"PodSchedulingContext"}, deprecatedAPI{removed: "1.32", alpha: true, use: "structured parameters in ResourceClaims (resource.k8s.io/v1); classic DRA's PodSchedulingContext has no replacement API"})

	// Deprecated, still served, no removal scheduled.
	add("v1", []string{"Endpoints"}, deprecatedAPI{deprecated: "1.33", use: "discovery.k8s.io/v1", useKind: "EndpointSlice"})
	return m
}

func assessDeprecatedAPI(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	d, ok := deprecatedAPIs[apiKey{o.APIVersion, o.Kind}]
	if !ok {
		if d, ok = deprecatedAPIs[apiKey{o.APIVersion, anyKind}]; !ok {
			return
		}
	}
	a.Fail("apiVersion", deprecationMessage(o.APIVersion, o.Kind, d))
}

func deprecationMessage(apiVersion, kind string, d deprecatedAPI) string {
	subject := apiVersion + " " + kind
	use := d.use
	if d.useKind != "" {
		use += " " + d.useKind
	}
	switch {
	case d.removed != "":
		return subject + " was removed in Kubernetes " + d.removed + "; use " + use
	case d.alpha:
		return subject + " is an alpha API that current Kubernetes releases no longer serve; use " + use
	default:
		return subject + " is deprecated since Kubernetes " + d.deprecated + "; use " + use
	}
}
