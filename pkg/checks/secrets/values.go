package secrets

// Whether a value under a credential-like name is a credential.
//
// Configuration is full of values that sit under such names without being credentials: template
// variables, placeholders people are meant to replace, paths to mounted Secret files, references
// to Secret objects or to external stores, flags. Those pass. What is left counts as a credential
// when the name is a strong one (a password: whatever it is set to is the password), or, for
// weaker names (token, secret, auth, API key), when it also looks machine-generated.

import (
	"math"
	"strings"
)

// minEntropy is the Shannon entropy, in bits per character, above which a value of at least
// minRandomLen characters looks machine-generated. Random base62 strings of 16 characters score
// about 3.7 and rarely fall below 3.3; hex strings, with 16 symbols, average 3.7 for 32
// characters but spread lower, hence their own bar. The character-class rules in looksRandom
// do most of the work against words; entropy removes repetitive strings (aaaa1111, abcabc12).
const (
	minEntropy    = 3.3
	minHexEntropy = 3.0
	minRandomLen  = 16
)

// credentialValue reports whether v, the value of a field whose name is classified as k, looks
// like a real credential. It does not allocate.
func credentialValue(k keyClass, v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 3 || isPlaceholder(v) || isReference(v) {
		return false
	}
	if k.strong {
		return true
	}
	return looksRandom(v)
}

// awsSecretAccessKey reports whether v has the shape of an AWS secret access key: 40 characters
// of base64 with mixed case and digits.
func awsSecretAccessKey(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) != 40 || runLen(v, 0, isBase64Std) != 40 {
		return false
	}
	return strings.IndexFunc(v, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 &&
		strings.IndexFunc(v, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0 &&
		strings.IndexFunc(v, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0
}

// notInTokens are characters generated credentials do not contain but code and prose do:
// os.environ["TOKEN"], getToken(), a, b.
const notInTokens = "()[]{}<>\"'`,;\\"

// looksRandom reports whether v looks machine-generated: long enough; no spaces, brackets or
// quotes; digits mixed with letters, or upper and lower case mixed the way random strings mix
// them rather than the way CamelCase words do; and high character entropy. Hex strings (digests,
// UUIDs, hex-encoded keys) draw on 16 symbols only, so their entropy bar is lower.
func looksRandom(v string) bool {
	if len(v) < minRandomLen {
		return false
	}
	var lower, upper, digit, hex, upperPairs int
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z':
			lower++
		case c >= 'A' && c <= 'Z':
			upper++
			if i > 0 && v[i-1] >= 'A' && v[i-1] <= 'Z' {
				upperPairs++
			}
		case c >= '0' && c <= '9':
			digit++
		case c <= ' ' || c >= 0x7f || strings.IndexByte(notInTokens, c) >= 0:
			return false
		}
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '-' {
			hex++
		}
	}
	switch {
	case digit > 0 && lower+upper > 0:
	case lower > 0 && upper > 0:
		// Without digits, random mixed case has runs of capitals and a fair share of them;
		// CamelCase words (ThisIsNotRandom) have neither.
		if upperPairs < 2 || upper*10 < (lower+upper)*3 {
			return false
		}
	default:
		return false
	}
	if hex == len(v) {
		return entropy(v) >= minHexEntropy
	}
	return entropy(v) >= minEntropy
}

// entropy is the Shannon entropy of the bytes of s, in bits per byte.
func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// placeholderWords mark values meant to be replaced. They are matched case-insensitively after
// undoing common letter-for-digit substitutions, so "Ple4seCh4ngeMe" counts.
var placeholderWords = []string{
	"change", "replace", "placeholder", "example", "sample", "dummy", "your", "insert",
	"redacted", "todo", "fixme", "notreal", "notasecret", "foobar", "xxx", "***", "...",
}

// booleanish values are flags, not credentials.
var booleanish = []string{
	"true", "false", "yes", "no", "on", "off", "null", "nil", "none", "enabled", "disabled",
	"required", "optional", "empty", "n/a", "na", "unset", "changeit",
}

func isBooleanish(v string) bool {
	if len(v) > 8 {
		return false
	}
	for _, b := range booleanish {
		if strings.EqualFold(v, b) {
			return true
		}
	}
	return false
}

// isPlaceholder reports whether v is a stand-in rather than a value: empty, a variable or
// template expression (${VAR}, $(VAR), $VAR, {{ .Values.x }}, #{x}, %(x)s, <your-token>, {VAR}),
// a run of one character (xxxxxx, ******), an upper-case identifier (SECRET, HF_TOKEN), a word
// such as "changeme" or "example", or a flag value. changeit, Java's default keystore password,
// is treated as a flag: it is a known default, not a secret anyone chose.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || isBooleanish(v) {
		return true
	}
	switch v[0] {
	case '$', '<':
		return true
	case '{':
		if v[len(v)-1] == '}' {
			return true
		}
	}
	for _, t := range [...]string{"{{", "${", "$(", "#{", "%(", "%{"} {
		if strings.Contains(v, t) {
			return true
		}
	}
	if lt := strings.IndexByte(v, '<'); lt >= 0 && strings.IndexByte(v[lt:], '>') > 1 {
		return true
	}
	if sameByte(v) || upperIdentifier(v) {
		return true
	}
	return containsPlaceholderWord(v)
}

func sameByte(v string) bool {
	for i := 1; i < len(v); i++ {
		if v[i] != v[0] {
			return false
		}
	}
	return len(v) > 1
}

// upperIdentifier matches SECRET, HF_TOKEN, INSERT_TOKEN_HERE, API_KEY_1: names of what should
// go there. Mixed-case or lower-case strings, and upper-case strings with digits but no
// underscore, may be real values and do not match.
func upperIdentifier(v string) bool {
	underscore, digit := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z':
		case c == '_':
			underscore = true
		case c >= '0' && c <= '9' && i > 0:
			digit = true
		default:
			return false
		}
	}
	return len(v) >= 3 && (underscore || !digit)
}

// containsPlaceholderWord looks for placeholderWords in the first 256 bytes of v, lower-cased
// and with 4→a, 3→e, 0→o, 1→i, 5→s, 7→t, @→a undone.
func containsPlaceholderWord(v string) bool {
	var buf [256]byte
	n := copy(buf[:], v)
	for i := 0; i < n; i++ {
		c := buf[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '4' || c == '@':
			c = 'a'
		case c == '3':
			c = 'e'
		case c == '0':
			c = 'o'
		case c == '1':
			c = 'i'
		case c == '5':
			c = 's'
		case c == '7':
			c = 't'
		}
		buf[i] = c
	}
	s := buf[:n]
	for _, w := range placeholderWords {
		if bytesContains(s, w) {
			return true
		}
	}
	return false
}

func bytesContains(b []byte, sub string) bool {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == sub {
			return true
		}
	}
	return false
}

// referencePrefixes introduce references to secret stores and cloud resources, not values:
// AWS ARNs, Vault paths, Google Secret Manager names, Kubernetes and external-secrets references.
var referencePrefixes = []string{
	"arn:", "vault:", "ref+", "secret:", "secretref:", "secretkeyref:", "projects/", "op://",
	"sm://", "gcpsm://", "awssm://", "azkv://", "keyvault:", "k8s:", "file:", "env:",
}

// fileSuffixes are the extensions of files that hold credentials, so a value ending in one
// names the file (tls.key, sa.json), not its content.
var fileSuffixes = []string{
	".key", ".pem", ".crt", ".cert", ".cer", ".der", ".p12", ".pfx", ".jks", ".json", ".yaml",
	".yml", ".txt", ".conf", ".cfg", ".env", ".properties", ".token", ".keytab", ".asc", ".gpg",
}

// isReference reports whether v points at a credential instead of being one: a file path, a URL
// without a password, a Secret named namespace/name, a secret-store reference, a file name.
func isReference(v string) bool {
	if v[0] == '/' || v[0] == '~' || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") ||
		len(v) > 2 && v[1] == ':' && (v[2] == '\\' || v[2] == '/') {
		return !strings.ContainsAny(v, " \t")
	}
	for _, p := range referencePrefixes {
		if len(v) > len(p) && strings.EqualFold(v[:len(p)], p) {
			return true
		}
	}
	if i := strings.Index(v, "://"); i > 0 && !hasURLPassword(v) {
		return true
	}
	for _, s := range fileSuffixes {
		if hasSuffixFold(v, s) && len(v) > len(s) {
			return true
		}
	}
	return namespacedName(v)
}

// namespacedName matches slash-separated lower-case DNS labels such as default/ca-secret or
// database/creds/app: how Kubernetes and Vault name things, not how generated secrets look.
func namespacedName(v string) bool {
	slashes := 0
	prev := byte('/')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '/':
			if prev == '/' {
				return false
			}
			slashes++
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_':
		default:
			return false
		}
		prev = c
	}
	return slashes > 0 && prev != '/'
}
