package secrets

// Scanning one field: its value for well-known formats, its name and value together, and, for
// values that are whole configuration files, the settings inside them.

import "strings"

// finding is what one field gives away. It never holds any part of the value.
type finding struct {
	formats evidence
	// noun is set when the field's name and value look like a credential ("a password"), or,
	// with setting, when a setting inside the value does.
	noun string
	// setting names the setting inside a file-like value ("spring.datasource.password").
	setting string
}

func (f *finding) found() bool { return f.formats != 0 || f.noun != "" }

// describe renders what was found, after the field's own description.
func (f *finding) describe() string {
	switch {
	case f.formats != 0:
		return "contains " + f.formats.describe()
	case f.setting != "":
		return "sets " + quote(f.setting) + " to a value that looks like " + f.noun
	default:
		return "holds a value that looks like " + f.noun
	}
}

// quote quotes s for a message, shortened: setting names come from the scanned text.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:61] + "..."
	}
	return `"` + s + `"`
}

// scanField examines the field called name holding v. It does not allocate.
func scanField(name, v string) finding {
	f := finding{formats: scanFormats(v)}
	if f.formats != 0 {
		return f
	}
	if k := classifyKey(name); k.isCredential() {
		t := strings.TrimSpace(v)
		if strings.IndexByte(t, '\n') < 0 {
			switch {
			case k.aws && awsSecretAccessKey(t):
				f.noun = "an AWS secret access key"
			case credentialValue(k, t):
				f.noun = k.noun
			}
			return f
		}
	}
	f.setting, f.noun = scanSettings(name, v)
	return f
}

// scanSettings looks inside a value holding a configuration file or a command line for a
// setting whose name suggests a credential and whose value looks like one: one setting per line
// (properties, INI, YAML, shell), settings inside a line (one-line JSON, XML elements and
// attributes, URL and JDBC query strings, connection strings, -Dname=value, --flag=value),
// space-separated flags and directives (--db-password value, requirepass value), and, when the
// field's name says so, .pgpass and .netrc entries. Password arguments without a name of their
// own, mysql -pVALUE and curl -u user:VALUE, are read when the value runs those programs.
//
// Inside files the bar is higher than for a field's own name: files are full of lines such as
// "passwd: compat" (nsswitch.conf) and "auth_client_required = cephx" (ceph.conf). So weak names
// need a random-looking value, and even password settings need one of at least 8 characters
// that mixes letters with digits or symbols. A short dictionary password inside a file is
// missed; a key, token or generated password is not.
func scanSettings(name, v string) (setting, noun string) {
	h := hintsOf(name)
	// Only lines that mention a credential stem are read, found in one pass over the value.
	for off := 0; off < len(v); {
		i := indexCredentialStem(v[off:])
		if i < 0 {
			break
		}
		i += off
		start := strings.LastIndexByte(v[:i], '\n') + 1
		end := strings.IndexByte(v[i:], '\n')
		if end < 0 {
			end = len(v)
		} else {
			end += i
		}
		line := v[start:end]
		off = end + 1
		if name, val, ok := assignment(line); ok {
			name = strings.TrimLeft(name, "-") // --db-password=value
			if n := settingCredential(name, val); n != "" {
				return name, n
			}
		}
		if name, n := inlineSetting(line); n != "" {
			return name, n
		}
		if name, n := scanWords(line, h); n != "" {
			return name, n
		}
	}
	// Lines without a credential stem: .pgpass entries, and mysql and curl command lines.
	if h&hintPgpass != 0 {
		if n := pgpassPassword(v); n != "" {
			return "password", n
		}
	}
	// Their password arguments (-p, -u, --user) all start with a dash.
	if strings.IndexByte(v, '-') >= 0 && (strings.Contains(v, "mysql") || strings.Contains(v, "mariadb") || strings.Contains(v, "curl")) {
		for line := range strings.Lines(v) {
			if name, n := scanWords(strings.TrimSuffix(line, "\n"), h); n != "" {
				return name, n
			}
		}
	}
	return "", ""
}

// hints are what a field's name says about the format of its value.
type hints uint8

const (
	hintPgpass hints = 1 << iota // a PostgreSQL password file: host:port:db:user:password
	hintNetrc                    // a .netrc file: machine h login u password p
)

func hintsOf(name string) hints {
	var h hints
	for i := 0; i+5 <= len(name); i++ {
		switch {
		case hasFoldAt(name, i, "pgpass"):
			h |= hintPgpass
		case hasFoldAt(name, i, "netrc"):
			h |= hintNetrc
		}
	}
	return h
}

// pgpassPassword reads the password field of each host:port:database:user:password line.
func pgpassPassword(v string) string {
	for off := 0; off < len(v); {
		end := strings.IndexByte(v[off:], '\n')
		if end < 0 {
			end = len(v)
		} else {
			end += off
		}
		line := strings.TrimSpace(v[off:end])
		off = end + 1
		if line == "" || line[0] == '#' {
			continue
		}
		fields, last := 0, 0
		for k := 0; k < len(line); k++ {
			switch line[k] {
			case '\\':
				k++
			case ':':
				fields++
				last = k + 1
			}
		}
		if fields == 4 {
			if n := judgeSetting(passwordClass, line[last:]); n != "" {
				return n
			}
		}
	}
	return ""
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func isNameByte(c byte) bool { return isAlnum(c) || c == '_' || c == '.' || c == '-' }

// inlineSetting finds a setting written inside a line rather than as the whole line:
// {"db":{"password":"..."}}, <password>...</password>, password="...", ?user=u&password=...,
// Server=db;Password=...;, -Dname=value and --name=value. Each name around a credential stem is
// read with what follows it: a closing quote, then = or :, or > for an XML element.
func inlineSetting(line string) (setting, noun string) {
	for off := 0; off < len(line); {
		i := indexCredentialStem(line[off:])
		if i < 0 {
			break
		}
		i += off
		ns, ne := i, i
		for ns > 0 && isNameByte(line[ns-1]) {
			ns--
		}
		for ne < len(line) && isNameByte(line[ne]) {
			ne++
		}
		off = ne
		name, val, ok := inlineValue(line, ns, ne)
		if !ok {
			continue
		}
		dashes := len(name)
		name = strings.TrimLeft(name, "-")
		dashes -= len(name)
		name = strings.TrimRight(name, ".-")
		if dashes > 0 {
			name = javaPropertyName(name) // -Djavax.net.ssl.keyStorePassword
		}
		if n := settingCredential(name, val); n != "" && validSettingName(name) {
			return name, n
		}
	}
	return "", ""
}

// valueEnd are the bytes that end an unquoted value inside a line: the separators of query
// strings, connection strings, JSON, XML and code.
const valueEnd = " \t\r;&,<>\"'`}])([#"

// inlineValue reads the value set by the name at line[ns:ne], if the name is followed by one.
func inlineValue(line string, ns, ne int) (name, value string, ok bool) {
	name = line[ns:ne]
	var open byte
	if ns > 0 {
		open = line[ns-1]
	}
	if open == '{' && ns >= 2 && line[ns-2] == '$' {
		return "", "", false // ${PASSWORD:-default}: a shell default, not a setting
	}
	p := ne
	if (open == '"' || open == '\'') && p < len(line) && line[p] == open {
		p++
	}
	for p < len(line) && isSpace(line[p]) {
		p++
	}
	if p >= len(line) {
		return "", "", false
	}
	switch line[p] {
	case '>':
		// <password>value</password>
		if open != '<' {
			return "", "", false
		}
		rest := line[p+1:]
		lt := strings.IndexByte(rest, '<')
		if lt < 0 || !strings.HasPrefix(rest[lt:], "</") {
			return "", "", false
		}
		return name, rest[:lt], true
	case '=', ':':
		sep := line[p]
		p++
		switch {
		case p < len(line) && line[p] == '=' && sep == ':': // :=
			p++
		case p < len(line) && line[p] == '=', sep == ':' && strings.HasPrefix(line[p:], "//"): // ==, ://
			return "", "", false
		}
	default:
		return "", "", false
	}
	for p < len(line) && isSpace(line[p]) {
		p++
	}
	rest := line[p:]
	if rest == "" {
		return "", "", false
	}
	if q := rest[0]; q == '"' || q == '\'' {
		for k := 1; k < len(rest); k++ {
			switch rest[k] {
			case '\\':
				k++
			case q:
				return name, rest[1:k], true
			}
		}
		return "", "", false
	}
	end := strings.IndexAny(rest, valueEnd)
	if end < 0 {
		return name, rest, true
	}
	if c := rest[end]; c == '(' || c == '[' {
		return "", "", false // a call or an index: code, not a value
	}
	return name, rest[:end], true
}

// scanWords reads a line as a command line, one word at a time.
func scanWords(line string, h hints) (setting, noun string) {
	c := cmdScanner{h: h}
	for k := 0; k < len(line); {
		for k < len(line) && isSpace(line[k]) {
			k++
		}
		start := k
		for k < len(line) && !isSpace(line[k]) {
			k++
		}
		if start == k {
			break
		}
		if s, n := c.word(line[start:k]); n != "" {
			return s, n
		}
	}
	return "", ""
}

// cmdScanner reads the words of a command line (or of a container's command and args) for
// credentials passed as arguments: --db-password VALUE, requirepass VALUE, a .netrc entry's
// password VALUE, mysql -pVALUE and curl -u user:VALUE. It keeps no reference to the words.
type cmdScanner struct {
	h    hints
	n    int // words read
	prog byte
	// pending is set when the last word asks for a value: a flag or a directive (its class in
	// class, its name in flag) or curl's -u.
	pending byte
	class   keyClass
	flag    string
}

const (
	progMySQL = 1 + iota
	progCurl
	progNetrc      // after machine or default
	progNetrcLogin // after machine ... login
)

const (
	pendFlag = 1 + iota
	pendCurlUser
)

var passwordClass = keyClass{noun: "a password", strong: true}

// mysqlPrograms take their password glued to -p.
var mysqlPrograms = []string{
	"mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mysqlpump",
	"mysqlsh", "mariadb", "mariadb-dump", "mariadb-admin", "mariadb-import", "mariadb-check",
}

func programOf(w string) byte {
	w = w[strings.LastIndexByte(w, '/')+1:]
	if w == "" || w[0] != 'm' && w[0] != 'c' {
		return 0
	}
	if w == "curl" {
		return progCurl
	}
	for _, p := range mysqlPrograms {
		if w == p {
			return progMySQL
		}
	}
	return 0
}

// word reads the next word; it returns the setting and noun of a credential it completes.
func (c *cmdScanner) word(w string) (setting, noun string) {
	first := c.n == 0
	c.n++
	if w == "" {
		return "", ""
	}
	if c.pending != 0 && w[0] != '-' {
		p := c.pending
		c.pending = 0
		switch p {
		case pendFlag:
			if n := judgeSetting(c.class, w); n != "" {
				return c.flag, n
			}
		case pendCurlUser:
			if n := curlPassword(w); n != "" {
				return "curl -u", n
			}
		}
		return "", ""
	}
	c.pending = 0
	switch w {
	case ";", "&&", "||", "|":
		c.prog = 0
		return "", ""
	}
	if p := programOf(w); p != 0 {
		c.prog = p
		return "", ""
	}
	switch c.prog {
	case progMySQL:
		if len(w) > 2 && w[0] == '-' && w[1] == 'p' {
			if n := judgeSetting(passwordClass, w[2:]); n != "" {
				return "mysql -p", n
			}
			return "", ""
		}
	case progCurl:
		switch {
		case w == "-u" || w == "--user":
			c.pending = pendCurlUser
		case strings.HasPrefix(w, "--user="):
			if n := curlPassword(w[len("--user="):]); n != "" {
				return "curl -u", n
			}
		case len(w) > 2 && w[0] == '-' && w[1] == 'u':
			if n := curlPassword(w[2:]); n != "" {
				return "curl -u", n
			}
		}
		return "", ""
	}
	switch {
	case w == "machine" || w == "default":
		if first {
			c.prog = progNetrc
		}
		return "", ""
	case w == "login" && (c.prog == progNetrc || c.h&hintNetrc != 0):
		c.prog = progNetrcLogin
		return "", ""
	case w == "password" && (c.prog == progNetrcLogin || c.h&hintNetrc != 0):
		c.pending, c.class, c.flag = pendFlag, passwordClass, "password"
		return "", ""
	case first && redisAuthDirective(w):
		c.pending, c.class, c.flag = pendFlag, passwordClass, w
		return "", ""
	}
	if w[0] == '-' {
		name := strings.TrimLeft(w, "-")
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			// --name=value: the value is the rest of the word, whatever symbols it holds.
			name, value := name[:eq], name[eq+1:]
			name = javaPropertyName(name) // -Djavax.net.ssl.keyStorePassword=value
			if n := settingCredential(name, value); n != "" && validSettingName(name) {
				return name, n
			}
			return "", ""
		}
		k := classifyKey(name)
		if redisAuthDirective(name) {
			k = passwordClass
		}
		if k.isCredential() && validSettingName(name) {
			c.pending, c.class, c.flag = pendFlag, k, name
		}
	}
	return "", ""
}

// javaPropertyName strips the D of a Java system property given on a command line
// (-Djavax.net.ssl.keyStorePassword, its dashes already trimmed): a D, then a dotted name.
func javaPropertyName(name string) string {
	if len(name) > 2 && name[0] == 'D' && name[1] != '_' && strings.IndexByte(name, '.') > 0 {
		return name[1:]
	}
	return name
}

// redisAuthDirective reports whether w is a Redis directive or option naming a password:
// requirepass sets the server's, masterauth the primary's.
func redisAuthDirective(w string) bool {
	return strings.EqualFold(w, "requirepass") || strings.EqualFold(w, "masterauth")
}

// curlPassword judges the password of curl's user:password argument.
func curlPassword(v string) string {
	v = cleanSettingValue(v)
	colon := strings.IndexByte(v, ':')
	if colon <= 0 {
		return ""
	}
	return judgeSetting(passwordClass, v[colon+1:])
}

// assignment parses "name: value", "name = value", `"name": "value",` and "export NAME=value".
func assignment(line string) (name, value string, ok bool) {
	s := strings.TrimSpace(line)
	for _, p := range [...]string{"- ", "export ", "set "} {
		s = strings.TrimPrefix(s, p)
	}
	var q byte
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		q, s = s[0], s[1:]
	}
	n := runLen(s, 0, func(c byte) bool { return isAlnum(c) || c == '_' || c == '.' || c == '-' })
	if n == 0 || n > 128 {
		return "", "", false
	}
	name, s = s[:n], s[n:]
	if q != 0 {
		if s == "" || s[0] != q {
			return "", "", false
		}
		s = s[1:]
	}
	s = strings.TrimLeft(s, " \t")
	if s == "" || (s[0] != ':' && s[0] != '=') {
		return "", "", false
	}
	return name, s[1:], true
}

// validSettingName keeps setting names reported in messages to name-like text.
func validSettingName(name string) bool {
	return name != "" && len(name) <= 128 && runLen(name, 0, func(c byte) bool {
		return isAlnum(c) || c == '_' || c == '.' || c == '-'
	}) == len(name)
}

// settingCredential judges one setting found inside a file.
func settingCredential(name, value string) string {
	k := classifyKey(name)
	if !k.isCredential() {
		return ""
	}
	return judgeSetting(k, value)
}

// judgeSetting judges the value of a setting of class k found inside a file or command line.
func judgeSetting(k keyClass, value string) string {
	v := cleanSettingValue(value)
	if len(v) < 3 || isPlaceholder(v) || isReference(v) || looksLikeCode(v) {
		return ""
	}
	if k.aws && awsSecretAccessKey(v) {
		return "an AWS secret access key"
	}
	if looksRandom(v) || k.strong && mixedPassword(v) {
		return k.noun
	}
	return ""
}

// looksLikeCode reports whether a setting's value is an expression rather than a literal: a
// call or an index (os.environ.get("X"), env["X"]), or a dotted name without digits
// (settings.DATABASE_PASSWORD, config.db.password). Files holding scripts and source code set
// credentials from such expressions all the time.
func looksLikeCode(v string) bool {
	for i := 1; i < len(v); i++ {
		if (v[i] == '(' || v[i] == '[') && isNameByte(v[i-1]) && strings.IndexAny(v[i:], ")]") > 0 {
			return true
		}
	}
	dots := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '.':
			if i == 0 || i == len(v)-1 || v[i-1] == '.' {
				return false
			}
			dots++
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
		default:
			return false
		}
	}
	return dots > 0
}

// cleanSettingValue strips the syntax around a value: spaces, a trailing comma or semicolon,
// matching quotes.
func cleanSettingValue(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimRight(v, ",;")
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v
}

// mixedPassword is the bar for a password setting inside a file: at least 8 characters, no
// spaces, letters mixed with digits or symbols.
func mixedPassword(v string) bool {
	if len(v) < 8 {
		return false
	}
	var letter, other bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c <= ' ':
			return false
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		default:
			other = true
		}
	}
	return letter && other
}

// stemStart marks the bytes a credential stem (pass, pwd, secret, token, key, cred, auth) can
// start with, in either case.
var stemStart = func() (t [256]bool) {
	for _, c := range "pstkcaPSTKCA" {
		t[c] = true
	}
	return t
}()

// hasFoldAt reports whether s has the lower-case ASCII word w at i, ignoring case.
func hasFoldAt(s string, i int, w string) bool {
	if len(s)-i < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		if s[i+j]|0x20 != w[j] {
			return false
		}
	}
	return true
}

// indexCredentialStem returns the index of the first credential stem in s, in any case, or -1.
// It is the pre-filter in front of everything that reads names: one pass over the bytes.
func indexCredentialStem(s string) int {
	for i := 0; i+3 <= len(s); i++ {
		if !stemStart[s[i]] {
			continue
		}
		switch s[i] | 0x20 {
		case 'p':
			if hasFoldAt(s, i, "pass") || hasFoldAt(s, i, "pwd") {
				return i
			}
		case 's':
			if hasFoldAt(s, i, "secret") {
				return i
			}
		case 't':
			if hasFoldAt(s, i, "token") {
				return i
			}
		case 'k':
			if hasFoldAt(s, i, "key") {
				return i
			}
		case 'c':
			if hasFoldAt(s, i, "cred") {
				return i
			}
		case 'a':
			if hasFoldAt(s, i, "auth") {
				return i
			}
		}
	}
	return -1
}

// mentionsCredential reports whether s contains a credential stem.
func mentionsCredential(s string) bool { return indexCredentialStem(s) >= 0 }
