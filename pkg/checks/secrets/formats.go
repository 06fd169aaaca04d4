package secrets

// Well-known credential formats, recognised wherever they appear in a value, whatever its key.
//
// Each detector is a hand-written scanner over a documented public format rather than a regular
// expression: the scanners run over every env value, ConfigMap entry and annotation of a scan.
// One pass over the value first looks for the formats' literal prefixes (AKIA, eyJ, ghp_, ...),
// so a value that holds none of them costs a table lookup per byte and no allocation. A format is only reported when the whole token is well formed (length,
// alphabet, boundaries), so prose that merely mentions "Bearer" or "PRIVATE KEY" does not count.

import (
	"encoding/base64"
	"strings"
)

// evidence is a set of kinds of credential found in one value.
type evidence uint16

const (
	evAWSAccessKeyID evidence = 1 << iota
	evPrivateKey
	evJWT
	evGitHubToken
	evSlackToken
	evSlackWebhook
	evGoogleAPIKey
	evStripeKey
	evBearerToken
	evBasicAuth
	evURLPassword
	numEvidence = iota
)

// evidenceNames are the phrases used in messages, in the order of the bits above.
var evidenceNames = [numEvidence]string{
	"an AWS access key ID",
	"a private key",
	"a JSON Web Token",
	"a GitHub token",
	"a Slack token",
	"a Slack webhook URL",
	"a Google API key",
	"a Stripe live secret key",
	"a bearer token",
	"HTTP basic-auth credentials",
	"a URL with an embedded password",
}

// describe renders the kinds of evidence as "a JSON Web Token and a private key".
func (e evidence) describe() string {
	var parts []string
	for i := 0; i < numEvidence; i++ {
		if e&(1<<i) != 0 {
			parts = append(parts, evidenceNames[i])
		}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// candidate is a set of formats whose literal prefix occurs in a value.
type candidate uint16

const (
	cAWS candidate = 1 << iota
	cPEM
	cJWT
	cGitHub
	cSlack
	cSlackWebhook
	cGoogle
	cStripe
	cBearer
	cBasic
	cURL
)

// prefixStart marks the bytes a format prefix can start with: A (AKIA, ASIA, AIza), - (-----BEGIN),
// e (eyJ), g (gh?_, github_pat_), x (xox), h (hooks.slack.com), _ (_live_), B and b (Bearer,
// Basic, bearer), : (://).
var prefixStart = func() (t [256]bool) {
	for _, c := range "A-egxh_Bb:" {
		t[c] = true
	}
	return t
}()

// candidates finds, in one pass over s, which formats' prefixes occur in it. Most values have
// none; the detectors, which check the whole token, only run for those that do.
func candidates(s string) candidate {
	var c candidate
	for i := 0; i < len(s); i++ {
		if !prefixStart[s[i]] {
			continue
		}
		r := s[i:]
		switch s[i] {
		case 'A':
			if strings.HasPrefix(r, "AKIA") || strings.HasPrefix(r, "ASIA") {
				c |= cAWS
			} else if strings.HasPrefix(r, "AIza") {
				c |= cGoogle
			}
		case '-':
			if strings.HasPrefix(r, "-----BEGIN ") {
				c |= cPEM
			}
		case 'e':
			if strings.HasPrefix(r, "eyJ") {
				c |= cJWT
			}
		case 'g':
			if len(r) > 3 && r[1] == 'h' && r[3] == '_' || strings.HasPrefix(r, "github_pat_") {
				c |= cGitHub
			}
		case 'x':
			if strings.HasPrefix(r, "xox") {
				c |= cSlack
			}
		case 'h':
			if strings.HasPrefix(r, "hooks.slack.com/services/") {
				c |= cSlackWebhook
			}
		case '_':
			if strings.HasPrefix(r, "_live_") {
				c |= cStripe
			}
		case 'B', 'b':
			if strings.HasPrefix(r, "Bearer ") || strings.HasPrefix(r, "bearer ") || strings.HasPrefix(r, "BEARER ") {
				c |= cBearer
			} else if strings.HasPrefix(r, "Basic ") {
				c |= cBasic
			}
		case ':':
			if strings.HasPrefix(r, "://") {
				c |= cURL
			}
		}
	}
	return c
}

// scanFormats returns the well-known credential formats found anywhere in s.
func scanFormats(s string) evidence {
	if len(s) < 16 {
		return 0
	}
	c := candidates(s)
	if c == 0 {
		return 0
	}
	var ev evidence
	if c&cAWS != 0 && hasAWSAccessKeyID(s) {
		ev |= evAWSAccessKeyID
	}
	if c&cPEM != 0 && hasPEMPrivateKey(s) {
		ev |= evPrivateKey
	}
	if c&cJWT != 0 && hasJWT(s) {
		ev |= evJWT
	}
	if c&cGitHub != 0 && hasGitHubToken(s) {
		ev |= evGitHubToken
	}
	if c&cSlack != 0 && hasSlackToken(s) {
		ev |= evSlackToken
	}
	if c&cSlackWebhook != 0 && hasSlackWebhook(s) {
		ev |= evSlackWebhook
	}
	if c&cGoogle != 0 && hasGoogleAPIKey(s) {
		ev |= evGoogleAPIKey
	}
	if c&cStripe != 0 && hasStripeKey(s) {
		ev |= evStripeKey
	}
	if c&cBearer != 0 && ev&evJWT == 0 && hasBearerToken(s) {
		ev |= evBearerToken
	}
	if c&cBasic != 0 && hasBasicAuth(s) {
		ev |= evBasicAuth
	}
	if c&cURL != 0 && hasURLPassword(s) {
		ev |= evURLPassword
	}
	return ev
}

func isUpperOrDigit(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
func isAlnum(c byte) bool        { return c >= 'a' && c <= 'z' || isUpperOrDigit(c) }
func isBase64URL(c byte) bool    { return isAlnum(c) || c == '-' || c == '_' }
func isBase64Std(c byte) bool    { return isAlnum(c) || c == '+' || c == '/' }

// boundaryBefore reports whether the token starting at i is not the tail of a longer word.
func boundaryBefore(s string, i int) bool { return i == 0 || !isAlnum(s[i-1]) }

// runLen counts the bytes from i on that satisfy ok.
func runLen(s string, i int, ok func(byte) bool) int {
	n := 0
	for i+n < len(s) && ok(s[i+n]) {
		n++
	}
	return n
}

// forEach calls f with the index of every occurrence of sub in s until f returns true.
func forEach(s, sub string, f func(i int) bool) bool {
	for off := 0; ; {
		j := strings.Index(s[off:], sub)
		if j < 0 {
			return false
		}
		if f(off + j) {
			return true
		}
		off += j + 1
	}
}

// hasAWSAccessKeyID finds AKIA (long-term) or ASIA (temporary) followed by exactly 16 upper-case
// letters and digits, the documented shape of an IAM access key ID.
func hasAWSAccessKeyID(s string) bool {
	for _, p := range [...]string{"AKIA", "ASIA"} {
		if forEach(s, p, func(i int) bool {
			return boundaryBefore(s, i) && runLen(s, i+4, isUpperOrDigit) == 16 &&
				(i+20 == len(s) || !isAlnum(s[i+20]))
		}) {
			return true
		}
	}
	return false
}

// hasPEMPrivateKey finds a "-----BEGIN ... PRIVATE KEY-----" header (RSA, EC, DSA, OPENSSH,
// ENCRYPTED, PGP ... BLOCK, or none) followed by base64 key material, so that a script that greps
// for the header is not mistaken for a key.
func hasPEMPrivateKey(s string) bool {
	return forEach(s, "-----BEGIN ", func(i int) bool {
		rest := s[i+len("-----BEGIN "):]
		end := strings.Index(rest, "-----")
		if end < 0 || end > 40 {
			return false
		}
		label := rest[:end]
		if !strings.HasSuffix(label, "PRIVATE KEY") && !strings.HasSuffix(label, "PRIVATE KEY BLOCK") {
			return false
		}
		return hasKeyMaterial(rest[end+5:])
	})
}

// hasKeyMaterial skips line breaks (real or written as \n), RFC 1421 headers such as Proc-Type
// and DEK-Info and PGP armor headers, and then wants at least 32 base64 characters.
func hasKeyMaterial(s string) bool {
	for len(s) > 0 {
		switch {
		case s[0] == '\n' || s[0] == '\r' || s[0] == ' ' || s[0] == '\t':
			s = s[1:]
		case strings.HasPrefix(s, `\n`):
			s = s[2:]
		default:
			line := s
			if j := strings.IndexAny(s, "\r\n"); j >= 0 {
				line = s[:j]
			}
			if strings.Contains(line, ": ") {
				s = s[len(line):]
				continue
			}
			return runLen(s, 0, func(c byte) bool { return isBase64Std(c) || c == '=' }) >= 32
		}
	}
	return false
}

// hasJWT finds header.payload.signature where header and payload are base64url JSON objects
// (so both start with "eyJ", the encoding of `{"`). The signature may be empty (alg none).
func hasJWT(s string) bool {
	return forEach(s, "eyJ", func(i int) bool {
		if i > 0 && isBase64URL(s[i-1]) {
			return false
		}
		h := runLen(s, i, isBase64URL)
		if h < 10 || i+h >= len(s) || s[i+h] != '.' {
			return false
		}
		j := i + h + 1
		if !strings.HasPrefix(s[j:], "eyJ") {
			return false
		}
		p := runLen(s, j, isBase64URL)
		return p >= 10 && j+p < len(s) && s[j+p] == '.'
	})
}

// hasGitHubToken finds GitHub's prefixed tokens: ghp_ (classic personal), gho_ (OAuth), ghu_
// (user-to-server), ghs_ (server-to-server), ghr_ (refresh), each with 36 base62 characters, and
// github_pat_ fine-grained tokens.
func hasGitHubToken(s string) bool {
	if strings.Contains(s, "github_pat_") && forEach(s, "github_pat_", func(i int) bool {
		return boundaryBefore(s, i) && runLen(s, i+11, func(c byte) bool { return isAlnum(c) || c == '_' }) >= 70
	}) {
		return true
	}
	return forEach(s, "gh", func(i int) bool {
		if i+4 > len(s) || s[i+3] != '_' || strings.IndexByte("pousr", s[i+2]) < 0 || !boundaryBefore(s, i) {
			return false
		}
		n := runLen(s, i+4, isAlnum)
		return n >= 36 && n <= 251
	})
}

// hasSlackToken finds xoxa-, xoxb-, xoxp-, xoxr- and xoxs- tokens: dash-separated numeric team
// and user parts and a random part. Requiring digits keeps "xoxb-your-token" out.
func hasSlackToken(s string) bool {
	return forEach(s, "xox", func(i int) bool {
		if !boundaryBefore(s, i) || i+5 > len(s) || strings.IndexByte("abprs", s[i+3]) < 0 || s[i+4] != '-' {
			return false
		}
		body := s[i+5:]
		n := runLen(body, 0, func(c byte) bool { return isAlnum(c) || c == '-' })
		body = body[:n]
		return n >= 20 && strings.Count(body, "-") >= 2 && strings.IndexAny(body, "0123456789") >= 0
	})
}

// hasSlackWebhook finds https://hooks.slack.com/services/T.../B.../secret.
func hasSlackWebhook(s string) bool {
	return forEach(s, "hooks.slack.com/services/", func(i int) bool {
		rest := s[i+len("hooks.slack.com/services/"):]
		for n, first := range []byte{'T', 'B', 0} {
			l := runLen(rest, 0, isAlnum)
			if first != 0 && (l < 8 || rest[0] != first) || first == 0 && l < 20 {
				return false
			}
			if n < 2 {
				if l >= len(rest) || rest[l] != '/' {
					return false
				}
				rest = rest[l+1:]
			}
		}
		return true
	})
}

// hasGoogleAPIKey finds AIza followed by exactly 35 base64url characters.
func hasGoogleAPIKey(s string) bool {
	return forEach(s, "AIza", func(i int) bool {
		return boundaryBefore(s, i) && runLen(s, i+4, isBase64URL) == 35
	})
}

// hasStripeKey finds live secret (sk_live_) and restricted (rk_live_) keys. Test-mode keys
// (sk_test_) grant no access to real money and are left alone.
func hasStripeKey(s string) bool {
	return forEach(s, "_live_", func(i int) bool {
		if i < 2 || (s[i-2] != 's' && s[i-2] != 'r') || s[i-1] != 'k' || !boundaryBefore(s, i-2) {
			return false
		}
		return runLen(s, i+6, isAlnum) >= 24
	})
}

// hasBearerToken finds "Bearer <token>" (as in an Authorization header) whose token is a literal,
// random-looking token68 string rather than a variable or a placeholder.
func hasBearerToken(s string) bool {
	for _, p := range [...]string{"Bearer ", "bearer ", "BEARER "} {
		if !strings.Contains(s, p) {
			continue
		}
		if forEach(s, p, func(i int) bool {
			j := i + len(p)
			n := runLen(s, j, func(c byte) bool {
				return isAlnum(c) || strings.IndexByte("-._~+/=", c) >= 0
			})
			tok := s[j : j+n]
			return looksRandom(tok) && !isPlaceholder(tok)
		}) {
			return true
		}
	}
	return false
}

// hasBasicAuth finds "Basic <base64>" whose base64 decodes to printable "user:password" with a
// non-empty password: the HTTP basic scheme, which is the password itself, only encoded.
func hasBasicAuth(s string) bool {
	return forEach(s, "Basic ", func(i int) bool {
		j := i + len("Basic ")
		n := runLen(s, j, func(c byte) bool { return isBase64Std(c) || c == '=' })
		if n < 8 || n%4 != 0 || n > 340 {
			return false
		}
		var buf [256]byte
		m, err := base64.StdEncoding.Decode(buf[:], []byte(s[j:j+n]))
		if err != nil {
			return false
		}
		dec := buf[:m]
		colon := -1
		for k, c := range dec {
			if c < 0x20 || c > 0x7e {
				return false
			}
			if c == ':' && colon < 0 {
				colon = k
			}
		}
		return colon > 0 && colon < m-1 && !isPlaceholder(string(dec[colon+1:]))
	})
}

// hasURLPassword finds scheme://user:password@host with a literal password: database URLs,
// broker URLs, git remotes with a token.
func hasURLPassword(s string) bool {
	return forEach(s, "://", func(i int) bool {
		// The scheme: letters, digits, + - . before ://
		k := i
		for k > 0 && (isAlnum(s[k-1]) || s[k-1] == '+' || s[k-1] == '-' || s[k-1] == '.') {
			k--
		}
		if i-k < 2 {
			return false
		}
		rest := s[i+3:]
		// The authority ends at the first /, ?, #, whitespace or quote.
		end := strings.IndexAny(rest, "/?# \t\r\n\"'`,;")
		if end < 0 {
			end = len(rest)
		}
		auth := rest[:end]
		at := strings.LastIndexByte(auth, '@')
		if at < 0 {
			return false
		}
		userinfo := auth[:at]
		colon := strings.IndexByte(userinfo, ':')
		if colon < 0 || colon == len(userinfo)-1 || at == len(auth)-1 {
			return false
		}
		pw := userinfo[colon+1:]
		return !isPlaceholder(pw)
	})
}
