package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubeharden/kubeharden/pkg/catalog"
)

func newExplainCommand(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:     "explain ID",
		Short:   "Describe a control: why it matters, what is checked, how to fix it",
		Example: "  kubeharden explain PS-14",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			c := catalog.Default().Get(args[0])
			if c == nil {
				return usageError("unknown control %q (see `kubeharden controls`)", args[0])
			}
			writeExplanation(s.Out, c)
			return nil
		},
	}
}

func writeExplanation(w io.Writer, c *catalog.Control) {
	srcs := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		srcs[i] = string(s)
	}
	fmt.Fprintf(w, "%s  %s\n\n", c.ID, c.Title)
	fmt.Fprintf(w, "Severity:  %s\n", c.Severity)
	fmt.Fprintf(w, "Section:   %d. %s\n", c.Section, c.Section.Title())
	fmt.Fprintf(w, "Assessed:  %s\n\n", strings.Join(srcs, ", "))
	para(w, "Why it matters", c.Rationale)
	para(w, "What is checked", c.Checked)
	para(w, "How to fix it", c.Remediation)
	if c.Example != "" {
		fmt.Fprintln(w, "Example:")
		for _, l := range strings.Split(strings.TrimRight(c.Example, "\n"), "\n") {
			fmt.Fprintln(w, "    "+l)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "References:")
	if len(c.References) == 0 {
		// Said rather than left out, so that a reader does not wonder whether it was forgotten.
		fmt.Fprintln(w, "  none: kubescape, trivy, the CIS Benchmark and the Pod Security Standards have no counterpart")
	}
	for _, r := range c.References {
		fmt.Fprintln(w, "  - "+catalog.DescribeReference(r))
	}
}

func para(w io.Writer, title, text string) {
	fmt.Fprintln(w, title+":")
	for _, l := range wrap(text, 92) {
		fmt.Fprintln(w, "  "+l)
	}
	fmt.Fprintln(w)
}

func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
