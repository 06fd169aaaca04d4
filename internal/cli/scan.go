package cli

import (
	"github.com/spf13/cobra"

	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

type scanFlags struct {
	audit       auditFlags
	namespace   string
	maxFileSize int64
	complete    bool
}

func newScanCommand(s Streams) *cobra.Command {
	f := &scanFlags{}
	c := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Audit manifest files and folders (use - for standard input)",
		Long: `Audit Kubernetes manifests: YAML or JSON files, folders (searched recursively for
.yaml, .yml and .json files) and standard input (-). Every finding names its file and line.

Namespace-level controls (default-deny NetworkPolicies, quotas, LimitRanges, Pod Security
labels) judge only namespaces whose Namespace object is among the scanned files. A namespace
that the files merely use is reported "not assessed": its policies may live in files that were
not scanned. Pass --complete when the files are the whole cluster, so that such namespaces are
judged (and fail) like declared ones.

Exit codes: 0 when no finding reaches --fail-on, 1 when one does, 2 on usage or input errors.`,
		Example: `  kubeharden scan deploy/
  kubeharden scan -o sarif --output-file kubeharden.sarif .
  helm template ./chart | kubeharden scan - --fail-on high`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			inv := manifest.Load(args, manifest.Options{
				MaxFileSize:      f.maxFileSize,
				DefaultNamespace: f.namespace,
				Stdin:            s.In,
			})
			inv.Complete = f.complete
			return f.audit.run(s, inv, args, ".")
		},
	}
	f.audit.register(c)
	c.Flags().StringVarP(&f.namespace, "namespace", "n", "", "namespace for objects that do not name one (default \"default\")")
	c.Flags().BoolVar(&f.complete, "complete", false, "the files are the whole cluster: namespaces they use but do not declare have no NetworkPolicies, quotas or labels elsewhere, so namespace-level controls fail them instead of reporting them not assessed")
	c.Flags().Int64Var(&f.maxFileSize, "max-file-size", manifest.DefaultMaxFileSize, "skip files larger than this many bytes, with an error")
	return c
}
