package node

// etcd's --config-file. When it is set, etcd reads every setting from that YAML file and ignores
// its other flags and ETCD_* variables; the file's keys are mapped to the flags they stand for,
// so that the checks judge what etcd really uses.

import (
	"errors"
	"fmt"
	"slices"
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
	if o, tried := r.configs[configKey(inventory.KindEtcdConfiguration, p)]; tried {
		return o // named by a second component: the object read for the first
	}
	return r.configOnce(inventory.KindEtcdConfiguration, p, func(data []byte) (*inventory.Object, error) {
		o, err := ParseEtcdConfig(p, data)
		if err != nil {
			var ie *inventory.InputError
			if !errors.As(err, &ie) {
				ie = lineError(err)
			}
			return nil, &inventory.InputError{Line: ie.Line, Message: "etcd configuration file: " + ie.Message + " (not assessed)"}
		}
		o.Origin = r.origin(p)
		o.Origin.Line = 1
		return o, nil
	})
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
		v, ok := inventory.LookupPath(fields, key)
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
	slices.SortStableFunc(cfg.Settings, func(a, b inventory.Flag) int { return strings.Compare(a.Key, b.Key) })
	return o, nil
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
