package inventory

// Kinds that only a live cluster scan produces: facts about the API server that no listed object
// carries (its version, how it answers unauthenticated requests), and placeholders for the kinds
// the scan could not list. Keeping them in the inventory, like the node kinds, lets the checks
// that judge them stay ordinary checks that never ask where their input came from.

// ClusterAPIVersion is the apiVersion of the kinds kubeharden defines for live cluster scans.
const ClusterAPIVersion = "cluster.kubeharden.io/v1"

// KindClusterInfo is the kind of the one ClusterInfo object of a live scan.
const KindClusterInfo = "ClusterInfo"

func init() { clusterScoped[KindClusterInfo] = true }

// ClusterInfo is the typed value of the ClusterInfo object: what the scan learnt about the API
// server itself. Cluster-wide controls (admission policies present, a log forwarder on every
// node, anonymous access) are reported against it, so they have one object to pass or fail.
type ClusterInfo struct {
	// Server is the API server URL the scan used.
	Server string
	// Version is what GET /version answered; nil when it could not be read, and VersionError
	// then says why.
	Version      *ServerVersion
	VersionError string
	// Namespace is the namespace the scan was limited to (-n), or "" for all namespaces.
	// Controls that look for objects anywhere in the cluster (a log forwarder DaemonSet, the CNI)
	// cannot judge a scan limited to one namespace.
	Namespace string
	// Anonymous holds the results of unauthenticated requests to the API server; empty when
	// none was made, and AnonymousError then says why.
	Anonymous      []AnonymousProbe
	AnonymousError string
}

// ServerVersion is the part of the API server's /version answer that the checks read.
type ServerVersion struct {
	GitVersion string `json:"gitVersion"`
	Major      string `json:"major"`
	Minor      string `json:"minor"`
	Platform   string `json:"platform,omitempty"`
	BuildDate  string `json:"buildDate,omitempty"`
}

// AnonymousProbe is one request sent without credentials (but trusting the cluster's CA).
type AnonymousProbe struct {
	Path string
	// Status is the HTTP status code; 0 when no answer came, and Error then says why.
	Status int
	Error  string
}

// AddUnreadable records a placeholder for the objects of kind (in namespace, or in every
// namespace when namespace is "") that a source could not read, with the reason. name is the
// object the placeholder stands for, or "" for all of them. The engine
// reports every control that applies to objects of that kind as not assessed on the placeholder,
// so a resource the credentials may not list shows up as "not assessed: forbidden" and never as
// a silent pass. Placeholders are kept apart from Objects, so lookups and indexes never see them.
func (inv *Inventory) AddUnreadable(apiVersion, kind, namespace, name, reason string) {
	if name == "" {
		name = "*"
	}
	typed, meta, _ := NewTyped(apiVersion, kind)
	o := &Object{APIVersion: apiVersion, Kind: kind, Namespace: namespace, Name: name, Typed: typed, Meta: meta,
		Unreadable: reason, Origin: Origin{Source: SourceCluster, Detail: "every " + kind + " the scan could not list"}}
	if namespace == "" && IsNamespaced(kind) {
		o.DefaultNamespace = "*"
	}
	if meta != nil {
		meta.Name, meta.Namespace = o.Name, namespace
	}
	inv.Unreadable = append(inv.Unreadable, o)
	inv.MarkUnavailable(kind, reason)
}
