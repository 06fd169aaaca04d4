package node

// Reading the kubelet's command line from its systemd unit, the way systemd assembles it.
//
// kubeadm's packages start the kubelet as
//
//	ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
//
// in the drop-in 10-kubeadm.conf, with KUBELET_KUBECONFIG_ARGS and KUBELET_CONFIG_ARGS set by
// Environment= lines of the same drop-in, KUBELET_KUBEADM_ARGS by the EnvironmentFile
// /var/lib/kubelet/kubeadm-flags.env and KUBELET_EXTRA_ARGS by /etc/default/kubelet (Debian) or
// /etc/sysconfig/kubelet (RPM). The rules applied here are systemd's:
//
//   - the unit file comes from the first of /etc, /run, /usr/lib and /lib that has it; drop-ins
//     (kubelet.service.d/*.conf) from all of them, a name in an earlier folder hiding the same
//     name in a later one, applied in file-name order after the unit;
//   - an empty "ExecStart=" clears the command, the last ExecStart= wins;
//   - variables from EnvironmentFile= override those of Environment=, later files and later
//     assignments win, and a file path starting with "-" may be missing;
//   - "$VAR" expands to the variable's value split on white space, "${VAR}" to one argument.
//
// Every argument keeps the file and line that produced it, so a finding about a kubelet flag
// points at the line to edit.

import (
	"bufio"
	"bytes"
	"path"
	"sort"
	"strings"
)

// unitDirs are systemd's unit folders, highest precedence first.
var unitDirs = []string{"/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}

// fallbackEnvFiles are read when no unit is found (a copy of /var/lib/kubelet without /etc and
// /usr/lib): the files kubeadm's drop-in names, in the drop-in's order.
var fallbackEnvFiles = []string{"/var/lib/kubelet/kubeadm-flags.env", "/etc/default/kubelet", "/etc/sysconfig/kubelet"}

// fallbackVars is the order of the variables in kubeadm's ExecStart line.
var fallbackVars = []string{"KUBELET_KUBECONFIG_ARGS", "KUBELET_CONFIG_ARGS", "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS"}

// origin is where a piece of the command line was written.
type origin struct {
	file string // node path
	line int
	key  string // the variable name, or "ExecStart"
}

// envValue is a variable's value and where it was assigned.
type envValue struct {
	value string
	at    origin
}

// cmdArg is one argument of the assembled command line.
type cmdArg struct {
	text string
	at   origin
}

// unitFiles lists the kubelet unit file and its drop-ins in the order systemd applies them.
func (r *reader) unitFiles() []string {
	var files []string
	for _, d := range unitDirs {
		p := path.Join(d, "kubelet.service")
		if r.isFile(p) {
			files = append(files, p)
			break
		}
	}
	seen := map[string]string{}
	for _, d := range unitDirs {
		dir := path.Join(d, "kubelet.service.d")
		for _, name := range r.listDir(dir) {
			if strings.HasSuffix(name, ".conf") && seen[name] == "" && r.isFile(path.Join(dir, name)) {
				seen[name] = path.Join(dir, name)
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		files = append(files, seen[n])
	}
	return files
}

// systemdCommand assembles the kubelet command line from the unit files. It returns the
// arguments after the binary, the files it read (for their permissions), and ok=false when no
// unit defines an ExecStart.
func (r *reader) systemdCommand(units []string) (args []cmdArg, read []string, ok bool) {
	env := map[string]envValue{}
	var envFiles []origin // EnvironmentFile= entries, applied after Environment=
	var exec []cmdArg
	for _, u := range units {
		data, err := r.readFile(u)
		if err != nil {
			continue
		}
		read = append(read, u)
		section := ""
		for _, l := range unitLines(data) {
			line := l.text
			if strings.HasPrefix(line, "[") {
				section = strings.Trim(line, "[] ")
				continue
			}
			if section != "Service" {
				continue
			}
			key, val, found := strings.Cut(line, "=")
			if !found {
				continue
			}
			key, val = strings.TrimSpace(key), strings.TrimSpace(val)
			at := origin{file: u, line: l.line}
			switch key {
			case "Environment":
				for _, w := range splitQuoted(val) {
					if k, v, ok := strings.Cut(w, "="); ok {
						env[k] = envValue{v, origin{u, l.line, k}}
					}
				}
			case "EnvironmentFile":
				if val == "" {
					envFiles = nil
					continue
				}
				at.key = val
				envFiles = append(envFiles, at)
			case "ExecStart":
				exec = nil
				if val == "" {
					continue
				}
				// Prefixes such as "-" or "@" modify how systemd runs the command.
				val = strings.TrimLeft(val, "-@:+!")
				at.key = "ExecStart"
				for _, w := range splitQuoted(val) {
					exec = append(exec, cmdArg{w, at})
				}
			}
		}
	}
	for _, ef := range envFiles {
		p := strings.TrimPrefix(ef.key, "-")
		if strings.HasPrefix(p, "%") { // specifiers are not expanded; such files are not read
			continue
		}
		if vars, ok := r.envFile(p); ok {
			read = append(read, p)
			for k, v := range vars {
				env[k] = v
			}
		}
	}
	if len(exec) == 0 {
		return nil, read, false
	}
	// exec[0] is the binary; expand variables in the rest.
	for _, a := range exec[1:] {
		args = append(args, expand(a, env)...)
	}
	return args, read, true
}

// fallbackCommand assembles the kubelet flags from kubeadm's environment files when there is no
// unit to read, in the order kubeadm's ExecStart line would use them.
func (r *reader) fallbackCommand() (args []cmdArg, read []string) {
	env := map[string]envValue{}
	for _, p := range fallbackEnvFiles {
		if vars, ok := r.envFile(p); ok {
			read = append(read, p)
			for k, v := range vars {
				env[k] = v
			}
		}
	}
	for _, k := range fallbackVars {
		args = append(args, expand(cmdArg{"$" + k, origin{}}, env)...)
	}
	return args, read
}

// expand replaces $VAR and ${VAR} in one ExecStart word. A word that is exactly "$VAR" becomes
// the value's white-space separated words, each with the variable's origin.
func expand(a cmdArg, env map[string]envValue) []cmdArg {
	w := a.text
	if strings.HasPrefix(w, "$") && !strings.HasPrefix(w, "${") && isVarName(w[1:]) {
		v, ok := env[w[1:]]
		if !ok {
			return nil
		}
		var out []cmdArg
		for _, f := range splitQuoted(v.value) {
			out = append(out, cmdArg{f, v.at})
		}
		return out
	}
	if !strings.Contains(w, "$") {
		return []cmdArg{a}
	}
	var b strings.Builder
	at := a.at
	for i := 0; i < len(w); i++ {
		if w[i] != '$' || i+1 >= len(w) {
			b.WriteByte(w[i])
			continue
		}
		name, n := "", 0
		if w[i+1] == '{' {
			if end := strings.IndexByte(w[i:], '}'); end > 0 {
				name, n = w[i+2:i+end], end
			}
		} else {
			j := i + 1
			for j < len(w) && isVarByte(w[j]) {
				j++
			}
			name, n = w[i+1:j], j-i-1
		}
		if name == "" {
			b.WriteByte(w[i])
			continue
		}
		if v, ok := env[name]; ok {
			b.WriteString(v.value)
			at = v.at
		}
		i += n
	}
	return []cmdArg{{b.String(), at}}
}

func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isVarByte(s[i]) {
			return false
		}
	}
	return true
}

func isVarByte(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// envFile reads an EnvironmentFile: KEY=VALUE lines, # and ; comments, optional quotes and
// an optional "export " prefix (as /etc/default files often have).
func (r *reader) envFile(p string) (map[string]envValue, bool) {
	data, err := r.readFile(p)
	if err != nil {
		return nil, false
	}
	vars := map[string]envValue{}
	for _, l := range unitLines(data) {
		line := strings.TrimPrefix(l.text, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		vars[k] = envValue{v, origin{p, l.line, k}}
	}
	return vars, true
}

type unitLine struct {
	text string
	line int // 1-based line where the (possibly continued) line starts
}

// unitLines returns the logical lines of a unit or environment file: comments and blank lines
// dropped, backslash continuations joined.
func unitLines(data []byte) []unitLine {
	var out []unitLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	var cur strings.Builder
	start := 0
	for sc.Scan() {
		n++
		t := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 {
			if t == "" || t[0] == '#' || t[0] == ';' {
				continue
			}
			start = n
		}
		if strings.HasSuffix(t, "\\") {
			cur.WriteString(strings.TrimSuffix(t, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(t)
		out = append(out, unitLine{cur.String(), start})
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, unitLine{cur.String(), start})
	}
	return out
}

// splitQuoted splits s on white space, keeping double- or single-quoted parts together and
// removing the quotes (systemd's rule for Environment= and ExecStart= words).
func splitQuoted(s string) []string {
	var out []string
	var b strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && i+1 < len(s) && quote == '"' {
				i++
				b.WriteByte(s[i])
			} else {
				b.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, b.String())
				b.Reset()
				inWord = false
			}
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, b.String())
	}
	return out
}
