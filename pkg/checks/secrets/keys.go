package secrets

// What a field's name says about its value.
//
// Names are split into words on any non-alphanumeric character, on camelCase and on letter/digit
// changes, then read from the end: the credential word must be the last word, or be followed
// only by words that do not change what the field holds (DB_PASSWORD_PROD, apiKeyValue). A name
// that goes on with anything else is about the credential, not the credential itself:
// PASSWORD_FILE, SECRET_NAME, TOKEN_URL, API_KEY_HEADER, ACCESS_KEY_ID, secretKeyRef. A word
// before it that turns the field into a setting (ALLOW_EMPTY_PASSWORD, MIN_PASSWORD_LENGTH,
// PUBLIC_KEY) also rules it out.

import "strings"

// keyClass is what a name suggests its value is.
type keyClass struct {
	// noun names the credential for messages ("a password"); empty when the name suggests none.
	noun string
	// strong says any real value under this name is a credential (passwords, secret keys).
	// Otherwise the value must also look random, because "token", "secret" and "auth" name
	// plenty of things that are not credentials: Secret names, feature flags, token counts.
	strong bool
	// aws says the name mentions AWS, so a 40-character value is an AWS secret access key.
	aws bool
}

func (k keyClass) isCredential() bool { return k.noun != "" }

const maxWords = 16

type word struct{ start, end int }

// splitWords splits a name into words and returns the last maxWords of them.
func splitWords(s string, out *[maxWords]word) int {
	n := 0
	start := -1
	push := func(end int) {
		if start < 0 {
			return
		}
		if n == maxWords {
			copy(out[:], out[1:])
			n--
		}
		out[n] = word{start, end}
		n++
		start = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !isAlnum(c):
			push(i)
		case start < 0:
			start = i
		default:
			p := s[i-1]
			upper, pDigit := c >= 'A' && c <= 'Z', p >= '0' && p <= '9'
			if upper && p >= 'a' && p <= 'z' || // dbPassword
				(c >= '0' && c <= '9') != pDigit || // oauth2, sha256
				upper && p >= 'A' && p <= 'Z' && i+1 < len(s) && s[i+1] >= 'a' && s[i+1] <= 'z' { // APIKey
				push(i)
				start = i
			}
		}
	}
	push(len(s))
	return n
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func hasSuffixFold(w, suffix string) bool {
	return len(w) >= len(suffix) && strings.EqualFold(w[len(w)-len(suffix):], suffix)
}

// tailWords may follow the credential word without changing what the field holds.
var tailWords = []string{
	"value", "val", "str", "string", "b64", "base64", "hex", "raw", "plain", "plaintext", "text",
	"txt", "data", "enc", "encoded", "literal", "prod", "production", "dev", "development",
	"staging", "stage", "test", "qa", "local", "old", "new", "current", "previous", "prev",
	"primary", "secondary", "default", "override", "env",
}

// settingWords before the credential word make the field a setting about credentials.
var settingWords = []string{
	"allow", "empty", "enable", "enabled", "disable", "disabled", "require", "required", "use",
	"min", "max", "length", "public", "pub", "no", "skip", "generate", "random", "reset", "is",
	"has", "show", "hide", "mask", "masked", "expire", "expiry", "expires", "ttl", "rotate",
	"rotation", "validate", "validation", "policy", "complexity", "strength",
}

// keyQualifiers turn "key" into a credential word, with the noun used in messages.
var keyQualifiers = []struct{ word, noun string }{
	{"api", "an API key"}, {"access", "an access key"}, {"private", "a private key"},
	{"signing", "a signing key"}, {"encryption", "an encryption key"}, {"master", "a master key"},
	{"hmac", "an HMAC key"}, {"session", "a session key"}, {"license", "a license key"},
	{"licence", "a license key"}, {"shared", "a shared key"}, {"account", "an account key"},
	{"client", "a client key"}, {"app", "an app key"}, {"crypto", "an encryption key"},
	{"cipher", "an encryption key"}, {"aes", "an encryption key"}, {"jwt", "a signing key"},
	{"cookie", "a cookie key"}, {"storage", "a storage key"}, {"subscription", "a subscription key"},
}

// gluedKeys are compound words written without a separator ("apikey", "secretkey").
var gluedKeys = []struct {
	suffix, noun string
	strong       bool
}{
	{"secretkey", "a secret key", true}, {"apikey", "an API key", false},
	{"accesskey", "an access key", false}, {"privatekey", "a private key", false},
}

// wordInfo is what the lexicon knows about a lower-case word.
type wordInfo struct {
	tail, setting, aws bool
	// cred is set for words that name a credential on their own (password, token, secret...).
	cred keyClass
	// qualifier is the noun of "<word> key" (api key, signing key); secretKey marks "secret".
	qualifier string
	secretKey bool
	key       bool // "key" or "keys"
}

// lexicon indexes every word classifyKey cares about, so that reading a name costs one map
// lookup per word.
var lexicon = func() map[string]wordInfo {
	m := map[string]wordInfo{}
	set := func(w string, f func(*wordInfo)) {
		wi := m[w]
		f(&wi)
		m[w] = wi
	}
	for _, w := range tailWords {
		set(w, func(wi *wordInfo) { wi.tail = true })
	}
	for _, w := range settingWords {
		set(w, func(wi *wordInfo) { wi.setting = true })
	}
	for _, w := range []string{"aws", "amazon"} {
		set(w, func(wi *wordInfo) { wi.aws = true })
	}
	for _, q := range keyQualifiers {
		set(q.word, func(wi *wordInfo) { wi.qualifier = q.noun })
	}
	for _, w := range []string{"key", "keys"} {
		set(w, func(wi *wordInfo) { wi.key = true })
	}
	set("secret", func(wi *wordInfo) { wi.secretKey = true })
	for _, w := range []string{"password", "passwd", "pwd", "passphrase", "passcode", "pass"} {
		set(w, func(wi *wordInfo) { wi.cred = keyClass{noun: "a password", strong: true} })
	}
	for _, w := range []string{"secret", "secrets"} {
		set(w, func(wi *wordInfo) { wi.cred = keyClass{noun: "a secret"} })
	}
	set("token", func(wi *wordInfo) { wi.cred = keyClass{noun: "a token"} })
	for _, w := range []string{"credential", "credentials", "creds", "cred", "auth", "authorization"} {
		set(w, func(wi *wordInfo) { wi.cred = keyClass{noun: "a credential"} })
	}
	return m
}()

// lookupWord finds w in the lexicon, ignoring ASCII case, without allocating.
func lookupWord(w string) wordInfo {
	var buf [24]byte
	if len(w) > len(buf) {
		return wordInfo{}
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return lexicon[string(buf[:len(w)])]
}

// gluedCredential classifies words written without separators: rootpassword, clientsecret,
// authtoken, apikey.
func gluedCredential(w string) keyClass {
	switch {
	case len(w) > 8 && (hasSuffixFold(w, "password") || hasSuffixFold(w, "passwd") || hasSuffixFold(w, "passphrase")):
		return keyClass{noun: "a password", strong: true}
	case len(w) > 6 && hasSuffixFold(w, "secret"):
		return keyClass{noun: "a secret"}
	case len(w) > 5 && hasSuffixFold(w, "token"):
		return keyClass{noun: "a token"}
	}
	for _, g := range gluedKeys {
		if hasSuffixFold(w, g.suffix) {
			return keyClass{noun: g.noun, strong: g.strong}
		}
	}
	return keyClass{}
}

// classifyKey reads a field name. It does not allocate.
func classifyKey(name string) keyClass {
	if !mentionsCredential(name) {
		return keyClass{}
	}
	var ws [maxWords]word
	n := splitWords(name, &ws)
	w := func(i int) string { return name[ws[i].start:ws[i].end] }
	j := n - 1
	for j >= 0 && (isDigits(w(j)) || lookupWord(w(j)).tail) {
		j--
	}
	if j < 0 {
		return keyClass{}
	}
	last := lookupWord(w(j))
	k := last.cred
	switch {
	case last.key:
		if j == 0 {
			return keyClass{}
		}
		q := lookupWord(w(j - 1))
		switch {
		case q.secretKey || j >= 2 && strings.EqualFold(w(j-1), "access") && lookupWord(w(j-2)).secretKey:
			k = keyClass{noun: "a secret key", strong: true}
		case q.qualifier != "":
			k = keyClass{noun: q.qualifier}
		default:
			return keyClass{}
		}
	case !k.isCredential():
		if k = gluedCredential(w(j)); !k.isCredential() {
			return keyClass{}
		}
	}
	for i := 0; i < j; i++ {
		wi := lookupWord(w(i))
		if wi.setting {
			return keyClass{}
		}
		if wi.aws {
			k.aws = true
		}
	}
	return k
}
