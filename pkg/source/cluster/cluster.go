// Package cluster reads a live cluster into an inventory: every kind the checks read, listed with
// client-go in pages and concurrently, plus what only the API server itself can tell (its
// version, whether it answers anonymous requests) and a placeholder for everything that could
// not be read, so that no control ever passes for lack of evidence.
//
// # What a scan lists
//
// Kinds returns the list. Two choices keep memory and time low on big clusters:
//   - managedFields and kubectl's last-applied-configuration annotation are dropped from every
//     object as it is decoded (no check reads them, and they are often half an object's size);
//     Node images lists are dropped too.
//   - only service-account token Secrets are listed (see legacyTokenSelector), and their values
//     are dropped on read with inventory.RedactSecret.
//
// Pods, ReplicaSets and Jobs that a listed workload controls (a ReplicaSet of a Deployment, its
// Pods) are not assessed on their own: the controller's template is what someone wrote and can
// fix, and reporting the same privileged container three times buries the rest. Objects whose
// controller was not listed (bare Pods, mirror Pods, a ReplicaSet whose Deployment could not be
// read) are assessed.
//
// # Completeness
//
// A scan of all namespaces (the default) sets Inventory.Complete: a namespace without a
// NetworkPolicy in the inventory has none. A scan limited to one namespace (-n) lists the
// namespaced kinds of that namespace only, and cluster-scoped kinds as usual. It is still
// complete for that namespace (NetworkPolicies, quotas, roles and service accounts only act
// within their own namespace), so Complete is set too; the few controls that look for objects
// in any namespace (a log forwarder, the CNI, control-plane mirror pods in kube-system) read
// ClusterInfo.Namespace and report not assessed instead.
//
// # Failures
//
// A kind the credentials may not list (403), or that the server does not serve (404), becomes
// a placeholder (inventory.AddUnreadable) with the server's reason: every control that applies
// to it is reported not assessed. That is not an input error: a least-privileged scanner is a
// normal thing to run. Any other failure (a timeout, a refused connection, a 5xx) is an input
// error as well, which makes the run exit 2. After the first failure that says the server
// stopped answering, the kinds not yet listed are given up at once rather than each waiting
// for its own timeout, so a dead server ends the scan within about one request timeout.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"

	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/redact"
)

// Defaults for Options fields left zero.
const (
	DefaultPageSize       = 500
	DefaultConcurrency    = 6
	DefaultRequestTimeout = 30 * time.Second
)

// Options configure a scan.
type Options struct {
	// Config is the client configuration (from a kubeconfig or in-cluster). It is copied, not
	// modified.
	Config *rest.Config
	// Name names the cluster in each object's origin ("cluster kind-dev"); default the server.
	Name string
	// Namespace limits namespaced kinds to one namespace; "" lists all namespaces.
	Namespace string
	// PageSize is the number of objects per LIST request (default 500).
	PageSize int64
	// Concurrency is the number of kinds listed at the same time (default 6).
	Concurrency int
	// RequestTimeout bounds each request, every page of a LIST included (default 30s).
	RequestTimeout time.Duration
	// Kinds overrides the kinds listed (default Kinds()).
	Kinds []Kind
	// Progress, when set, is told about the listing as it goes.
	Progress Progress
	// NoAnonymousProbe skips the unauthenticated requests to /version and /api.
	NoAnonymousProbe bool
}

// Progress receives listing progress; the CLI draws a bar with it on a terminal.
type Progress interface {
	// Start is called once with the number of kinds to list.
	Start(kinds int)
	// Listed is called as objects of a kind arrive (n more) and, with done set, when the kind
	// is finished.
	Listed(kind string, n int, done bool)
	// Finish is called once when the listing is over.
	Finish()
}

// ErrUnreachable wraps the error of a scan that could not reach the API server at all.
var ErrUnreachable = errors.New("cannot reach the API server")

// Load lists the cluster into an inventory. It returns an error only when the API server could
// not be reached at all; everything else (kinds that could not be listed, a server that stopped
// answering half-way) is in the inventory's Errors and placeholders, next to whatever was read.
func Load(ctx context.Context, opts Options) (*inventory.Inventory, error) {
	s, err := newScan(opts)
	if err != nil {
		return nil, err
	}
	return s.run(ctx)
}

type scan struct {
	opts Options
	// countOnly lists as a scan does but keeps nothing (ListOnly).
	countOnly bool
	cfg       *rest.Config
	api       *apiClient
	detail    string

	// dead is closed when the server stopped answering; deadErr is why.
	dead     chan struct{}
	deadOnce sync.Once
	deadErr  error
}

func newScan(opts Options) (*scan, error) {
	if opts.Config == nil {
		return nil, errors.New("cluster: no client configuration")
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Kinds == nil {
		opts.Kinds = Kinds()
	}
	cfg := ClientConfig(opts.Config, opts.RequestTimeout)
	api, err := newAPIClient(cfg)
	if err != nil {
		return nil, err
	}
	name := opts.Name
	if name == "" {
		name = cfg.Host
	}
	return &scan{opts: opts, cfg: cfg, api: api, detail: "cluster " + name, dead: make(chan struct{})}, nil
}

// ClientConfig returns a copy of cfg tuned for bulk listing: protobuf (several times cheaper to
// decode than JSON for the built-in kinds), a client-side rate limit high enough not to
// throttle a scan's few dozen requests (the server's priority and fairness still applies), and a
// timeout on every request. The benchmark's floor uses the same settings.
func ClientConfig(cfg *rest.Config, timeout time.Duration) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.ContentType = "application/vnd.kubernetes.protobuf"
	c.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	if c.QPS == 0 {
		c.QPS = 100
	}
	if c.Burst == 0 {
		c.Burst = 200
	}
	if timeout > 0 {
		c.Timeout = timeout
	}
	if c.UserAgent == "" {
		c.UserAgent = "kubeharden"
	}
	return c
}

func (s *scan) run(ctx context.Context) (*inventory.Inventory, error) {
	inv := &inventory.Inventory{Complete: true}
	info := &inventory.ClusterInfo{Server: s.cfg.Host, Namespace: s.opts.Namespace}

	// /version first: it is served to everyone, so failing here means the server cannot be
	// reached, and listing would only repeat the same error for every kind.
	v, err := s.api.version(ctx)
	switch {
	case err == nil:
		info.Version = &inventory.ServerVersion{GitVersion: v.GitVersion, Major: v.Major, Minor: v.Minor,
			Platform: v.Platform, BuildDate: v.BuildDate}
	case isStatusError(err):
		info.VersionError = "GET /version: " + err.Error()
	default:
		// The server's URL may hold a password or a token, and the HTTP client's error
		// quotes the URL it requested.
		return nil, fmt.Errorf("%w at %s: %s", ErrUnreachable, redact.URL(s.cfg.Host), redact.Message(err.Error()))
	}

	// The anonymous requests go out while the kinds are listed: they need nothing from the
	// listing, and on a slow link their round trips would otherwise add to the scan's time.
	probed := make(chan struct{})
	if !s.opts.NoAnonymousProbe {
		go func() {
			defer close(probed)
			info.Anonymous, info.AnonymousError = probeAnonymous(ctx, s.opts.Config, s.opts.RequestTimeout)
		}()
	} else {
		info.AnonymousError = "anonymous requests were not sent (disabled)"
		close(probed)
	}

	results := s.listAll(ctx)
	<-probed

	// Results go into the inventory in the order of Kinds, whatever order they arrived in,
	// so reports are stable from run to run.
	listed := map[string]bool{}
	for i, k := range s.opts.Kinds {
		r := results[i]
		if r.err != nil {
			s.fail(inv, k, r.err)
			continue
		}
		listed[k.Kind] = true
		inv.Add(r.objects...)
	}
	inv.Objects = dropControlled(inv.Objects)
	inv.Stats.Objects = len(inv.Objects)

	if !listed["Namespace"] {
		s.namespacePlaceholders(inv)
	}
	s.componentPlaceholders(inv, listed)

	if s.isDead() && len(info.Anonymous) > 0 && info.Anonymous[len(info.Anonymous)-1].Status == 0 {
		info.Anonymous, info.AnonymousError = nil, "the API server stopped answering during the scan"
	}
	inv.Add(&inventory.Object{APIVersion: inventory.ClusterAPIVersion, Kind: inventory.KindClusterInfo,
		Name: "cluster", Typed: info, Origin: inventory.Origin{Source: inventory.SourceCluster, Detail: s.detail}})
	return inv, nil
}

type listResult struct {
	objects []*inventory.Object
	n       int // objects listed (kept or, with countOnly, only counted)
	err     error
}

// listAll lists every kind, Concurrency at a time.
func (s *scan) listAll(ctx context.Context) []listResult {
	results := make([]listResult, len(s.opts.Kinds))
	if p := s.opts.Progress; p != nil {
		p.Start(len(s.opts.Kinds))
		defer p.Finish()
	}
	sem := make(chan struct{}, s.opts.Concurrency)
	var wg sync.WaitGroup
	for i, k := range s.opts.Kinds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-s.dead:
				results[i].err = s.gaveUp()
				return
			case <-ctx.Done():
				results[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			select {
			case <-s.dead:
				results[i].err = s.gaveUp()
				return
			default:
			}
			results[i].objects, results[i].n, results[i].err = s.list(ctx, k)
			if p := s.opts.Progress; p != nil {
				p.Listed(k.Kind, 0, true)
			}
			if err := results[i].err; err != nil && serverGone(err) {
				s.deadOnce.Do(func() { s.deadErr = err; close(s.dead) })
			}
		}()
	}
	wg.Wait()
	return results
}

func (s *scan) isDead() bool {
	select {
	case <-s.dead:
		return true
	default:
		return false
	}
}

// gaveUp is the error of a kind that was not listed because the server had stopped answering.
func (s *scan) gaveUp() error {
	return &gaveUpError{cause: s.deadErr}
}

type gaveUpError struct{ cause error }

func (e *gaveUpError) Error() string {
	return "not listed: the API server stopped answering (" + e.cause.Error() + ")"
}

// list reads every page of k, converting items as they arrive, and returns its objects (none
// with countOnly) and how many there were.
func (s *scan) list(ctx context.Context, k Kind) ([]*inventory.Object, int, error) {
	ns := ""
	if k.Namespaced {
		ns = s.opts.Namespace
	}
	// A scan limited to a namespace still reads that Namespace object, for its labels.
	fieldSelector := k.FieldSelector
	if k.Kind == "Namespace" && s.opts.Namespace != "" {
		fieldSelector = "metadata.name=" + s.opts.Namespace
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		// Stop paging as soon as another kind found the server dead.
		select {
		case <-s.dead:
			cancel()
		case <-ctx.Done():
		}
	}()
	var out []*inventory.Object
	const report = 100
	n := 0
	each := func(obj runtime.Object) {
		if !s.countOnly {
			if o := s.convert(k, obj); o != nil {
				out = append(out, o)
			}
		}
		if n++; n%report == 0 && s.opts.Progress != nil {
			s.opts.Progress.Listed(k.Kind, report, false)
		}
	}
	limit, cont := s.opts.PageSize, ""
	for {
		next, err := s.api.listPage(ctx, k, ns, fieldSelector, cont, limit, each)
		if err != nil && cont != "" && apierrors.IsResourceExpired(err) {
			// The continue token expired between pages (etcd compacted): list again, whole,
			// as client-go's pager does.
			out, n, limit, cont = out[:0], 0, 0, ""
			continue
		}
		if err != nil {
			if errors.Is(err, context.Canceled) && s.isDead() {
				return nil, 0, s.gaveUp()
			}
			return nil, 0, err
		}
		if next == "" {
			break
		}
		cont = next
	}
	if s.opts.Progress != nil {
		s.opts.Progress.Listed(k.Kind, n%report, false)
	}
	return out, n, nil
}

// lastApplied is kubectl's annotation holding the whole object as last applied.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// convert turns a listed item into an inventory object, dropping what no check reads.
func (s *scan) convert(k Kind, obj runtime.Object) *inventory.Object {
	acc, ok := obj.(interface{ GetObjectMeta() metav1.Object })
	if !ok {
		return nil
	}
	m, ok := acc.GetObjectMeta().(*metav1.ObjectMeta)
	if !ok {
		return nil
	}
	m.ManagedFields = nil
	delete(m.Annotations, lastApplied)
	switch t := obj.(type) {
	case *corev1.Secret:
		inventory.RedactSecret(t)
	case *corev1.Node:
		t.Status.Images = nil
	}
	return &inventory.Object{APIVersion: k.APIVersion, Kind: k.Kind, Namespace: m.Namespace, Name: m.Name,
		Typed: obj, Meta: m, Origin: inventory.Origin{Source: inventory.SourceCluster, Detail: s.detail}}
}

// fail records a kind that could not be listed: a placeholder so that its controls are not
// assessed, and an input error unless the server simply refused (403) or does not serve it (404).
func (s *scan) fail(inv *inventory.Inventory, k Kind, err error) {
	reason, inputError := describe(k, err)
	inv.AddUnreadable(k.APIVersion, k.Kind, nsOf(k, s.opts.Namespace), "", reason)
	if inputError {
		inv.Errors = append(inv.Errors, inventory.InputError{File: "", Message: "listing " + k.Resource + ": " + reason})
	}
}

func nsOf(k Kind, ns string) string {
	if k.Namespaced {
		return ns
	}
	return ""
}

// describe turns a LIST error into the reason shown to the user, and says whether it makes the
// results incomplete in a way the user did not choose (an input error, exit 2).
func describe(k Kind, err error) (string, bool) {
	var gu *gaveUpError
	switch {
	case errors.As(err, &gu):
		return err.Error(), true
	case apierrors.IsForbidden(err):
		return "forbidden: the credentials may not list " + k.Resource + " (" + statusMessage(err) + ")", false
	case apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err):
		return "not served: the API server does not serve " + k.APIVersion + " " + k.Resource, false
	case apierrors.IsUnauthorized(err):
		return "unauthorized: the API server rejected the credentials (" + statusMessage(err) + ")", true
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "timed out: " + err.Error(), true
	}
	return err.Error(), true
}

func statusMessage(err error) string {
	var st apierrors.APIStatus
	if errors.As(err, &st) && st.Status().Message != "" {
		return st.Status().Message
	}
	return err.Error()
}

func isStatusError(err error) bool {
	var st apierrors.APIStatus
	return errors.As(err, &st)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// serverGone reports whether err means the API server stopped answering altogether, as opposed
// to answering "no" for this one kind.
func serverGone(err error) bool {
	if err == nil || isStatusError(err) && !apierrors.IsTimeout(err) && !apierrors.IsServerTimeout(err) {
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) || isTimeout(err) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "http2: client connection lost")
}

// dropControlled removes the objects a listed workload controls (see the package comment).
func dropControlled(objs []*inventory.Object) []*inventory.Object {
	workloads := map[string]bool{}
	for _, o := range objs {
		switch o.Kind {
		case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController":
			workloads[string(o.Meta.UID)] = true
		}
	}
	out := objs[:0]
	for _, o := range objs {
		if o.Meta != nil && (o.Kind == "Pod" || o.Kind == "ReplicaSet" || o.Kind == "Job") {
			if ref := metav1.GetControllerOfNoCopy(o.Meta); ref != nil && workloads[string(ref.UID)] {
				continue
			}
		}
		out = append(out, o)
	}
	clear(objs[len(out):])
	return out
}

// namespacePlaceholders stands in for Namespace objects that could not be read. Without them the
// engine would imply bare Namespaces (no labels) for every namespace in use and, the scan being
// complete, namespace-level controls would judge those as if they had no Pod Security labels.
func (s *scan) namespacePlaceholders(inv *inventory.Inventory) {
	reason := inv.Unavailable["Namespace"]
	seen := map[string]bool{}
	if s.opts.Namespace != "" {
		seen[s.opts.Namespace] = true
		inv.AddUnreadable("v1", "Namespace", "", s.opts.Namespace, reason)
	}
	for _, o := range inv.Objects {
		ns := o.EffectiveNamespace()
		if ns == "" || seen[ns] {
			continue
		}
		seen[ns] = true
		inv.AddUnreadable("v1", "Namespace", "", ns, reason)
	}
}

// controlPlane lists the components whose flags the control-plane checks read from mirror pods.
var controlPlane = []string{inventory.ComponentAPIServer, inventory.ComponentControllerManager,
	inventory.ComponentScheduler, inventory.ComponentEtcd}

// componentPlaceholders adds, for each control-plane component without a visible mirror pod in
// kube-system, a placeholder that the control-plane checks match and report as not assessed with
// the reason. The placeholder is a Process (the component as a program), not a Pod, so that the
// pod-security controls do not match it.
func (s *scan) componentPlaceholders(inv *inventory.Inventory, listed map[string]bool) {
	seen := map[string]bool{}
	for _, o := range inv.OfKind("Pod") {
		if n := inventory.ComponentName(o); n != "" {
			seen[n] = true
		}
	}
	for _, name := range controlPlane {
		if seen[name] {
			continue
		}
		var reason string
		switch {
		case s.opts.Namespace != "" && s.opts.Namespace != "kube-system":
			reason = "the scan was limited to namespace " + s.opts.Namespace + ", so the " + name + " mirror pod in kube-system was not read"
		case !listed["Pod"]:
			reason = "its mirror pod could not be read: Pod " + inv.Unavailable["Pod"]
		default:
			reason = "no " + name + " mirror pod is visible in kube-system (a managed control plane, or a component not run as a static pod), so its flags cannot be read through the API; run `kubeharden node` on a control-plane node to assess them"
		}
		// No apiVersion: the placeholder is not an API object, and UP-04 (deprecated APIs) must not
		// match it.
		inv.Unreadable = append(inv.Unreadable, &inventory.Object{Kind: inventory.KindProcess,
			Name: name, Typed: &inventory.Process{Args: []string{name}}, Unreadable: reason,
			Origin: inventory.Origin{Source: inventory.SourceCluster, Detail: s.detail + " (control-plane component not visible)"}})
	}
}

// probeAnonymous sends GET /version and GET /api with no credentials at all (trusting the
// cluster's CA as the real client does), to see what an anonymous caller gets.
func probeAnonymous(ctx context.Context, cfg *rest.Config, timeout time.Duration) ([]inventory.AnonymousProbe, string) {
	anon := rest.AnonymousClientConfig(cfg)
	anon.Timeout = timeout
	client, err := rest.HTTPClientFor(anon)
	if err != nil {
		return nil, "no anonymous client could be built: " + err.Error()
	}
	defer client.CloseIdleConnections()
	base := strings.TrimSuffix(anon.Host, "/")
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	var out []inventory.AnonymousProbe
	for _, path := range []string{"/version", "/api"} {
		p := inventory.AnonymousProbe{Path: path}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err == nil {
			var resp *http.Response
			if resp, err = client.Do(req); err == nil {
				p.Status = resp.StatusCode
				io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
			}
		}
		if err != nil {
			p.Error = err.Error()
		}
		out = append(out, p)
	}
	return out, ""
}

// Counter is a Progress that only counts, for callers that want the totals.
type Counter struct{ objects atomic.Int64 }

func (c *Counter) Start(int)                      {}
func (c *Counter) Listed(_ string, n int, _ bool) { c.objects.Add(int64(n)) }
func (c *Counter) Finish()                        {}

// Objects is the number of objects listed so far.
func (c *Counter) Objects() int64 { return c.objects.Load() }

// ListOnly lists every kind exactly as Load does (same client settings, page size, concurrency
// and selectors) but converts and keeps nothing, and returns the number of objects. It is the
// floor that the cost of a whole scan is measured against: the time the API server and the
// decoding of its answers take.
func ListOnly(ctx context.Context, opts Options) (int, error) {
	s, err := newScan(opts)
	if err != nil {
		return 0, err
	}
	s.countOnly = true
	total := 0
	for i, r := range s.listAll(ctx) {
		if r.err != nil {
			return 0, fmt.Errorf("listing %s: %w", s.opts.Kinds[i].Resource, r.err)
		}
		total += r.n
	}
	return total, nil
}
