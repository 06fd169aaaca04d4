package versions

/*
UP-03: ingress-nginx, the add-on most often installed in front of a cluster, with known
vulnerabilities.

Read:
  - the image of every container of every workload that runs the ingress-nginx controller
    (registry.k8s.io/ingress-nginx/controller, and the older
    quay.io/kubernetes-ingress-controller/nginx-ingress-controller);
  - the data key allow-snippet-annotations of every ConfigMap that has it (the controller's
    configuration).
Fails:
  - a controller older than v1.11.5, or v1.12.0: CVE-2025-1974 (IngressNightmare: code
    execution through the admission webhook, reachable from any pod, and the cluster's Secrets
    with it) and CVE-2025-1097, CVE-2025-1098 and CVE-2025-24514 (configuration injection
    through annotations), fixed in v1.11.5 and v1.12.1;
  - allow-snippet-annotations: "true": any user who may create an Ingress can inject NGINX
    configuration and read the controller's service-account token (CVE-2021-25742).
Not assessed: a controller image whose tag is not a version (latest, or a digest alone).
*/

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "UP-03", Match: ingressNginxObject, Assess: assessIngressNginx})
}

// ingressNginxImages are fragments of the controller's image names.
var ingressNginxImages = []string{"ingress-nginx/controller", "kubernetes-ingress-controller/nginx-ingress-controller"}

const snippetKey = "allow-snippet-annotations"

// ingressNginxObject matches the workloads that run the controller and the ConfigMaps that set
// allow-snippet-annotations; nothing else has a verdict.
func ingressNginxObject(o *inventory.Object) bool {
	if cm, ok := o.Typed.(*corev1.ConfigMap); ok {
		_, has := cm.Data[snippetKey]
		return has
	}
	if !checks.Workloads(o) {
		return false
	}
	pt := inventory.PodTemplateOf(o)
	for _, c := range pt.Containers() {
		if isIngressNginx(c.Container.Image) {
			return true
		}
	}
	return false
}

func isIngressNginx(image string) bool {
	image = strings.ToLower(image)
	for _, f := range ingressNginxImages {
		if strings.Contains(image, f) {
			return true
		}
	}
	return false
}

func assessIngressNginx(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	if cm, ok := o.Typed.(*corev1.ConfigMap); ok {
		if strings.EqualFold(strings.TrimSpace(cm.Data[snippetKey]), "true") {
			a.Failf(inventory.Field("data", snippetKey), "%s: \"true\" lets anyone who may create an Ingress inject NGINX configuration and read the controller's token (CVE-2021-25742); set it to \"false\"", snippetKey)
		}
		return
	}
	pt := inventory.PodTemplateOf(o)
	for _, c := range pt.Containers() {
		if !isIngressNginx(c.Container.Image) {
			continue
		}
		v, ok := imageVersion(c.Container.Image)
		if !ok {
			a.NotAssessed("the ingress-nginx controller image " + c.Container.Image + " does not say its version in its tag")
			return
		}
		if ingressNginxVulnerable(v) {
			a.Failf(c.Path+".image", "%s %q runs ingress-nginx controller v%s, open to CVE-2025-1974 (IngressNightmare: code execution through the admission webhook, reachable from any pod) and CVE-2025-1097, -1098 and -24514; upgrade to v1.12.1 or v1.11.5 or later",
				c.Kind, c.Container.Name, v)
		}
	}
}

// ingressNginxVulnerable says whether controller version v predates the fixes: v1.11.5 on the
// 1.11 line and before it, v1.12.1 on the 1.12 line.
func ingressNginxVulnerable(v Version) bool {
	if v.Major == 1 && v.Minor == 12 {
		return v.Compare(Version{Major: 1, Minor: 12, Patch: 1}) < 0
	}
	return v.Compare(Version{Major: 1, Minor: 11, Patch: 5}) < 0
}

// imageVersion reads the version an image's tag gives ("v1.12.1", "0.26.1", "v1.13.0-rc1"); a
// tag without all three numbers (latest, "v1.12") gives none.
func imageVersion(image string) (Version, bool) {
	tag := checks.ParseImage(image).Tag
	if strings.Count(tag, ".") < 2 {
		return Version{}, false
	}
	v, err := ParseVersion(tag)
	return v, err == nil
}
