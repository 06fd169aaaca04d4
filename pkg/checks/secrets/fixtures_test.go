package secrets

import (
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

// fakeTokens generates well-formed credentials that are not anyone's: random characters in the
// documented shapes. Committing literal ones would trip secret scanners, and generating them
// means each test run checks the detectors on values nobody chose to make them pass. The seed
// is fixed so a failure can be reproduced.
type fakeTokens struct{ r *rand.Rand }

func newFakeTokens() *fakeTokens { return &fakeTokens{rand.New(rand.NewPCG(35, 42))} }

const (
	base62    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base64url = base62 + "-_"
	upperNum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	digits    = "0123456789"
)

func (g *fakeTokens) from(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

// mixed is a random string that contains upper case, lower case and digits.
func (g *fakeTokens) mixed(alphabet string, n int) string {
	for {
		s := g.from(alphabet, n)
		if strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") &&
			strings.ContainsAny(s, digits) && !strings.HasPrefix(s, "eyJ") {
			return s
		}
	}
}

func (g *fakeTokens) jwt() string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc([]byte(`{"sub":"fixture-`+g.from(base62, 8)+`","iat":1700000000}`)) + "." + g.from(base64url, 43)
}

func (g *fakeTokens) pem(label string) string {
	var b strings.Builder
	b.WriteString("-----BEGIN " + label + "-----\n")
	for i := 0; i < 6; i++ {
		raw := make([]byte, 48)
		for j := range raw {
			raw[j] = byte(g.r.IntN(256))
		}
		b.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	}
	b.WriteString("-----END " + label + "-----\n")
	return b.String()
}

// fixtureValues fills the @@NAME@@ markers of the testdata files.
func fixtureValues() map[string]string {
	g := newFakeTokens()
	pem := g.pem("RSA PRIVATE KEY")
	cert := g.pem("CERTIFICATE")
	v := map[string]string{
		"RANDOM_24":        g.mixed(base62, 24),
		"RANDOM_32":        g.mixed(base62, 32),
		"RANDOM_40":        g.mixed(base62, 40),
		"AWS_SECRET":       g.mixed(base62+"+/", 40),
		"GITHUB_TOKEN":     "ghp_" + g.mixed(base62, 36),
		"GITHUB_PAT":       "github_pat_" + g.mixed(base62, 22) + "_" + g.mixed(base62, 59),
		"SLACK_TOKEN":      "xoxb-" + g.from(digits, 12) + "-" + g.from(digits, 13) + "-" + g.mixed(base62, 24),
		"SLACK_WEBHOOK":    "https://hooks.slack.com/services/T" + g.from(upperNum, 10) + "/B" + g.from(upperNum, 10) + "/" + g.mixed(base62, 24),
		"GOOGLE_API_KEY":   "AIza" + g.mixed(base64url, 35),
		"STRIPE_LIVE":      "sk_live_" + g.mixed(base62, 32),
		"STRIPE_TEST":      "sk_test_" + g.mixed(base62, 32),
		"BEARER":           g.mixed(base64url, 40),
		"BASIC":            base64.StdEncoding.EncodeToString([]byte("ci-bot:" + g.mixed(base62, 14))),
		"URL_PASSWORD":     g.mixed(base62, 20),
		"JWT":              g.jwt(),
		"PEM":              pem,
		"PEM_BASE64":       base64.StdEncoding.EncodeToString([]byte(pem)),
		"CERT":             cert,
		"MIXED_PASSWORD":   g.mixed(base62+"!#%&*", 20),
		"MIXED_PASSWORD_2": g.mixed(base62+"!#%&*", 18),
		"PASSWORD_BASE64":  base64.StdEncoding.EncodeToString([]byte(g.mixed(base62, 16))),
		"API_KEY":          g.mixed(base62, 32),
		"CERT_BASE64":      base64.StdEncoding.EncodeToString([]byte(cert)),
		"KEY_BASE64":       base64.StdEncoding.EncodeToString([]byte(pem)),
	}
	return v
}

// fixture writes testdata/name with its markers filled in (escaped for double-quoted YAML
// strings, where every multi-line marker sits) and returns the path and the values used.
func fixture(t testing.TB, name string) (string, map[string]string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	vals := fixtureValues()
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	s := string(data)
	for k, v := range vals {
		s = strings.ReplaceAll(s, "@@"+k+"@@", esc.Replace(v))
	}
	if i := strings.Index(s, "@@"); i >= 0 {
		t.Fatalf("%s: unfilled marker near %q", name, s[i:min(len(s), i+30)])
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, vals
}

// leaks returns a description of every way a failure message gives away one of the secrets:
// the secret itself, any 8-byte piece of it, or its base64 (standard, URL-safe, padded or not)
// or an 8-byte piece of that. Secrets shorter than 8 bytes are looked for whole.
func leaks(secrets []string, failures []checks.Failure) []string {
	var out []string
	for _, s := range secrets {
		if len(s) < 3 {
			continue
		}
		forms := []string{s,
			base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s)),
			base64.URLEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)),
		}
		for _, f := range failures {
			msg := withoutVocabulary(f.Message)
			for _, form := range forms {
				if len(form) < 8 {
					if strings.Contains(msg, form) {
						out = append(out, "message "+quoteForTest(f.Message)+" contains a secret")
					}
					continue
				}
				for i := 0; i+8 <= len(form); i++ {
					if strings.Contains(msg, form[i:i+8]) {
						out = append(out, "message "+quoteForTest(f.Message)+" contains "+quoteForTest(form[i:i+8])+", part of a secret or its base64")
						break
					}
				}
			}
		}
	}
	return out
}

// withoutVocabulary blanks out the fixed wording of the package's messages, so that a secret
// such as "password" is not found in "looks like a password". Whatever a message copies from
// its input (names, keys, setting names) is left for leaks to examine.
func withoutVocabulary(msg string) string {
	vocab := []string{
		"holds a value that looks like", "to a value that looks like", "contains", "sets",
		"ephemeral container", "init container", "container", "env var", "of",
		"ConfigMap binaryData key", "ConfigMap key", "pod template annotation", "annotation",
		"is set from key", "Secret", "loads every key", "into its environment", "with prefix",
		"of type", "is committed with", "keys in", "key in", "and", "more",
		"a password", "a secret key", "a secret", "a token", "a credential", "an AWS secret access key",
	}
	vocab = append(vocab, evidenceNames[:]...)
	for _, q := range keyQualifiers {
		vocab = append(vocab, q.noun)
	}
	sort.Slice(vocab, func(i, j int) bool { return len(vocab[i]) > len(vocab[j]) })
	for _, v := range vocab {
		msg = replaceWord(msg, v)
	}
	return msg
}

// replaceWord blanks out occurrences of w that are not part of a longer word.
func replaceWord(s, w string) string {
	letter := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
	var b strings.Builder
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return b.String() + s[off:]
		}
		i += off
		end := i + len(w)
		if (i == 0 || !letter(s[i-1])) && (end == len(s) || !letter(s[end])) {
			b.WriteString(s[off:i] + "\x00")
			off = end
		} else {
			b.WriteString(s[off : i+1])
			off = i + 1
		}
	}
}

func quoteForTest(s string) string { return `"` + s + `"` }

// assertNoLeak is the defence in depth for NS-35, NS-36 and NS-42: whatever the detectors
// decide, no message may carry a secret. It checks the known secrets of a fixture and, for
// single-line values, the value each failure points at.
func assertNoLeak(t testing.TB, outs map[string]checktest.Outcome, known []string) {
	t.Helper()
	for name, o := range outs {
		secrets := append([]string(nil), known...)
		for _, f := range o.Failures {
			// A setting named inside a file is part of the message by design, so a file's
			// whole text is not a secret; its secret is among the known ones.
			if v := valueAt(o.Object, f.Path); v != "" && !strings.Contains(v, "\n") && !strings.Contains(f.Message, ` sets "`) {
				secrets = append(secrets, v)
			}
		}
		for _, l := range leaks(secrets, o.Failures) {
			t.Errorf("%s: %s", name, l)
		}
	}
}

// valueAt returns the value an NS-35 failure path points at: an env value, a ConfigMap entry or
// an annotation.
func valueAt(o *inventory.Object, path string) string {
	if cm, ok := o.Typed.(*corev1.ConfigMap); ok {
		for k, v := range cm.Data {
			if inventory.Field("data", k) == path {
				return v
			}
		}
		for k, v := range cm.BinaryData {
			if inventory.Field("binaryData", k) == path {
				return string(v)
			}
		}
	}
	if o.Meta != nil {
		for k, v := range o.Meta.Annotations {
			if strings.HasSuffix(path, inventory.Field("annotations", k)[len("annotations"):]) {
				return v
			}
		}
	}
	if pt := inventory.PodTemplateOf(o); pt != nil {
		for k, v := range pt.Meta.Annotations {
			if strings.HasSuffix(path, inventory.Field("annotations", k)[len("annotations"):]) {
				return v
			}
		}
		for _, c := range pt.Containers() {
			for j, e := range c.Container.Env {
				if inventory.Field(inventory.Index(inventory.Field(c.Path, "env"), j), "value") == path {
					return e.Value
				}
			}
			for _, l := range []struct {
				field string
				words []string
			}{{"command", c.Container.Command}, {"args", c.Container.Args}} {
				for j, w := range l.words {
					if inventory.Index(inventory.Field(c.Path, l.field), j) == path {
						return w
					}
				}
			}
		}
	}
	return ""
}

func TestLeakDetectorCatchesLeaks(t *testing.T) {
	secret := "Zx9vQ2mR7tLp4wK8"
	b64 := base64.StdEncoding.EncodeToString([]byte(secret))
	for _, msg := range []string{
		"value " + secret,
		"value starts " + secret[:8],
		"value ends " + secret[len(secret)-8:],
		"encoded " + b64,
		"encoded part " + b64[4:12],
		"url-safe " + base64.RawURLEncoding.EncodeToString([]byte(secret)),
	} {
		if len(leaks([]string{secret}, []checks.Failure{{Message: msg}})) == 0 {
			t.Errorf("leak not caught in %q", msg)
		}
	}
	if l := leaks([]string{"s3cret"}, []checks.Failure{{Message: "password is s3cret"}}); len(l) == 0 {
		t.Error("short secret not caught")
	}
	if l := leaks([]string{secret}, []checks.Failure{{Message: `env var "DB_PASSWORD" of container "api" holds a value that looks like a password`}}); len(l) != 0 {
		t.Errorf("false alarm: %v", l)
	}
}

func TestLeakDetectorKnowsTheVocabulary(t *testing.T) {
	msg := `env var "DB_PASSWORD" of container "api" holds a value that looks like a password`
	if l := leaks([]string{"password"}, []checks.Failure{{Message: msg}}); len(l) != 0 {
		t.Errorf("the message's own wording counted as a leak: %v", l)
	}
	if l := leaks([]string{"password"}, []checks.Failure{{Message: msg + ": password"}}); len(l) == 0 {
		t.Error("a value outside the wording was not caught")
	}
	if l := leaks([]string{"ofofofof"}, []checks.Failure{{Message: "set to ofofofof"}}); len(l) == 0 {
		t.Error("vocabulary words inside a value hid it")
	}
}
