package cli

import (
	"github.com/spf13/cobra"

	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

type scanFlags struct {
	audit       auditFlags
	namespace   string
	maxFileSize int64
}

func newScanCommand(s Streams) *cobra.Command {
	f := &scanFlags{}
	c := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Audit manifest files and folders (use - for standard input)",
		Long: `Audit Kubernetes manifests: YAML or JSON files, folders (searched recursively for
.yaml, .yml and .json files) and standard input (-). Every finding names its file and line.

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
			return f.audit.run(s, inv, args, ".")
		},
	}
	f.audit.register(c)
	c.Flags().StringVarP(&f.namespace, "namespace", "n", "", "namespace for objects that do not name one (default \"default\")")
	c.Flags().Int64Var(&f.maxFileSize, "max-file-size", manifest.DefaultMaxFileSize, "skip files larger than this many bytes, with an error")
	return c
}
