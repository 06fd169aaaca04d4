package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubeharden/kubeharden/pkg/checks/versions"
	"github.com/kubeharden/kubeharden/pkg/redact"
	"github.com/kubeharden/kubeharden/pkg/source/cluster"
)

type clusterFlags struct {
	audit          auditFlags
	kubeconfig     string
	context        string
	namespace      string
	allNamespaces  bool
	requestTimeout time.Duration
	timeout        time.Duration
	pageSize       int64
	concurrency    int
	cveFeed        string
	noProgress     bool
	listOnly       bool
}

func newClusterCommand(s Streams) *cobra.Command {
	f := &clusterFlags{}
	c := &cobra.Command{
		Use:   "cluster",
		Short: "Audit a running cluster through its API server",
		Long: `Audit a live cluster the way kubectl reaches it: the current context of $KUBECONFIG or
~/.kube/config (--kubeconfig, --context), or the pod's service account when run inside a
cluster. Every kind the controls read is listed in pages, several kinds at a time, and judged by
the same checks and reports as 'scan'; the listed set is the whole cluster, so a namespace
without a NetworkPolicy really has none.

Beyond the objects, a live scan reads the control plane's flags from its mirror pods in
kube-system (where they are visible: not on managed clusters), sends unauthenticated requests
to /version and /api to see what an anonymous caller gets, and compares the API server's and
each kubelet's version with the supported releases and the known Kubernetes CVEs (an embedded,
dated copy of the official CVE feed; --cve-feed reads a newer one).

With -n, namespaced kinds are read from that namespace only (cluster-wide kinds such as
ClusterRoleBindings and nodes are still read). The namespace is judged as a whole, since its
NetworkPolicies, quotas and roles are all read; controls that look for something anywhere in
the cluster (a log forwarder, the network plugin, the control plane's mirror pods in
kube-system) are reported not assessed.

Kinds the credentials may not list are reported "not assessed" with the server's reason,
never as passing; the scan needs only get/list (a ClusterRole like 'view' plus Secrets of type
kubernetes.io/service-account-token, RBAC objects, nodes and admission configurations for full
coverage). An API server that stops answering ends the scan within about --request-timeout,
with the results read so far, the error, and exit code 2.

Exit codes: 0 when no finding reaches --fail-on, 1 when one does, 2 on usage errors or when
part of the cluster could not be read.`,
		Example: `  kubeharden cluster
  kubeharden cluster --context prod -o sarif --output-file cluster.sarif
  kubeharden cluster -n shop --fail-on high
  kubeharden cluster --cve-feed official-cve-feed.json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return f.run(c, s) },
	}
	f.audit.register(c)
	fl := c.Flags()
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default $KUBECONFIG or ~/.kube/config; in a pod, its service account)")
	fl.StringVar(&f.context, "context", "", "kubeconfig context to use (default the current context)")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "scan only this namespace's objects (cluster-wide objects are still read)")
	fl.BoolVarP(&f.allNamespaces, "all-namespaces", "A", false, "scan every namespace (the default)")
	fl.DurationVar(&f.requestTimeout, "request-timeout", cluster.DefaultRequestTimeout, "give up on a single request to the API server after this long")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "give up on listing the cluster after this long")
	fl.Int64Var(&f.pageSize, "page-size", cluster.DefaultPageSize, "objects per LIST request")
	fl.IntVar(&f.concurrency, "concurrency", cluster.DefaultConcurrency, "kinds listed at the same time")
	fl.StringVar(&f.cveFeed, "cve-feed", "", "read Kubernetes CVEs from this file in the official CVE feed format instead of the embedded copy")
	fl.BoolVar(&f.noProgress, "no-progress", false, "never draw a progress bar")
	// --list-only times the API server alone: the LISTs a scan makes, nothing kept or checked.
	// scripts/bench-cluster uses it as the floor a scan is compared with.
	fl.BoolVar(&f.listOnly, "list-only", false, "only list the objects a scan reads, print how many, and exit")
	fl.MarkHidden("list-only")
	return c
}

func (f *clusterFlags) run(c *cobra.Command, s Streams) error {
	if f.allNamespaces && f.namespace != "" {
		return usageError("-n/--namespace and -A/--all-namespaces cannot be used together")
	}
	if f.requestTimeout < 0 || f.timeout < 0 || f.pageSize < 0 || f.concurrency < 0 {
		return usageError("--request-timeout, --timeout, --page-size and --concurrency must not be negative")
	}
	feed := versions.EmbeddedFeed()
	if f.cveFeed != "" {
		data, err := os.ReadFile(f.cveFeed)
		if err != nil {
			return usageError("--cve-feed: %v", err)
		}
		if feed, err = versions.ParseFeed(data); err != nil {
			return usageError("--cve-feed %s: %v", f.cveFeed, err)
		}
		if n := feed.Heuristic(); n > 0 {
			fmt.Fprintf(s.Err, "kubeharden: note: %s has no structured version ranges for %d CVE(s); their affected versions are read from the advisory text, which may be imprecise\n", f.cveFeed, n)
		}
	}
	restore := versions.UseFeed(feed)
	defer restore()

	cfg, name, err := f.clientConfig()
	if err != nil {
		return usageError("%v", err)
	}
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	opts := cluster.Options{Config: cfg, Name: name, Namespace: f.namespace, PageSize: f.pageSize,
		Concurrency: f.concurrency, RequestTimeout: f.requestTimeout}
	if f.listOnly {
		// The floor gets the same heap preparation as a scan, so that it stays the fastest
		// listing this binary can do and a scan is never measured against a slowed floor.
		prepareHeap(true)
		n, err := cluster.ListOnly(ctx, opts)
		if err != nil {
			return &exitError{code: ExitError, err: err}
		}
		fmt.Fprintln(s.Out, n)
		return nil
	}
	// A live scan holds the whole cluster in memory at once. Unless the user set GOMEMLIMIT,
	// ask the garbage collector to work harder as the heap nears memLimit rather than let it
	// double past the live set; on a busy machine the collector otherwise falls behind a fast
	// listing and the peak grows far beyond what the objects need.
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(memLimit))
	}
	warmUp(true)
	if !f.noProgress && isTerminal(s.Err) {
		opts.Progress = &progressBar{w: s.Err}
	}
	inv, err := cluster.Load(ctx, opts)
	if err != nil {
		if errors.Is(err, cluster.ErrUnreachable) {
			return &exitError{code: ExitError, err: err}
		}
		return usageError("%v", err)
	}
	return f.audit.run(s, inv, nil, "")
}

// memLimit is the soft memory limit of a live scan (see run).
const memLimit = 200 << 20

// clientConfig loads the client configuration the way kubectl does: --kubeconfig, else
// $KUBECONFIG, else ~/.kube/config, else the in-cluster service account. name is what reports
// call the cluster: the context, or "in-cluster".
func (f *clusterFlags) clientConfig() (*rest.Config, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if f.kubeconfig != "" {
		rules.ExplicitPath = f.kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: f.context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, "", errors.New("no kubeconfig found and not running in a pod: set --kubeconfig or KUBECONFIG")
		}
		// client-go quotes the kubeconfig's YAML in its parse errors.
		return nil, "", errors.New(redact.Message(err.Error()))
	}
	name := f.context
	if name == "" {
		if raw, err := cc.RawConfig(); err == nil && raw.CurrentContext != "" {
			name = raw.CurrentContext
		} else {
			name = "in-cluster"
		}
	}
	return cfg, name, nil
}

// progressBar draws one self-overwriting status line on a terminal's standard error. It is
// only used when standard error is a terminal, so pipes and CI logs never see a control code.
type progressBar struct {
	w       io.Writer
	mu      sync.Mutex
	kinds   int
	done    int
	objects int
	last    time.Time
	drawn   bool
}

func (p *progressBar) Start(kinds int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kinds = kinds
	p.draw(true)
}

func (p *progressBar) Listed(_ string, n int, done bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.objects += n
	if done {
		p.done++
	}
	p.draw(done)
}

func (p *progressBar) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// draw repaints at most ten times a second, and whenever a kind completes.
func (p *progressBar) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 24
	filled := 0
	if p.kinds > 0 {
		filled = width * p.done / p.kinds
	}
	bar := make([]byte, width)
	for i := range bar {
		if i < filled {
			bar[i] = '#'
		} else {
			bar[i] = '.'
		}
	}
	fmt.Fprintf(p.w, "\r\x1b[Klisting the cluster [%s] %d/%d kinds, %d objects", bar, p.done, p.kinds, p.objects)
	p.drawn = true
}
