// Package cli wires kubeharden's commands: each file turns one command's flags into the options
// of library packages (sources, engine, report) and runs them. Nothing here checks anything or
// formats a result; that keeps every command consistent and each piece testable on its own.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes, documented in the README.
const (
	ExitOK       = 0 // no finding at or above --fail-on, and all input read
	ExitFindings = 1 // a finding at or above --fail-on remains
	ExitError    = 2 // usage error, or input that could not be read (results are incomplete)
)

// Streams are the process's standard streams, replaceable in tests.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func usageError(format string, args ...any) error {
	return &exitError{code: ExitError, err: fmt.Errorf(format, args...)}
}

// Main runs kubeharden with args and returns the process exit code.
func Main(args []string, s Streams) int {
	if file := os.Getenv("KUBEHARDEN_CPUPROFILE"); file != "" {
		// For performance work: a CPU profile of the whole command, start-up included.
		if f, err := os.Create(file); err == nil {
			defer f.Close()
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	root := NewRoot(s)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(s.Err, "kubeharden:", ee.err)
		}
		return ee.code
	}
	// Errors cobra raises itself (unknown flags, wrong argument counts) are usage errors.
	fmt.Fprintln(s.Err, "kubeharden:", err)
	return ExitError
}

// NewRoot builds the command tree.
func NewRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubeharden",
		Short: "Audit Kubernetes against the NSA/CISA Kubernetes Hardening Guidance",
		Long: `kubeharden checks Kubernetes manifests, Helm charts, Kustomize builds, live clusters
and nodes against the NSA/CISA Kubernetes Hardening Guidance v1.2, and reports each
finding with its file and line, a severity and a compliance score per guidance section.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: ExitError, err: fmt.Errorf("%w\nSee '%s --help'.", err, c.CommandPath())}
	})
	root.AddCommand(
		newScanCommand(s),
		newClusterCommand(s),
		newNodeCommand(s),
		newRBACCommand(s),
		newControlsCommand(s),
		newExplainCommand(s),
		newVersionCommand(s),
	)
	return root
}

// isTerminal reports whether w is a terminal that should get colour and progress output.
func isTerminal(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
