package node

// Decoding the component configuration files (KubeletConfiguration, EncryptionConfiguration,
// audit Policy, AuthenticationConfiguration, AuthorizationConfiguration, the audit webhook's
// kubeconfig) into the small typed values of pkg/inventory, with the line of every field.
//
// These kinds are decoded here rather than by the manifest loader because they only mean
// something on a node: a `kubeharden scan` of a repository should not treat an audit Policy as
// the cluster's, and "Policy" and "Config" are also kinds of common add-ons.

import (
	"errors"
	"fmt"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

var yamlOptions = yamldoc.Options{MaxDepth: 256, MaxAliasNodes: 100_000}

// configKind describes one kind of configuration file.
type configKind struct {
	kind       string // inventory kind
	fileKind   string // kind: written in the file
	apiGroups  []string
	newTyped   func() any
	fromFields func(apiVersion string, fields map[string]any) any // for map-decoded kinds
}

var (
	kubeletConfigKind = configKind{kind: inventory.KindKubeletConfiguration, fileKind: "KubeletConfiguration",
		apiGroups: []string{"kubelet.config.k8s.io"},
		fromFields: func(v string, f map[string]any) any {
			return &inventory.KubeletConfiguration{APIVersion: v, Fields: f}
		}}
	encryptionKind = configKind{kind: inventory.KindEncryptionConfiguration, fileKind: "EncryptionConfiguration",
		apiGroups: []string{"apiserver.config.k8s.io"}, newTyped: func() any { return &inventory.EncryptionConfiguration{} }}
	auditPolicyKind = configKind{kind: inventory.KindAuditPolicy, fileKind: "Policy",
		apiGroups: []string{"audit.k8s.io"}, newTyped: func() any { return &inventory.AuditPolicy{} }}
	authnKind = configKind{kind: inventory.KindAuthenticationConfiguration, fileKind: "AuthenticationConfiguration",
		apiGroups: []string{"apiserver.config.k8s.io"}, newTyped: func() any { return &inventory.AuthenticationConfiguration{} }}
	authzKind = configKind{kind: inventory.KindAuthorizationConfiguration, fileKind: "AuthorizationConfiguration",
		apiGroups: []string{"apiserver.config.k8s.io"}, newTyped: func() any { return &inventory.AuthorizationConfiguration{} }}
	kubeconfigKind = configKind{kind: inventory.KindKubeconfig, fileKind: "Config",
		apiGroups: []string{""}, newTyped: func() any { return &inventory.Kubeconfig{} }}
)

// ParseConfig decodes one configuration file of the kinds above from data, as if read from the
// node path name, into an object named name. It is exported for the checks' tests, which keep
// their fixtures as plain files.
func ParseConfig(name string, data []byte, detail string) (*inventory.Object, error) {
	for _, k := range []configKind{kubeletConfigKind, encryptionKind, auditPolicyKind, authnKind, authzKind, kubeconfigKind} {
		o, err := decodeConfig(k, name, data)
		if err == nil {
			o.Origin = inventory.Origin{Source: inventory.SourceNode, File: name, Line: o.Origin.Line, Detail: detail}
			return o, nil
		}
		var wk *wrongKind
		if !errors.As(err, &wk) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%s: not a configuration file kubeharden reads", name)
}

type wrongKind struct{ got string }

func (e *wrongKind) Error() string { return "unexpected kind " + e.got }

// decodeConfig parses data (the node file name) as a configuration of kind k. Errors carry the
// line where possible; a file of another kind is a *wrongKind.
func decodeConfig(k configKind, name string, data []byte) (*inventory.Object, error) {
	docs, errs := yamldoc.Parse(data, yamlOptions)
	if len(errs) > 0 {
		return nil, lineError(errs[0])
	}
	var root *yamldoc.Node
	for _, d := range docs {
		if d.Root != nil {
			root = d.Root
			break
		}
	}
	if root == nil || root.Kind != yamldoc.MappingNode {
		return nil, &inventory.InputError{File: name, Line: 1, Message: "expected a " + k.fileKind + " document"}
	}
	apiVersion, kind := scalar(root, "apiVersion"), scalar(root, "kind")
	if kind != k.fileKind {
		return nil, &wrongKind{kind}
	}
	if !groupOK(apiVersion, k.apiGroups) {
		return nil, &wrongKind{apiVersion + " " + kind}
	}
	var typed any
	if k.fromFields != nil {
		fields := map[string]any{}
		if err := yamldoc.Decode(root, &fields, yamlOptions); err != nil {
			return nil, lineError(err)
		}
		typed = k.fromFields(apiVersion, fields)
	} else {
		typed = k.newTyped()
		if err := yamldoc.Decode(root, typed, yamlOptions); err != nil {
			return nil, lineError(err)
		}
	}
	return &inventory.Object{
		APIVersion: apiVersion, Kind: k.kind, Name: name, Typed: typed,
		Origin: inventory.Origin{Source: inventory.SourceNode, File: name, Line: root.Line},
		Lines:  manifest.IndexLines(root),
	}, nil
}

func groupOK(apiVersion string, groups []string) bool {
	g := inventory.GroupOf(apiVersion)
	for _, want := range groups {
		if g == want {
			return true
		}
	}
	return false
}

func scalar(n *yamldoc.Node, key string) string {
	if v := n.Get(key); v != nil && v.Kind == yamldoc.ScalarNode {
		return v.Value
	}
	return ""
}

// lineError turns a parse or decode error into an InputError without a file (the caller sets it).
func lineError(err error) *inventory.InputError {
	var ye *yamldoc.Error
	if errors.As(err, &ye) {
		return &inventory.InputError{Line: ye.Line, Message: ye.Msg}
	}
	var de *yamldoc.DecodeError
	if errors.As(err, &de) {
		msg := de.Msg
		if de.Path != "" {
			msg = de.Path + ": " + msg
		}
		return &inventory.InputError{Line: de.Line, Message: msg}
	}
	return &inventory.InputError{Message: err.Error()}
}

// parseConfigFile reads and decodes the node file p as kind k and adds it to the inventory,
// once per file. It returns nil when the file is missing or broken (a broken file is an input
// error).
func (r *reader) parseConfigFile(k configKind, p string) *inventory.Object {
	return r.configOnce(k.kind, p, func(data []byte) (*inventory.Object, error) {
		o, err := decodeConfig(k, p, data)
		if err != nil {
			var ie *inventory.InputError
			var wk *wrongKind
			switch {
			case errors.As(err, &ie):
				return nil, &inventory.InputError{Line: ie.Line, Message: k.fileKind + ": " + ie.Message + " (not assessed)"}
			case errors.As(err, &wk):
				return nil, &inventory.InputError{Line: 1, Message: fmt.Sprintf("expected %s, found %s (not assessed)", k.fileKind, wk.got)}
			}
			return nil, err
		}
		o.Origin.Source, o.Origin.Detail = inventory.SourceNode, r.detail
		return o, nil
	})
}

// configOnce reads the node file p and decodes it with decode, once per kind and file, and adds
// the object to the inventory. It returns the object the first time; nil after that, and when
// the file is missing or broken: decode's error is an input error at its line (an
// inventory.InputError, else at no line).
func (r *reader) configOnce(kind, p string, decode func(data []byte) (*inventory.Object, error)) *inventory.Object {
	key := configKey(kind, p)
	if _, tried := r.configs[key]; tried {
		return nil
	}
	r.configs[key] = nil
	data, ok := r.readRequired(p)
	if !ok {
		return nil
	}
	o, err := decode(data)
	if err != nil {
		var ie *inventory.InputError
		if errors.As(err, &ie) {
			r.fail(p, ie.Line, ie.Message)
		} else {
			r.fail(p, 0, err.Error())
		}
		return nil
	}
	r.configs[key] = o
	r.add(o)
	return o
}

// configKey identifies a configuration file read as a kind in reader.configs.
func configKey(kind, p string) string { return kind + "\x00" + p }
