package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
)

type controlsFlags struct {
	output   string
	sections []string
	severity string
	source   string
}

func newControlsCommand(s Streams) *cobra.Command {
	f := &controlsFlags{}
	c := &cobra.Command{
		Use:   "controls",
		Short: "List the control catalog",
		Long: `List kubeharden's controls: one per checkable recommendation of the NSA/CISA
Kubernetes Hardening Guidance, with severity, guidance section and where it can be assessed.`,
		Example: `  kubeharden controls --section pod-security --severity high
  kubeharden controls -o json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var secs []catalog.Section
			for _, v := range f.sections {
				sec, err := catalog.ParseSection(v)
				if err != nil {
					return usageError("--section: %v", err)
				}
				secs = append(secs, sec)
			}
			var min catalog.Severity
			if f.severity != "" {
				var err error
				if min, err = catalog.ParseSeverity(f.severity); err != nil {
					return usageError("--severity: %v", err)
				}
			}
			cat := catalog.Default()
			list := cat.Filter(secs, min)
			if f.source != "" {
				src, err := parseSource(cat, f.source)
				if err != nil {
					return usageError("--source: %v", err)
				}
				var kept []*catalog.Control
				for _, c := range list {
					if c.HasSource(src) {
						kept = append(kept, c)
					}
				}
				list = kept
			}
			switch f.output {
			case "json", "yaml":
				if list == nil {
					list = []*catalog.Control{}
				}
				b, err := json.MarshalIndent(list, "", "  ")
				if err != nil {
					return err
				}
				if f.output == "yaml" {
					if b, err = yaml.JSONToYAML(b); err != nil {
						return err
					}
				}
				_, err = fmt.Fprintln(s.Out, strings.TrimRight(string(b), "\n"))
				return err
			case "table", "":
				tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSEVERITY\tSECTION\tSOURCES\tTITLE")
				for _, c := range list {
					srcs := make([]string, len(c.Sources))
					for i, src := range c.Sources {
						srcs[i] = string(src)
					}
					title := c.Title
					if _, ok := checks.Lookup(c.ID); !ok {
						title += " (not yet checked automatically)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Section.Key(), strings.Join(srcs, ","), title)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				fmt.Fprintf(s.Out, "\n%d controls. `kubeharden explain ID` describes one.\n", len(list))
				return nil
			default:
				return usageError("unknown output format %q (want table, json or yaml)", f.output)
			}
		},
	}
	c.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table, json or yaml")
	c.Flags().StringSliceVar(&f.sections, "section", nil, "only these guidance sections (pod-security, network, auth, logging, upgrades or 1-5)")
	c.Flags().StringVar(&f.severity, "severity", "", "only controls at or above this severity")
	c.Flags().StringVar(&f.source, "source", "", "only controls assessable from this source ("+sourcesHelp+")")
	return c
}

// sourcesHelp names the sources that controls are assessed from, as --source's help says them.
// It is written out rather than read from the catalog, which the command line is built without
// loading; a test holds it to the catalog's sources.
const sourcesHelp = "manifest, cluster or node"

// parseSource returns the source v names (case-insensitive), or an error naming the valid ones:
// the sources some control of cat is assessed from.
func parseSource(cat *catalog.Catalog, v string) (catalog.Source, error) {
	l := catalog.Source(strings.ToLower(strings.TrimSpace(v)))
	srcs := cat.Sources()
	names := make([]string, len(srcs))
	for i, src := range srcs {
		if src == l {
			return src, nil
		}
		names[i] = string(src)
	}
	return "", fmt.Errorf("unknown source %q (want %s)", v, strings.Join(names, ", "))
}
