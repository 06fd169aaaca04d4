// Package redact removes from messages what they may quote of a secret. A report never holds a
// Secret's value, yet some messages must quote their input to be understood, and the tools
// kubeharden builds on quote more than they need to:
//
//   - YAML parsers quote a scalar that does not fit its explicit tag ("cannot decode !!str
//     "s3cr3t" as a !!int"), a plain value that starts with '*' or '!' as the alias or tag it
//     reads it as ("unknown anchor 's3cr3t' referenced", "found undefined tag handle !s3!"),
//     and Helm's tpl the text it failed to render and the names its errors quote from it;
//   - a URL may carry a password (https://user:s3cr3t@host) or a token in its query.
//
// Such a message meets the input before anyone knows whether the document is a Secret, so the
// quoted part is removed from every message; the file and line still say where the problem is.
package redact

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Message returns msg without the parts listed in the package comment. Most messages hold none
// of them and are returned as they are, after a few substring tests.
func Message(msg string) string {
	if strings.Contains(msg, "anchor '") {
		msg = patterns().anchor.ReplaceAllString(msg, "anchor$1")
	}
	if strings.Contains(msg, "tag handle ") {
		msg = patterns().tagHandle.ReplaceAllString(msg, "found an undefined tag handle")
	}
	if strings.Contains(msg, "cannot ") {
		msg = patterns().tagValue.ReplaceAllString(msg, "$1 value")
		msg = patterns().template.ReplaceAllString(msg, "$1 a template")
	}
	if strings.Contains(msg, "tpl function") {
		msg = patterns().template.ReplaceAllString(msg, "$1 a template")
	}
	if i := strings.Index(msg, "error calling tpl:"); i >= 0 {
		// The text tpl renders is data, and so are the names its errors quote from it
		// ("function "s3cr3t" not defined").
		msg = msg[:i] + patterns().quoted.ReplaceAllString(msg[i:], "a name")
	}
	if strings.Contains(msg, "://") {
		msg = patterns().url.ReplaceAllStringFunc(msg, URL)
	}
	return msg
}

// URL returns u with the password of its user information and the values of its query
// replaced by "xxxxx" (url.URL.Redacted for the password). Text that does not parse as a URL
// is returned as it is, but for what looks like a password before an '@'.
func URL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return patterns().userinfo.ReplaceAllString(u, "${1}xxxxx@")
	}
	if _, has := p.User.Password(); !has && p.RawQuery == "" {
		return u
	}
	if p.RawQuery != "" {
		q := p.Query()
		for k := range q {
			q[k] = []string{"xxxxx"}
		}
		p.RawQuery = q.Encode()
	}
	return p.Redacted()
}

// DecodedValues removes the values a decoder quotes when a value does not fit its field
// ("cannot use string "x" as int32" becomes "cannot use a string as int32"), keeping what is
// wrong. The value is left out whatever the field: one that is not secret by its name may still
// hold a secret (a CSI driver's volumeAttributes.password).
func DecodedValues(msg string) string {
	if !strings.Contains(msg, "cannot use ") {
		return msg
	}
	p := patterns()
	msg = p.quotedValue.ReplaceAllString(msg, "a string")
	msg = p.numberValue.ReplaceAllString(msg, "a number")
	return p.boolValue.ReplaceAllString(msg, "a bool")
}

type compiled struct {
	anchor, tagHandle, tagValue, template, quoted, url, userinfo *regexp.Regexp
	quotedValue, numberValue, boolValue                          *regexp.Regexp
}

// patterns are compiled on first use: most runs never meet such a message, and every command
// pays for package-level regular expressions at start-up.
var patterns = sync.OnceValue(func() *compiled {
	const quoted = `"(?:[^"\\]|\\.)*"(?:\.\.\.)?`
	return &compiled{
		anchor:    regexp.MustCompile(`anchor '(?s:.*?)'( referenced| value contains itself)`),
		tagHandle: regexp.MustCompile(`found (?:an )?undefined tag handle \S+`),
		tagValue:  regexp.MustCompile(`(cannot (?:decode|unmarshal) !!\w+) (?:` + quoted + "|`[^`]*`)"),
		template:  regexp.MustCompile(`(cannot parse template|error during tpl function execution for) ` + quoted),
		quoted:    regexp.MustCompile(quoted),
		url:       regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`),
		userinfo:  regexp.MustCompile(`(://[^/\s:@]*:)[^/\s@]*@`),

		quotedValue: regexp.MustCompile(`string ` + quoted),
		numberValue: regexp.MustCompile(`\b(?:int|float) \S+`),
		boolValue:   regexp.MustCompile(`\bbool \S+`),
	}
})
