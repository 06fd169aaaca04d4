package inventory

import (
	"strings"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// typedKind describes a kind kubeharden decodes into a k8s.io/api type.
type typedKind struct {
	// groups lists the API groups the kind is served from, current first. Objects written against
	// older groups or versions (extensions/v1beta1 Deployments, rbac v1beta1) are decoded into the
	// current type: their shape is close enough for every check, and the deprecated-API control
	// reports the old version separately.
	groups []string
	new    func() (any, *metav1.ObjectMeta)
}

func ctor[T any, PT interface {
	*T
	GetObjectMeta() metav1.Object
}](meta func(PT) *metav1.ObjectMeta) func() (any, *metav1.ObjectMeta) {
	return func() (any, *metav1.ObjectMeta) {
		p := PT(new(T))
		return p, meta(p)
	}
}

var typedKinds = map[string]typedKind{
	"Pod":                   {[]string{""}, ctor(func(o *corev1.Pod) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"PodTemplate":           {[]string{""}, ctor(func(o *corev1.PodTemplate) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ReplicationController": {[]string{""}, ctor(func(o *corev1.ReplicationController) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"Service":               {[]string{""}, ctor(func(o *corev1.Service) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ConfigMap":             {[]string{""}, ctor(func(o *corev1.ConfigMap) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"Secret":                {[]string{""}, ctor(func(o *corev1.Secret) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ServiceAccount":        {[]string{""}, ctor(func(o *corev1.ServiceAccount) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"Namespace":             {[]string{""}, ctor(func(o *corev1.Namespace) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"LimitRange":            {[]string{""}, ctor(func(o *corev1.LimitRange) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ResourceQuota":         {[]string{""}, ctor(func(o *corev1.ResourceQuota) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"Node":                  {[]string{""}, ctor(func(o *corev1.Node) *metav1.ObjectMeta { return &o.ObjectMeta })},

	"Deployment":  {[]string{"apps", "extensions"}, ctor(func(o *appsv1.Deployment) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"StatefulSet": {[]string{"apps"}, ctor(func(o *appsv1.StatefulSet) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"DaemonSet":   {[]string{"apps", "extensions"}, ctor(func(o *appsv1.DaemonSet) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ReplicaSet":  {[]string{"apps", "extensions"}, ctor(func(o *appsv1.ReplicaSet) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"Job":         {[]string{"batch"}, ctor(func(o *batchv1.Job) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"CronJob":     {[]string{"batch"}, ctor(func(o *batchv1.CronJob) *metav1.ObjectMeta { return &o.ObjectMeta })},

	"NetworkPolicy": {[]string{"networking.k8s.io", "extensions"}, ctor(func(o *networkingv1.NetworkPolicy) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"Ingress":       {[]string{"networking.k8s.io", "extensions"}, ctor(func(o *networkingv1.Ingress) *metav1.ObjectMeta { return &o.ObjectMeta })},

	"Role":               {[]string{"rbac.authorization.k8s.io"}, ctor(func(o *rbacv1.Role) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ClusterRole":        {[]string{"rbac.authorization.k8s.io"}, ctor(func(o *rbacv1.ClusterRole) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"RoleBinding":        {[]string{"rbac.authorization.k8s.io"}, ctor(func(o *rbacv1.RoleBinding) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ClusterRoleBinding": {[]string{"rbac.authorization.k8s.io"}, ctor(func(o *rbacv1.ClusterRoleBinding) *metav1.ObjectMeta { return &o.ObjectMeta })},

	"ValidatingWebhookConfiguration": {[]string{"admissionregistration.k8s.io"}, ctor(func(o *admissionregistrationv1.ValidatingWebhookConfiguration) *metav1.ObjectMeta {
		return &o.ObjectMeta
	})},
	"MutatingWebhookConfiguration": {[]string{"admissionregistration.k8s.io"}, ctor(func(o *admissionregistrationv1.MutatingWebhookConfiguration) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ValidatingAdmissionPolicy":    {[]string{"admissionregistration.k8s.io"}, ctor(func(o *admissionregistrationv1.ValidatingAdmissionPolicy) *metav1.ObjectMeta { return &o.ObjectMeta })},
	"ValidatingAdmissionPolicyBinding": {[]string{"admissionregistration.k8s.io"}, ctor(func(o *admissionregistrationv1.ValidatingAdmissionPolicyBinding) *metav1.ObjectMeta {
		return &o.ObjectMeta
	})},

	"RuntimeClass": {[]string{"node.k8s.io"}, ctor(func(o *nodev1.RuntimeClass) *metav1.ObjectMeta { return &o.ObjectMeta })},
}

// NewTyped returns a fresh typed value for apiVersion/kind and a pointer to its metadata, or
// ok=false when kubeharden does not decode that kind (custom resources and kinds no check reads).
func NewTyped(apiVersion, kind string) (obj any, meta *metav1.ObjectMeta, ok bool) {
	tk, found := typedKinds[kind]
	if !found {
		return nil, nil, false
	}
	group := GroupOf(apiVersion)
	for _, g := range tk.groups {
		if g == group {
			obj, meta = tk.new()
			return obj, meta, true
		}
	}
	return nil, nil, false
}

// GroupOf returns the API group of an apiVersion ("" for the core group "v1").
func GroupOf(apiVersion string) string {
	if i := strings.IndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// clusterScoped lists the cluster-scoped kinds of the built-in API groups (and of common add-ons
// whose kinds have the same names), so that objects without a namespace are not mistaken for
// objects in "default".
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true,
	"ClusterRoleBinding": true, "StorageClass": true, "CSIDriver": true, "CSINode": true,
	"VolumeAttachment": true, "CustomResourceDefinition": true, "APIService": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true,
	"PriorityClass": true, "RuntimeClass": true, "PodSecurityPolicy": true,
	"CertificateSigningRequest": true, "IngressClass": true, "FlowSchema": true,
	"PriorityLevelConfiguration": true, "ComponentStatus": true, "ClusterTrustBundle": true,
	"DeviceClass": true, "ResourceSlice": true, "IPAddress": true, "ServiceCIDR": true,
	"SelfSubjectReview": true, "TokenReview": true, "SubjectAccessReview": true,
	"SelfSubjectAccessReview": true, "SelfSubjectRulesReview": true,
	"ClusterIssuer": true, "GatewayClass": true,
}

// IsNamespaced reports whether objects of kind live in a namespace.
func IsNamespaced(kind string) bool { return !clusterScoped[kind] }

// PodTemplate is the pod part of a workload: its metadata and spec, and the path of the spec
// inside the object so checks can report fields as spec.template.spec.containers[0]...
type PodTemplate struct {
	Meta     *metav1.ObjectMeta
	Spec     *corev1.PodSpec
	SpecPath string

	pathsOnce sync.Once
	paths     [3][]string // by list: init, regular, ephemeral containers
	inline    [4]string   // backs paths for templates of up to four containers
}

// containerLists are the spec's container lists, in the order of PodTemplate.paths.
var containerLists = [3]string{"initContainers", "containers", "ephemeralContainers"}

// ContainerPath returns the path of container i of list ("initContainers", "containers" or
// "ephemeralContainers"), e.g. spec.template.spec.containers[0]. The paths of a template's
// containers are built together, once: checks start every finding's path with one, and building
// it anew each time was a sixth of the checks' allocations on a large cluster.
func (pt *PodTemplate) ContainerPath(list string, i int) string {
	pt.pathsOnce.Do(pt.buildPaths)
	for l, name := range containerLists {
		if name == list {
			if i >= 0 && i < len(pt.paths[l]) {
				return pt.paths[l][i]
			}
			break
		}
	}
	return Item(pt.SpecPath, list, i, "")
}

// buildPaths builds the path of every container of the template: one allocation each, and none
// more for the usual pod of up to four containers.
func (pt *PodTemplate) buildPaths() {
	counts := [3]int{len(pt.Spec.InitContainers), len(pt.Spec.Containers), len(pt.Spec.EphemeralContainers)}
	strs := pt.inline[:0]
	if total := counts[0] + counts[1] + counts[2]; total > len(pt.inline) {
		strs = make([]string, 0, total)
	}
	for l, n := range counts {
		start := len(strs)
		for i := range n {
			strs = append(strs, Item(pt.SpecPath, containerLists[l], i, ""))
		}
		pt.paths[l] = strs[start:len(strs):len(strs)]
	}
}

// PodTemplateOf returns the pod template of workload kinds (Pod, PodTemplate, Deployment,
// ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController), or nil. The result
// is computed once per object: every pod check asks for it, on every object.
func PodTemplateOf(o *Object) *PodTemplate {
	o.podTemplateOnce.Do(func() { o.podTemplate = podTemplateOf(o.Typed) })
	return o.podTemplate
}

func podTemplateOf(typed any) *PodTemplate {
	switch t := typed.(type) {
	case *corev1.Pod:
		return &PodTemplate{Meta: &t.ObjectMeta, Spec: &t.Spec, SpecPath: "spec"}
	case *corev1.PodTemplate:
		return &PodTemplate{Meta: &t.Template.ObjectMeta, Spec: &t.Template.Spec, SpecPath: "template.spec"}
	case *corev1.ReplicationController:
		if t.Spec.Template == nil {
			return nil
		}
		return &PodTemplate{Meta: &t.Spec.Template.ObjectMeta, Spec: &t.Spec.Template.Spec, SpecPath: "spec.template.spec"}
	case *appsv1.Deployment:
		return &PodTemplate{Meta: &t.Spec.Template.ObjectMeta, Spec: &t.Spec.Template.Spec, SpecPath: "spec.template.spec"}
	case *appsv1.ReplicaSet:
		return &PodTemplate{Meta: &t.Spec.Template.ObjectMeta, Spec: &t.Spec.Template.Spec, SpecPath: "spec.template.spec"}
	case *appsv1.StatefulSet:
		return &PodTemplate{Meta: &t.Spec.Template.ObjectMeta, Spec: &t.Spec.Template.Spec, SpecPath: "spec.template.spec"}
	case *appsv1.DaemonSet:
		return &PodTemplate{Meta: &t.Spec.Template.ObjectMeta, Spec: &t.Spec.Template.Spec, SpecPath: "spec.template.spec"}
	case *batchv1.Job:
		return &PodTemplate{Meta: &t.Spec.Template.ObjectMeta, Spec: &t.Spec.Template.Spec, SpecPath: "spec.template.spec"}
	case *batchv1.CronJob:
		return &PodTemplate{Meta: &t.Spec.JobTemplate.Spec.Template.ObjectMeta, Spec: &t.Spec.JobTemplate.Spec.Template.Spec, SpecPath: "spec.jobTemplate.spec.template.spec"}
	}
	return nil
}

// HasPodTemplate reports whether o is a workload with a pod template.
func HasPodTemplate(o *Object) bool {
	if o.released {
		return o.hadPodTemplate
	}
	return PodTemplateOf(o) != nil
}

// ContainerRef is one container of a pod spec with its path, whatever list it is in.
type ContainerRef struct {
	// Container is nil-safe for ephemeral containers: their common fields are copied in.
	Container *corev1.Container
	Path      string // e.g. spec.template.spec.initContainers[1]
	Kind      string // "container", "init container" or "ephemeral container"
}

// Containers lists every container, init container and ephemeral container of the template.
// Ephemeral containers share their fields with regular containers through
// EphemeralContainerCommon, which is converted here so checks handle all three the same way.
func (pt *PodTemplate) Containers() []ContainerRef {
	s := pt.Spec
	out := make([]ContainerRef, 0, len(s.InitContainers)+len(s.Containers)+len(s.EphemeralContainers))
	for i := range s.InitContainers {
		out = append(out, ContainerRef{&s.InitContainers[i], pt.ContainerPath("initContainers", i), "init container"})
	}
	for i := range s.Containers {
		out = append(out, ContainerRef{&s.Containers[i], pt.ContainerPath("containers", i), "container"})
	}
	for i := range s.EphemeralContainers {
		c := corev1.Container(s.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, ContainerRef{&c, pt.ContainerPath("ephemeralContainers", i), "ephemeral container"})
	}
	return out
}
