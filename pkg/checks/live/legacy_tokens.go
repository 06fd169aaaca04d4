package live

/*
PS-30: long-lived service-account token Secrets.

Read: Secrets of type kubernetes.io/service-account-token, their
      kubernetes.io/service-account.name annotation and the labels the API server sets since 1.29
      (kubernetes.io/legacy-token-last-used, kubernetes.io/legacy-token-invalid-since).
Passes: nothing else is looked at: other Secrets do not match (a live scan lists only this type).
Fails:  every such Secret: it holds a token that never expires, readable by anyone who may read
        Secrets in its namespace. Tokens the API server has already invalidated fail at low
        severity (they can no longer authenticate; the Secret is clutter to delete).
*/

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "PS-30", Match: checks.Kinds("Secret"), Assess: assessLegacyToken})
}

const (
	lastUsedLabel     = "kubernetes.io/legacy-token-last-used"
	invalidSinceLabel = "kubernetes.io/legacy-token-invalid-since"
)

func assessLegacyToken(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	s := o.Typed.(*corev1.Secret)
	if s.Type != corev1.SecretTypeServiceAccountToken {
		a.Skip()
		return
	}
	sa := s.Annotations[corev1.ServiceAccountNameKey]
	if sa == "" {
		sa = "(unnamed)"
	}
	if since := s.Labels[invalidSinceLabel]; since != "" {
		a.FailSeverity(catalog.SeverityLow, "type", "legacy token Secret of service account "+sa+", invalidated by the API server since "+since+": delete it")
		return
	}
	used := "no use recorded"
	if d := s.Labels[lastUsedLabel]; d != "" {
		used = "last used " + d
	}
	a.Fail("type", "long-lived token Secret for service account "+sa+" ("+used+"): the token never expires; use bound tokens (projected volumes, kubectl create token) and delete the Secret")
}
