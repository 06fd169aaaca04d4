package helm

import (
	"runtime"
	"slices"
	"strconv"

	k8sversion "k8s.io/apimachinery/pkg/util/version"
)

// This file is .Capabilities: what a chart is told about the cluster it is rendered for. Helm
// builds the same object from client-go's full kubernetes scheme at start-up; kubeharden only
// needs the list of group/versions that scheme registers, so the list is written out here and
// a test checks it against Helm's.

// helmVersion is .Capabilities.HelmVersion.Version: the Helm release whose rendering this
// package reproduces (Helm reports its major.minor when built as a library).
const helmVersion = "v3.22"

// capabilities has the shape, field names and methods of Helm's chartutil.Capabilities, so that
// templates reading, printing or serialising it see what they would under Helm.
type capabilities struct {
	KubeVersion kubeVersion
	APIVersions versionSet
	HelmVersion buildInfo
}

// Copy returns a copy; Helm's type has the method, so a template may call it.
func (c *capabilities) Copy() *capabilities {
	return &capabilities{KubeVersion: c.KubeVersion, APIVersions: c.APIVersions, HelmVersion: c.HelmVersion}
}

// kubeVersion is .Capabilities.KubeVersion. Its String and GitVersion methods have pointer
// receivers, as Helm's do: text/template prints "{{ .Capabilities.KubeVersion }}" through String
// only because the field is addressable through the *capabilities.
type kubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (kv *kubeVersion) String() string { return kv.Version }

// GitVersion is the name older charts use for Version.
func (kv *kubeVersion) GitVersion() string { return kv.Version }

// versionSet is .Capabilities.APIVersions.
type versionSet []string

// Has reports whether the cluster serves apiVersion ("apps/v1").
func (v versionSet) Has(apiVersion string) bool { return slices.Contains(v, apiVersion) }

// buildInfo is .Capabilities.HelmVersion, with the JSON names Helm gives it (toJson shows them).
type buildInfo struct {
	Version      string `json:"version,omitempty"`
	GitCommit    string `json:"git_commit,omitempty"`
	GitTreeState string `json:"git_tree_state,omitempty"`
	GoVersion    string `json:"go_version,omitempty"`
}

// parseKubeVersion reads a Kubernetes version ("1.37", "v1.37.0") the way Helm's
// --kube-version does.
func parseKubeVersion(s string) (kubeVersion, error) {
	v, err := k8sversion.ParseGeneric(s)
	if err != nil {
		return kubeVersion{}, err
	}
	return kubeVersion{
		Version: "v" + v.String(),
		Major:   strconv.FormatUint(uint64(v.Major()), 10),
		Minor:   strconv.FormatUint(uint64(v.Minor()), 10),
	}, nil
}

// newCapabilities returns the capabilities of a client-only render (`helm template`) against
// Kubernetes kv.
func newCapabilities(kv kubeVersion) *capabilities {
	return &capabilities{
		KubeVersion: kv,
		APIVersions: slices.Clone(builtinAPIVersions),
		HelmVersion: buildInfo{Version: helmVersion, GoVersion: runtime.Version()},
	}
}

// builtinAPIVersions are the group/versions client-go's kubernetes scheme registers, with the
// apiextensions ones Helm adds, in the scheme's priority order (the order a template that prints
// or ranges over .Capabilities.APIVersions sees). TestAPIVersionsMatchHelm keeps it in step with
// the client-go version in go.mod.
var builtinAPIVersions = versionSet{
	"v1",
	"admissionregistration.k8s.io/v1",
	"admissionregistration.k8s.io/v1alpha1",
	"admissionregistration.k8s.io/v1beta1",
	"internal.apiserver.k8s.io/v1alpha1",
	"apps/v1",
	"apps/v1beta1",
	"apps/v1beta2",
	"authentication.k8s.io/v1",
	"authentication.k8s.io/v1alpha1",
	"authentication.k8s.io/v1beta1",
	"authorization.k8s.io/v1",
	"authorization.k8s.io/v1beta1",
	"autoscaling/v1",
	"autoscaling/v2",
	"batch/v1",
	"batch/v1beta1",
	"certificates.k8s.io/v1",
	"certificates.k8s.io/v1beta1",
	"certificates.k8s.io/v1alpha1",
	"coordination.k8s.io/v1alpha2",
	"coordination.k8s.io/v1beta1",
	"coordination.k8s.io/v1",
	"discovery.k8s.io/v1",
	"discovery.k8s.io/v1beta1",
	"events.k8s.io/v1",
	"events.k8s.io/v1beta1",
	"extensions/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1beta2",
	"flowcontrol.apiserver.k8s.io/v1beta3",
	"lifecycle.k8s.io/v1alpha1",
	"networking.k8s.io/v1",
	"networking.k8s.io/v1beta1",
	"node.k8s.io/v1",
	"node.k8s.io/v1alpha1",
	"node.k8s.io/v1beta1",
	"policy/v1",
	"policy/v1beta1",
	"rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1",
	"rbac.authorization.k8s.io/v1alpha1",
	"resource.k8s.io/v1",
	"resource.k8s.io/v1beta2",
	"resource.k8s.io/v1beta1",
	"resource.k8s.io/v1alpha3",
	"scheduling.k8s.io/v1alpha3",
	"scheduling.k8s.io/v1beta1",
	"scheduling.k8s.io/v1",
	"storage.k8s.io/v1beta1",
	"storage.k8s.io/v1",
	"storage.k8s.io/v1alpha1",
	"storagemigration.k8s.io/v1",
	"storagemigration.k8s.io/v1beta1",
	"apiextensions.k8s.io/v1beta1",
	"apiextensions.k8s.io/v1",
}
