package secrets

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func TestCommittedSecret(t *testing.T) {
	path, vals := fixture(t, "committed_secret.yaml")
	outs := checktest.Expect(t, "NS-42", path)
	assertFailures(t, outs, "fail-opaque-data",
		wantFailure{"data", `Secret of type Opaque is committed with 2 keys in data: "password", "username"`})
	assertFailures(t, outs, "fail-string-data",
		wantFailure{"stringData", `Secret of type Opaque is committed with 1 key in stringData: "api-key"`})
	assertFailures(t, outs, "fail-tls",
		wantFailure{"data", `Secret of type kubernetes.io/tls is committed with 2 keys in data: "tls.crt", "tls.key"`})
	assertFailures(t, outs, "fail-both-fields",
		wantFailure{"data", `Secret of type Opaque is committed with 1 key in data: "a"`},
		wantFailure{"stringData", `Secret of type Opaque is committed with 1 key in stringData: "b"`})
	assertFailures(t, outs, "fail-many-keys",
		wantFailure{"data", `Secret of type Opaque is committed with 12 keys in data: "k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10", and 2 more`})

	known := []string{"admin", "YWRtaW4="}
	for _, v := range vals {
		known = append(known, v)
	}
	assertNoLeak(t, outs, known)
}

// A key the API server would refuse is not quoted: kustomize makes one of an env file's line
// without "=", value and all.
func TestCommittedSecretInvalidKeyNotQuoted(t *testing.T) {
	s := &corev1.Secret{Data: map[string][]byte{"PASSWORD: Hunter2Hunter2": nil, "user": nil}}
	o := &inventory.Object{APIVersion: "v1", Kind: "Secret", Name: "db", Typed: s, Meta: &s.ObjectMeta,
		Origin: inventory.Origin{Source: inventory.SourceManifest}}
	c, _ := checks.Lookup("NS-42")
	var a checks.Assessment
	c.Assess(&a, o, nil)
	if len(a.Failures) != 1 || a.Failures[0].Message != `Secret of type Opaque is committed with 2 keys in data: a key that is not a valid key name, "user"` {
		t.Fatalf("got %v", a.Failures)
	}
}

// Sources may drop Secret values when they read them; the verdict must not change.
func TestCommittedSecretWithoutValues(t *testing.T) {
	s := &corev1.Secret{Data: map[string][]byte{"password": nil}, StringData: map[string]string{"token": ""}}
	o := &inventory.Object{APIVersion: "v1", Kind: "Secret", Name: "db", Typed: s, Meta: &s.ObjectMeta,
		Origin: inventory.Origin{Source: inventory.SourceManifest}}
	c, _ := checks.Lookup("NS-42")
	var a checks.Assessment
	c.Assess(&a, o, nil)
	if len(a.Failures) != 2 {
		t.Fatalf("got %v, want a failure for data and one for stringData", a.Failures)
	}
}

// In a cluster, Secrets are where credentials belong: the check must not match them even when
// called directly, whatever the engine does.
func TestCommittedSecretOnlyForManifests(t *testing.T) {
	c, _ := checks.Lookup("NS-42")
	for _, src := range []inventory.Source{inventory.SourceCluster, inventory.SourceNode, ""} {
		s := &corev1.Secret{Data: map[string][]byte{"password": []byte("x")}}
		o := &inventory.Object{APIVersion: "v1", Kind: "Secret", Name: "db", Typed: s, Meta: &s.ObjectMeta,
			Origin: inventory.Origin{Source: src}}
		if c.Match(o) {
			t.Errorf("NS-42 matches a Secret from source %q", src)
		}
	}
}
