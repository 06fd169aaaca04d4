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
	if strings.Contains(msg, "invalid map key: ") {
		// go-yaml's "invalid map key: []interface {}{"s3cr3t"}": a key written as a list or a
		// map, whose text may be a value.
		msg = patterns().mapKey.ReplaceAllString(msg, "invalid map key (a list or a map)")
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
		// A quoted URL first (Go's errors quote the one they failed on, spaces and all), then
		// any other.
		msg = patterns().quotedURL.ReplaceAllStringFunc(msg, func(q string) string { return `"` + URL(q[1:len(q)-1]) + `"` })
		msg = patterns().url.ReplaceAllStringFunc(msg, URL)
	}
	return msg
}

// URL returns u with its user information and the values of its query replaced by "xxxxx"
// (the user name is kept before a password). The user information runs from "scheme://" (or
// the start, without a scheme) to the last '@', whatever it holds ('/', '?', spaces and quotes
// included, which a URL parser would take for the path or refuse); the query from the first
// '?' after it.
func URL(u string) string {
	head, rest := "", u
	if i := strings.Index(u, "://"); i >= 0 {
		head, rest = u[:i+3], u[i+3:]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		user := "xxxxx"
		if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
			user = rest[:colon+1] + "xxxxx"
		}
		head, rest = head+user+"@", rest[at+1:]
	}
	q := strings.IndexByte(rest, '?')
	if q < 0 {
		return head + rest
	}
	params := strings.Split(rest[q+1:], "&")
	for i, kv := range params {
		if k, _, ok := strings.Cut(kv, "="); ok {
			params[i] = k + "=xxxxx"
		} else if kv != "" {
			params[i] = "xxxxx"
		}
	}
	return head + rest[:q+1] + strings.Join(params, "&")
}

// DecodedValues removes the values a decoder quotes when a value does not fit its field
// ("cannot use string "x" as int32" becomes "cannot use a string as int32"), keeping what is
// wrong. The value is left out whatever the field: one that is not secret by its name may still
// hold a secret (a CSI driver's volumeAttributes.password).
//
// What the field's own decoder adds (a time's "parsing time "x" as ...", an int-or-string's
// "cannot unmarshal number 123 ...") loses its quoted texts and numbers too.
func DecodedValues(msg string) string {
	if !strings.Contains(msg, "cannot use ") {
		return msg
	}
	p := patterns()
	msg = p.quotedValue.ReplaceAllString(msg, "a string")
	msg = p.numberValue.ReplaceAllString(msg, "a number")
	msg = p.boolValue.ReplaceAllString(msg, "a bool")
	return Quoted(msg)
}

// Quoted replaces every double-quoted text in msg ("x", with Go's escapes) by "…", and a quote
// left open at the end of msg (a message cut short: `parsing time "s3cr3t...`) by "…".
func Quoted(msg string) string {
	if !strings.Contains(msg, `"`) {
		return msg
	}
	return patterns().quotedToEnd.ReplaceAllString(msg, `"…"`)
}

type compiled struct {
	anchor, tagHandle, tagValue, mapKey, template, quoted, quotedToEnd, quotedURL, url *regexp.Regexp
	quotedValue, numberValue, boolValue                                                *regexp.Regexp
}

// patterns are compiled on first use: most runs never meet such a message, and every command
// pays for package-level regular expressions at start-up.
var patterns = sync.OnceValue(func() *compiled {
	const quoted = `"(?:[^"\\]|\\.)*"(?:\.\.\.)?`
	return &compiled{
		anchor:      regexp.MustCompile(`anchor '(?s:.*?)'( referenced| value contains itself)`),
		tagHandle:   regexp.MustCompile(`found (?:an )?undefined tag handle !\S*`),
		tagValue:    regexp.MustCompile(`(cannot (?:decode|unmarshal) !!\w+) (?:` + quoted + "|`[^\n]*`)"),
		mapKey:      regexp.MustCompile(`invalid map key: [^\n]*`),
		template:    regexp.MustCompile(`(cannot parse template|error during tpl function execution for) ` + quoted),
		quoted:      regexp.MustCompile(quoted),
		quotedToEnd: regexp.MustCompile(`"(?:[^"\\]|\\.)*(?:"|$)`),
		url:         regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`),
		quotedURL:   regexp.MustCompile(`"[A-Za-z][A-Za-z0-9+.-]*://[^"\n]*"`),

		quotedValue: regexp.MustCompile(`string ` + quoted),
		numberValue: regexp.MustCompile(`\b(?:int|float|number) [-+]?[0-9.]\S*`),
		boolValue:   regexp.MustCompile(`\bbool \S+`),
	}
})
