package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubeharden/kubeharden/internal/version"
	"github.com/kubeharden/kubeharden/pkg/catalog"
)

func newVersionCommand(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kubeharden's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(s.Out, "kubeharden %s\n", version.Get())
			fmt.Fprintf(s.Out, "guidance:  NSA/CISA Kubernetes Hardening Guidance %s\n", catalog.GuidanceVersion)
			fmt.Fprintf(s.Out, "controls:  %d\n", len(catalog.Default().All()))
			fmt.Fprintf(s.Out, "go:        %s\n", version.GoVersion())
			return nil
		},
	}
}
