package node

// etcd's --config-file. When it is set, etcd reads every setting from that YAML file and ignores
// its other flags and ETCD_* variables; the file's keys are mapped to the flags they stand for,
// so that the checks judge what etcd really uses.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// etcdConfig reads and decodes etcd's configuration file, the node file p, once, and adds its
// object to the inventory. It returns nil when the file is missing or broken (a broken file is
// an input error); the checks then report etcd as not assessed.
func (r *reader) etcdConfig(p string) *inventory.Object {
	key := inventory.KindEtcdConfiguration + "\x00" + p
	if r.configs[key] {
		for _, o := range r.objects {
			if o.Kind == inventory.KindEtcdConfiguration && o.Name == p {
				return o
			}
		}
		return nil
	}
	r.configs[key] = true
	data, ok := r.readRequired(p)
	if !ok {
		return nil
	}
	o, err := ParseEtcdConfig(p, data)
	if err != nil {
		var ie *inventory.InputError
		if !errors.As(err, &ie) {
			ie = lineError(err)
		}
		r.fail(p, ie.Line, "etcd configuration file: "+ie.Message+" (not assessed)")
		return nil
	}
	o.Origin = r.origin(p)
	o.Origin.Line = 1
	r.add(o)
	return o
}

// ParseEtcdConfig decodes etcd's configuration file (the node file name) into an
// EtcdConfiguration object.
func ParseEtcdConfig(name string, data []byte) (*inventory.Object, error) {
	docs, errs := yamldoc.Parse(data, yamlOptions)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	var root *yamldoc.Node
	for _, d := range docs {
		if d.Root != nil {
			root = d.Root
			break
		}
	}
	cfg := &inventory.EtcdConfiguration{}
	o := &inventory.Object{APIVersion: inventory.NodeAPIVersion, Kind: inventory.KindEtcdConfiguration, Name: name, Typed: cfg,
		Origin: inventory.Origin{Source: inventory.SourceNode, File: name, Line: 1}}
	if root == nil {
		return o, nil // an empty file: etcd's defaults
	}
	if root.Kind != yamldoc.MappingNode {
		return nil, &inventory.InputError{File: name, Line: root.Line, Message: "expected a mapping of etcd settings"}
	}
	fields := map[string]any{}
	if err := yamldoc.Decode(root, &fields, yamlOptions); err != nil {
		return nil, err
	}
	o.Lines = manifest.IndexLines(root)
	for key, flag := range inventory.EtcdConfigKeys {
		v, ok := lookup(fields, key)
		if !ok || v == nil {
			continue
		}
		text, ok := settingText(v)
		if !ok {
			return nil, &inventory.InputError{File: name, Message: fmt.Sprintf("%s: unexpected value %v", key, v)}
		}
		cfg.Settings = append(cfg.Settings, inventory.Flag{Name: flag, Value: text, HasValue: true, Path: key, Key: key, File: name})
	}
	// Map order is random; keep the settings in a stable order.
	sortFlags(cfg.Settings)
	return o, nil
}

func lookup(m map[string]any, dotted string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(dotted, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// settingText renders a decoded value as its flag would be written: lists comma-separated.
func settingText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case int64, float64:
		return fmt.Sprint(t), true
	case []any:
		items := make([]string, 0, len(t))
		for _, it := range t {
			s, ok := settingText(it)
			if !ok {
				return "", false
			}
			items = append(items, s)
		}
		return strings.Join(items, ","), true
	}
	return "", false
}

func sortFlags(fs inventory.Flags) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Key < fs[j-1].Key; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}
