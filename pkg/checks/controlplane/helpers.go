package controlplane

// Shared plumbing: matching components, reading flags with their defaults, and the paths that
// findings point at.

import (
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// Is returns a Match function for objects that are one of the named components.
func Is(names ...string) func(*inventory.Object) bool {
	return func(o *inventory.Object) bool {
		if o.Kind != "Pod" && o.Kind != inventory.KindProcess {
			return false
		}
		n := inventory.ComponentName(o)
		return n != "" && slices.Contains(names, n)
	}
}

// IsKind matches objects of a node kind (configuration files, File objects).
func IsKind(kind string) func(*inventory.Object) bool {
	return func(o *inventory.Object) bool { return o.Kind == kind && o.Typed != nil }
}

// Either matches objects that any of the functions matches.
func Either(fs ...func(*inventory.Object) bool) func(*inventory.Object) bool {
	return func(o *inventory.Object) bool {
		for _, f := range fs {
			if f(o) {
				return true
			}
		}
		return false
	}
}

// MissingPath is where a flag that is not set belongs: the container's command (or args) list,
// or the process's arguments; for an etcd that reads a configuration file, the flag naming it.
func MissingPath(c *inventory.Component) string {
	if c.ConfigFile != nil {
		return c.ConfigFile.Path
	}
	if c.Pod == nil {
		return "args"
	}
	base := inventory.Index("spec.containers", c.Container)
	if len(c.Pod.Containers[c.Container].Command) > 0 {
		return base + ".command"
	}
	return base + ".args"
}

// where is the path of a flag if set, else where it belongs.
func where(c *inventory.Component, f inventory.Flag, set bool) string {
	if set {
		return f.Path
	}
	return MissingPath(c)
}

// value returns a flag's value; set is false for an absent or empty flag.
func value(c *inventory.Component, name string) (inventory.Flag, string, bool) {
	f, ok := c.Setting(name)
	if !ok || strings.TrimSpace(f.Value) == "" {
		return f, "", false
	}
	return f, f.Value, true
}

// boolFlag returns a boolean flag's effective value, def when it is not set. ok is false for a
// value that is not a boolean; the component would refuse to start with it.
func boolFlag(c *inventory.Component, name string, def bool) (v bool, f inventory.Flag, set, ok bool) {
	f, set = c.Setting(name)
	if !set {
		return def, f, false, true
	}
	v, ok = f.Bool()
	return v, f, true, ok
}

// requireFlags fails for each flag that is not set (or set to an empty value).
func requireFlags(a *checks.Assessment, c *inventory.Component, why string, names ...string) {
	for _, n := range names {
		if _, _, set := value(c, n); !set {
			a.Failf(MissingPath(c), "%s %s is not set%s", c.Name, settingName(c, n), why)
		}
	}
}

// settingName names a setting in messages: "--cert-file", or for an etcd that reads a
// configuration file "client-transport-security.cert-file in /etc/etcd/etcd.conf.yml".
func settingName(c *inventory.Component, flag string) string {
	if c.ConfigFile != nil {
		return inventory.EtcdConfigKey(flag) + " in " + c.ConfigFile.Value
	}
	return "--" + flag
}

// configUnread is the not-assessed reason for an etcd whose configuration file, which holds all
// its settings, is not in the inventory; "" otherwise.
func configUnread(o *inventory.Object, c *inventory.Component) string {
	if !c.ConfigUnread() {
		return ""
	}
	f := c.ConfigFile
	if o.Origin.Source == inventory.SourceNode {
		hp, onHost := c.HostPath(f.Value)
		switch {
		case !onHost:
			return "etcd takes its settings from " + f.Value + " (" + f.Arg() + ") and ignores its flags, and no hostPath volume holds the file"
		case hp != f.Value:
			return "etcd takes its settings from " + f.Value + " (" + f.Arg() + ", " + hp + " on the node) and ignores its flags, and the file could not be read on the node"
		}
		return "etcd takes its settings from " + f.Value + " (" + f.Arg() + ") and ignores its flags, and the file could not be read on the node"
	}
	return "etcd takes its settings from " + f.Value + " (" + f.Arg() + ") and ignores its flags; the file is on the control-plane node, run `kubeharden node` there to assess it"
}

// list returns a list flag's items (all occurrences), and the path to report.
func list(c *inventory.Component, name string) ([]string, string, bool) {
	if c.ConfigFile != nil {
		f, ok := c.Setting(name)
		if !ok {
			return nil, MissingPath(c), false
		}
		items, _, _ := inventory.Flags{f}.List(name)
		return items, f.Path, true
	}
	items, last, ok := c.Flags.List(name)
	if !ok {
		return nil, MissingPath(c), false
	}
	return items, last.Path, true
}

type componentsKey struct{}

// Component returns the component of o, parsed once per inventory: every control-plane check
// asks for the same few objects' flags.
func Component(o *inventory.Object, inv *inventory.Inventory) *inventory.Component {
	m := inv.Derived(componentsKey{}, func(inv *inventory.Inventory) any {
		m := map[*inventory.Object]*inventory.Component{}
		for _, kind := range []string{"Pod", inventory.KindProcess} {
			for _, o := range inv.OfKind(kind) {
				if c := inventory.ComponentOf(o); c != nil {
					c.AttachConfig(inv)
					m[o] = c
				}
			}
		}
		return m
	}).(map[*inventory.Object]*inventory.Component)
	if c, ok := m[o]; ok {
		return c
	}
	c := inventory.ComponentOf(o)
	if c != nil {
		c.AttachConfig(inv)
	}
	return c
}

// configOf returns the node configuration object of kind that the component's flag names, and
// whether the flag is set at all. A nil object with set true means the file is not in the
// inventory: a live cluster (only the mirror pod is visible) or a file missing on the node.
func configOf(inv *inventory.Inventory, c *inventory.Component, flag, kind string) (o *inventory.Object, f inventory.Flag, set bool) {
	f, v, set := value(c, flag)
	if !set {
		return nil, f, false
	}
	hp, onHost := c.HostPath(v)
	if !onHost {
		return nil, f, true
	}
	return inv.Get(kind, "", hp), f, true
}

// fileOf returns the File object of a path the component's flag names, or nil.
func fileOf(inv *inventory.Inventory, c *inventory.Component, p string) *inventory.Object {
	hp, onHost := c.HostPath(p)
	if !onHost {
		return nil
	}
	return inv.Get(inventory.KindFile, "", hp)
}

// notReadable is the not-assessed reason for a configuration file a flag names but that is not
// available.
func notReadable(o *inventory.Object, f inventory.Flag) string {
	if o.Origin.Source == inventory.SourceNode {
		return "the file named by --" + f.Name + " (" + f.Value + ") could not be read on the node"
	}
	return "the file named by --" + f.Name + " (" + f.Value + ") is on the control-plane node; run `kubeharden node` there to assess it"
}

// urlHosts returns the scheme and host of each URL of a comma-separated list.
type endpoint struct{ raw, scheme, host string }

func endpoints(v string) []endpoint {
	var out []endpoint
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		e := endpoint{raw: s}
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			e.scheme, e.host = strings.ToLower(u.Scheme), u.Hostname()
		} else {
			e.host = s
			if h, _, err := net.SplitHostPort(s); err == nil {
				e.host = h
			}
		}
		out = append(out, e)
	}
	return out
}

// isLoopback reports whether a bind address or host only listens on the node itself.
func isLoopback(host string) bool {
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// has reports whether items contains s (case-sensitive, as plugin and mode names are).
func has(items []string, s string) bool { return slices.Contains(items, s) }
