package node

// The kubelet's effective settings.
//
// The kubelet reads its --config file, applies the --config-dir drop-ins over it in file-name
// order, and then applies its command-line flags over both (kubeletConfigFlagPrecedence in
// cmd/kubelet/app/server.go). A setting set nowhere takes a default, and which default depends
// on whether a configuration file is used:
//
//   - with a file, the KubeletConfiguration v1beta1 defaults apply (SetDefaults_KubeletConfiguration
//     in pkg/kubelet/apis/config/v1beta1/defaults.go, Kubernetes 1.37): anonymous authentication
//     off, authorization mode Webhook, webhook authentication on, read-only port 0;
//   - with flags alone, the kubelet binary's legacy defaults apply (applyLegacyDefaults in
//     cmd/kubelet/app/options/options.go): anonymous authentication on, authorization mode
//     AlwaysAllow, webhook authentication off, read-only port 10255.
//
// Zero values in the file are defaulted like unset ones where the v1beta1 type is not a pointer
// and the defaulting tests for zero: streamingConnectionIdleTimeout: 0s becomes 4h. A flag is
// applied after defaulting, so --streaming-connection-idle-timeout=0 does mean no timeout.
//
// Each setting is judged once per kubelet, on the object that decided it: the flag's file (or
// the process) when a flag set it, the configuration file that set it, or, for a default, the
// kubelet's primary object (its configuration file, else its first flag source), at the place
// where the missing field belongs. The other kubelet objects skip the control, so it is counted
// once.

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// Kubelet is the kubelet of one node inventory.
type Kubelet struct {
	// Configs are the configuration objects: the --config file, then the --config-dir drop-ins.
	Configs []*inventory.Object
	// Flags are the command-line flags with the objects holding them, in command-line order.
	Flags []FlagAt
	// Primary is where defaults are judged; nil when the inventory has no kubelet.
	Primary *inventory.Object
	// HasConfig says a configuration file is in use, which selects the v1beta1 defaults.
	HasConfig bool
	// Missing, when set, is why no kubelet control can be assessed (the configuration file
	// named by --config could not be read).
	Missing string
}

// FlagAt is a kubelet flag and the object it was read from.
type FlagAt struct {
	Object *inventory.Object
	Flag   inventory.Flag
}

type kubeletKey struct{}

// IsKubelet matches the objects that hold kubelet settings.
func IsKubelet(o *inventory.Object) bool {
	switch o.Kind {
	case inventory.KindKubeletConfiguration, inventory.KindKubeletFlags:
		return o.Typed != nil
	case inventory.KindProcess:
		return inventory.ComponentName(o) == inventory.ComponentKubelet
	}
	return false
}

// View returns the kubelet of inv, built once per inventory.
func View(inv *inventory.Inventory) *Kubelet {
	return inv.Derived(kubeletKey{}, func(inv *inventory.Inventory) any { return build(inv) }).(*Kubelet)
}

func build(inv *inventory.Inventory) *Kubelet {
	k := &Kubelet{}
	for _, o := range inv.OfKind(inventory.KindProcess) {
		if c := inventory.ComponentOf(o); c != nil && c.Name == inventory.ComponentKubelet {
			for _, f := range c.Flags {
				k.Flags = append(k.Flags, FlagAt{o, f})
			}
			k.Primary = o
			break
		}
	}
	if k.Primary == nil {
		for _, o := range inv.OfKind(inventory.KindKubeletFlags) {
			for _, f := range o.Typed.(*inventory.KubeletFlags).Flags {
				k.Flags = append(k.Flags, FlagAt{o, f})
			}
			if k.Primary == nil {
				k.Primary = o
			}
		}
		// Flags of several files interleave on the command line.
		sortFlags(k.Flags)
	}
	k.Configs = inv.OfKind(inventory.KindKubeletConfiguration)
	if len(k.Configs) > 0 {
		k.Primary = k.Configs[0]
		k.HasConfig = true
	}
	if f, ok := k.lastFlag("config"); ok && f.Flag.Value != "" {
		k.HasConfig = true
		want := path.Clean("/" + f.Flag.Value)
		found := false
		for _, c := range k.Configs {
			found = found || c.Origin.File == want
		}
		if !found {
			k.Missing = "the kubelet configuration file " + f.Flag.Value + " named by --config could not be read"
		}
	}
	return k
}

func sortFlags(fs []FlagAt) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Flag.Order < fs[j-1].Flag.Order; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func (k *Kubelet) lastFlag(name string) (FlagAt, bool) {
	for i := len(k.Flags) - 1; i >= 0; i-- {
		if k.Flags[i].Flag.Name == name {
			return k.Flags[i], true
		}
	}
	return FlagAt{}, false
}

// Setting is the effective value of one kubelet setting and where it was decided.
type Setting struct {
	// Object decided the value: a flag's object, the configuration file that set it, or the
	// primary object for a default.
	Object *inventory.Object
	// Path is the flag's or field's path, or where the missing field belongs.
	Path string
	// Value is the flag's text or the decoded field; nil for a default.
	Value any
	Set   bool
	Flag  *inventory.Flag // the flag, when a flag decided
	Field string
}

// Get returns the effective value of the configuration field (dotted path) whose flag is flag.
// Either may be "" when the setting has no such form.
func (k *Kubelet) Get(field, flag string) Setting {
	if flag != "" {
		if f, ok := k.lastFlag(flag); ok {
			fl := f.Flag
			var v any = fl.Value
			if !fl.HasValue {
				v = "true"
			}
			return Setting{Object: f.Object, Path: fl.Path, Value: v, Set: true, Flag: &fl, Field: field}
		}
	}
	if field != "" {
		for i := len(k.Configs) - 1; i >= 0; i-- {
			if v, ok := k.Configs[i].Typed.(*inventory.KubeletConfiguration).Lookup(field); ok && v != nil {
				return Setting{Object: k.Configs[i], Path: field, Value: v, Set: true, Field: field}
			}
		}
	}
	s := Setting{Object: k.Primary, Field: field}
	switch {
	case k.Primary == nil:
	case k.Primary.Kind == inventory.KindKubeletConfiguration:
		s.Path = field
	case k.Primary.Kind == inventory.KindProcess:
		s.Path = "args"
	default:
		s.Path = "--" + flag
	}
	return s
}

// GetAll returns a list setting as the kubelet assembles it: one Setting per occurrence of its
// flag when the flag is given, in command-line order (each contributes its items), else the
// configuration field or its default. Read list flags (--tls-cipher-suites) through it, not
// Get: they are string slices in the kubelet (AddKubeletConfigFlags in
// cmd/kubelet/app/options/options.go), where pflag appends the items of every occurrence after
// the first, which replaces the configuration file's list, so "--tls-cipher-suites=A
// --tls-cipher-suites=B" enables A and B. (--feature-gates, a map, merges its occurrences too;
// Gate reads the last occurrence naming a gate.)
func (k *Kubelet) GetAll(field, flag string) []Setting {
	var out []Setting
	for _, f := range k.Flags {
		if f.Flag.Name == flag {
			fl := f.Flag
			out = append(out, Setting{Object: f.Object, Path: fl.Path, Value: fl.Value, Set: true, Flag: &fl, Field: field})
		}
	}
	if len(out) > 0 {
		return out
	}
	return []Setting{k.Get(field, "")}
}

// Gate returns the effective value of a feature gate: the last --feature-gates flag naming it,
// else the last configuration file's featureGates entry.
func (k *Kubelet) Gate(name string) Setting {
	for i := len(k.Flags) - 1; i >= 0; i-- {
		f := k.Flags[i].Flag
		if f.Name != "feature-gates" {
			continue
		}
		for _, kv := range strings.Split(f.Value, ",") {
			if g, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && g == name {
				return Setting{Object: k.Flags[i].Object, Path: f.Path, Value: v, Set: true, Flag: &f, Field: "featureGates." + name}
			}
		}
	}
	return k.Get("featureGates."+name, "")
}

// Bool interprets the value as a boolean, def when unset.
func (s Setting) Bool(def bool) (bool, bool) {
	switch v := s.Value.(type) {
	case nil:
		return def, true
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

// Int interprets the value as an integer, def when unset.
func (s Setting) Int(def int64) (int64, bool) {
	switch v := s.Value.(type) {
	case nil:
		return def, true
	case int64:
		return v, true
	case float64:
		return int64(v), v == float64(int64(v))
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// String returns the value as text, def when unset.
func (s Setting) String(def string) string {
	switch v := s.Value.(type) {
	case nil:
		return def
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// Duration interprets the value as a Go duration, def when unset.
func (s Setting) Duration(def time.Duration) (time.Duration, bool) {
	switch v := s.Value.(type) {
	case nil:
		return def, true
	case string:
		d, err := time.ParseDuration(v)
		return d, err == nil
	case int64:
		return time.Duration(v), true
	}
	return 0, false
}

// List returns a list setting's items.
func (s Setting) List() []string {
	switch v := s.Value.(type) {
	case string:
		var out []string
		for _, it := range strings.Split(v, ",") {
			if it = strings.TrimSpace(it); it != "" {
				out = append(out, it)
			}
		}
		return out
	case []any:
		out := make([]string, 0, len(v))
		for _, it := range v {
			out = append(out, fmt.Sprint(it))
		}
		return out
	}
	return nil
}

// Describe renders how the setting was set, for messages: "--read-only-port=10255",
// "readOnlyPort: 10255 in the configuration file", or "not set".
func (s Setting) Describe() string {
	switch {
	case !s.Set:
		return "not set"
	case s.Flag != nil:
		return s.Flag.Arg()
	default:
		return fmt.Sprintf("%s: %v", s.Field, s.Value)
	}
}

// Judge collects the findings of one kubelet check on one object.
type Judge struct {
	K       *Kubelet
	O       *inventory.Object
	A       *checks.Assessment
	decides bool
}

// Get returns a setting and notes whether this object decides it.
func (j *Judge) Get(field, flag string) Setting {
	return j.note(j.K.Get(field, flag))
}

// GetAll is Kubelet.GetAll, noting whether this object decides any part of the setting.
func (j *Judge) GetAll(field, flag string) []Setting {
	all := j.K.GetAll(field, flag)
	for _, s := range all {
		j.note(s)
	}
	return all
}

// Gate is Get for a feature gate.
func (j *Judge) Gate(name string) Setting { return j.note(j.K.Gate(name)) }

func (j *Judge) note(s Setting) Setting {
	if s.Object == j.O {
		j.decides = true
	}
	return s
}

// Fail records a failure of setting s, if this object decided it.
func (j *Judge) Fail(s Setting, format string, args ...any) {
	if s.Object == j.O {
		j.A.Failf(s.Path, format, args...)
	}
}

// KubeletCheck makes a check that judges the kubelet's settings with fn on every kubelet object,
// counting each setting on the object that decided it.
func KubeletCheck(id string, fn func(j *Judge)) checks.Check {
	return checks.Check{ID: id, Match: IsKubelet, Assess: func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
		k := View(inv)
		if k.Missing != "" {
			if o == k.Primary {
				a.NotAssessed(k.Missing)
			} else {
				a.Skip()
			}
			return
		}
		j := &Judge{K: k, O: o, A: a}
		fn(j)
		if !j.decides {
			a.Skip()
		}
	}}
}

// unsetDefault explains a default in messages.
func (j *Judge) unsetDefault(what string) string {
	if j.K.HasConfig {
		return "not set; the configuration file's default is " + what
	}
	return "not set; without a configuration file the kubelet's default is " + what
}
