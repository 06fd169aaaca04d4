package rbac

// Without API discovery the analysis cannot ask the server which group a resource lives in or
// whether it is namespaced. These tables cover the built-in resources that RBAC reviews ask about;
// anything else can be written as resource.group, and is treated as namespaced.

type groupResource struct{ group, resource string }

// groupOf maps the plural name of well-known built-in resources to their API group ("" for the
// core group). Each name is listed in one group only: "events", which events.k8s.io serves too,
// means the core group's, as in kubectl.
var groupOf = map[string]string{}

// shortNames are kubectl's abbreviations for the resources people type most.
var shortNames = map[string]string{
	"po": "pods", "svc": "services", "sa": "serviceaccounts", "cm": "configmaps", "ns": "namespaces",
	"no": "nodes", "pv": "persistentvolumes", "pvc": "persistentvolumeclaims", "ev": "events",
	"ep": "endpoints", "rc": "replicationcontrollers", "deploy": "deployments", "rs": "replicasets",
	"ds": "daemonsets", "sts": "statefulsets", "cj": "cronjobs", "ing": "ingresses",
	"netpol": "networkpolicies", "pdb": "poddisruptionbudgets", "hpa": "horizontalpodautoscalers",
	"csr": "certificatesigningrequests", "crd": "customresourcedefinitions", "sc": "storageclasses",
	"pc": "priorityclasses",
}

// clusterScoped lists the built-in cluster-scoped resources (the pseudo-resources that
// impersonation and the review APIs use included). A RoleBinding never grants access to them.
var clusterScoped = map[groupResource]bool{}

func init() {
	for group, list := range map[string][]struct {
		resource string
		cluster  bool
	}{
		"": {{"pods", false}, {"services", false}, {"secrets", false}, {"configmaps", false},
			{"serviceaccounts", false}, {"persistentvolumeclaims", false}, {"events", false},
			{"endpoints", false}, {"replicationcontrollers", false}, {"limitranges", false},
			{"resourcequotas", false}, {"podtemplates", false}, {"bindings", false},
			{"namespaces", true}, {"nodes", true}, {"persistentvolumes", true},
			{"componentstatuses", true}, {"users", true}, {"groups", true}},
		"apps": {{"deployments", false}, {"statefulsets", false}, {"daemonsets", false},
			{"replicasets", false}, {"controllerrevisions", false}},
		"batch":                        {{"jobs", false}, {"cronjobs", false}},
		"autoscaling":                  {{"horizontalpodautoscalers", false}},
		"policy":                       {{"poddisruptionbudgets", false}},
		"coordination.k8s.io":          {{"leases", false}},
		"discovery.k8s.io":             {{"endpointslices", false}},
		"networking.k8s.io":            {{"networkpolicies", false}, {"ingresses", false}, {"ingressclasses", true}},
		"rbac.authorization.k8s.io":    {{"roles", false}, {"rolebindings", false}, {"clusterroles", true}, {"clusterrolebindings", true}},
		"certificates.k8s.io":          {{"certificatesigningrequests", true}, {"signers", true}, {"clustertrustbundles", true}},
		"authentication.k8s.io":        {{"tokenreviews", true}, {"selfsubjectreviews", true}, {"uids", true}, {"userextras", true}},
		"authorization.k8s.io":         {{"subjectaccessreviews", true}, {"selfsubjectaccessreviews", true}, {"selfsubjectrulesreviews", true}, {"localsubjectaccessreviews", false}},
		"admissionregistration.k8s.io": {{"mutatingwebhookconfigurations", true}, {"validatingwebhookconfigurations", true}, {"validatingadmissionpolicies", true}, {"validatingadmissionpolicybindings", true}, {"mutatingadmissionpolicies", true}, {"mutatingadmissionpolicybindings", true}},
		"storage.k8s.io":               {{"storageclasses", true}, {"csidrivers", true}, {"csinodes", true}, {"volumeattachments", true}, {"csistoragecapacities", false}},
		"apiextensions.k8s.io":         {{"customresourcedefinitions", true}},
		"apiregistration.k8s.io":       {{"apiservices", true}},
		"scheduling.k8s.io":            {{"priorityclasses", true}},
		"node.k8s.io":                  {{"runtimeclasses", true}},
		"flowcontrol.apiserver.k8s.io": {{"flowschemas", true}, {"prioritylevelconfigurations", true}},
	} {
		for _, r := range list {
			groupOf[r.resource] = group
			if r.cluster {
				clusterScoped[groupResource{group, r.resource}] = true
			}
		}
	}
}
