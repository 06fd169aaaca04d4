package controlplane

/*
PS-11: AlwaysPullImages admission (matters where tenants share nodes).

Read: kube-apiserver --enable-admission-plugins.
Passes: includes AlwaysPullImages. Fails: it does not (the plugin is off by default).

PS-13: Pod Security admission must not be disabled.

Read: kube-apiserver --disable-admission-plugins.
Fails: includes PodSecurity (which is on by default since 1.23).
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "PS-11", Match: Is(inventory.ComponentAPIServer), Assess: assessAlwaysPull},
		checks.Check{ID: "PS-13", Match: Is(inventory.ComponentAPIServer), Assess: assessPodSecurityAdmission},
	)
}

func assessAlwaysPull(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	if enabled, path, _ := list(c, "enable-admission-plugins"); !has(enabled, "AlwaysPullImages") {
		a.Fail(path, "--enable-admission-plugins does not include AlwaysPullImages: a pod can use an image another tenant already pulled to the node without having the credentials for it")
	}
}

func assessPodSecurityAdmission(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	if disabled, path, _ := list(c, "disable-admission-plugins"); has(disabled, "PodSecurity") {
		a.Fail(path, "--disable-admission-plugins includes PodSecurity: namespace pod-security labels are not enforced")
	}
}
