package secrets

/*
NS-42: Secret objects committed to manifests.

Fields read: kind Secret's data and stringData keys (never their values: sources may drop
the values as soon as they read a Secret, and a check must not depend on them), and type.

Passing values: no key in data or stringData. That covers empty Secrets that a controller or an
operator fills in, and kubernetes.io/service-account-token Secrets as written in manifests (the
token controller adds the data in the cluster). A key counts even if its value is empty, because
once values are dropped an empty value and a real one look the same, and a Secret manifest with
the key is one edit away from holding the value.

The control only applies to manifests: in a cluster, Secrets are where credentials belong. The
catalog limits the control to the manifest source and the engine enforces that; Match checks
the origin too so that a caller running the check directly cannot report every Secret of a
cluster.
*/

import (
	"sort"
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(checks.Check{ID: "NS-42", Match: committedSecret, Assess: assessCommittedSecret})
}

func committedSecret(o *inventory.Object) bool {
	if o.Kind != "Secret" || o.Origin.Source != inventory.SourceManifest {
		return false
	}
	_, ok := o.Typed.(*corev1.Secret)
	return ok
}

// maxKeysNamed bounds the key list in a message.
const maxKeysNamed = 10

func assessCommittedSecret(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	s := o.Typed.(*corev1.Secret)
	if len(s.Data) > 0 {
		keys := make([]string, 0, len(s.Data))
		for k := range s.Data {
			keys = append(keys, k)
		}
		a.Fail("data", secretMessage(s, "data", keys))
	}
	if len(s.StringData) > 0 {
		keys := make([]string, 0, len(s.StringData))
		for k := range s.StringData {
			keys = append(keys, k)
		}
		a.Fail("stringData", secretMessage(s, "stringData", keys))
	}
}

// secretMessage names the Secret's type and up to maxKeysNamed of its keys, sorted.
func secretMessage(s *corev1.Secret, field string, keys []string) string {
	sort.Strings(keys)
	var b strings.Builder
	typ := string(s.Type)
	if typ == "" {
		typ = string(corev1.SecretTypeOpaque)
	}
	b.WriteString("Secret of type " + typ + " is committed with ")
	if len(keys) == 1 {
		b.WriteString("1 key")
	} else {
		b.WriteString(strconv.Itoa(len(keys)) + " keys")
	}
	b.WriteString(" in " + field + ": ")
	for i, k := range keys {
		if i == maxKeysNamed {
			b.WriteString(", and " + strconv.Itoa(len(keys)-maxKeysNamed) + " more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if validKey(k) {
			b.WriteString(strconv.Quote(k))
		} else {
			// Not a key the API server accepts: most likely a line of an env file without
			// "=", which kustomize makes a key of, value and all.
			b.WriteString("a key that is not a valid key name")
		}
	}
	return b.String()
}

// validKey says whether k is a key a Secret may have: letters, digits, '-', '_' and '.'.
func validKey(k string) bool {
	if k == "" || len(k) > 253 {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
