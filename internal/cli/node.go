package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubeharden/kubeharden/pkg/source/node"
)

type nodeFlags struct {
	audit    auditFlags
	root     string
	proc     string
	noProc   bool
	nodeName string
	every    time.Duration
}

func newNodeCommand(s Streams) *cobra.Command {
	f := &nodeFlags{}
	c := &cobra.Command{
		Use:   "node",
		Short: "Audit a node: control-plane settings, kubelet, file permissions, running components",
		Long: `Audit the Kubernetes node kubeharden runs on, or a copy of one (--root): the static pod
manifests of the control plane (/etc/kubernetes/manifests), the kubelet's configuration file
and flags (systemd unit, drop-ins, kubeadm-flags.env, or its running command line), the
encryption configuration and audit policy the API server names, and the permissions and owners
of kubeconfigs, PKI files and the etcd data directory. Components without a static pod manifest
are read from their command lines in /proc.

Findings name the node's file and line, or the process, and give the control's counterparts:
"cis:" references use the numbering of the CIS Kubernetes Benchmark v1.12, "kubescape:" and
"trivy:" those tools' IDs. Run as root: the files are readable by root only. Private keys are
never read, only their permissions.

Exit codes: 0 when no finding reaches --fail-on, 1 when one does, 2 on usage errors, when
some input could not be read, or when no kubelet and no control-plane component is found (an
empty folder or a wrong --root).`,
		Example: `  sudo kubeharden node
  kubeharden node --root /mnt/node-backup -o json
  kubeharden node --root /host --proc /proc --node-name "$NODE_NAME" --fail-on high`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			// A node's files make a small inventory: huge pages would cost more than they save
			// (a kubeadm node: 0.052 s instead of 0.066 s).
			warmUp(false)
			opts := node.Options{Root: f.root, Proc: f.proc, NoProc: f.noProc, NodeName: f.nodeName}
			if f.every <= 0 {
				return f.audit.run(s, node.Load(opts), nil, "")
			}
			return f.repeat(c.Context(), s, opts)
		},
	}
	f.audit.register(c)
	fl := c.Flags()
	fl.StringVar(&f.root, "root", "/", "the node's root folder: / on the node, or a copy laid out like it")
	fl.StringVar(&f.proc, "proc", "", "the process table to read (default ROOT/proc); with hostPID in a pod, /proc")
	fl.BoolVar(&f.noProc, "no-proc", false, "do not read running processes")
	fl.StringVar(&f.nodeName, "node-name", "", "the node's name in findings (default the host name when --root is /)")
	fl.DurationVar(&f.every, "every", 0, "audit again at this interval, writing one report each time (for a DaemonSet); stop with SIGTERM")
	return c
}

// repeat audits every f.every until it is told to stop. Findings and unreadable input do not
// end the loop (each report says so); a usage error does.
func (f *nodeFlags) repeat(ctx context.Context, s Streams, opts node.Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	for {
		err := f.audit.run(s, node.Load(opts), nil, "")
		var ee *exitError
		switch {
		case err == nil:
		case !errors.As(err, &ee) || ee.err != nil:
			return err
		default:
			fmt.Fprintf(s.Err, "kubeharden: audit finished with exit status %d; next audit in %s\n", ee.code, f.every)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(f.every):
		}
	}
}
