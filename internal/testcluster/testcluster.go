// Package testcluster gives tests a real Kubernetes control plane: a
// kube-apiserver and etcd built from pinned upstream sources and run on
// loopback by scripts/testcluster, configured the way kubeadm configures a
// control-plane node.
//
// Tests use Start; a TestMain that wants one cluster for the whole package
// uses Launch and calls Stop itself:
//
//	c := testcluster.Start(t, testcluster.Options{})
//	cs := c.AdminClient(t)
//
// The first use on a machine builds kube-apiserver and etcd (several
// minutes); later uses start a fresh cluster in a few seconds. Building or
// starting failing is a test failure, never a skip: a hardening scanner whose
// cluster tests quietly skip has no tests.
//
// # Reusing a running cluster
//
// When KUBEHARDEN_TEST_KUBECONFIG names an admin kubeconfig, Start and
// Launch use that cluster instead of starting one, which saves the start-up
// time when iterating:
//
//	export KUBEHARDEN_TEST_KUBECONFIG=$(scripts/testcluster start)
//	go test ./...
//	scripts/testcluster stop
//
// The viewer kubeconfig, state directory and pids are then read from the
// cluster.env that scripts/testcluster wrote next to the kubeconfig, or the
// viewer kubeconfig from KUBEHARDEN_TEST_VIEWER_KUBECONFIG. A reused cluster
// is never stopped by the tests. Tests that ask for extra flags or a
// directory always get a cluster of their own, because a shared one cannot
// honour them.
package testcluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Environment variables that select an already running cluster.
const (
	EnvKubeconfig       = "KUBEHARDEN_TEST_KUBECONFIG"
	EnvViewerKubeconfig = "KUBEHARDEN_TEST_VIEWER_KUBECONFIG"
)

// Options change how the cluster is started.
type Options struct {
	// APIServerFlags are extra kube-apiserver flags, each "--name=value"
	// (or a bare "--name" for a boolean). A flag that the harness already
	// sets is replaced, any other is added; this is how kubeadm's
	// extraArgs behave.
	APIServerFlags []string
	// EtcdFlags are extra etcd flags with the same rules.
	EtcdFlags []string
	// Dir is the state directory to use. It must be empty or not exist;
	// it is removed by Stop. Empty means a fresh temporary directory.
	Dir string
	// StartTimeout bounds each readiness wait (etcd, then the
	// apiserver). Zero uses the script's default of 90 seconds. It does
	// not include building the binaries.
	StartTimeout time.Duration
}

func (o Options) custom() bool {
	return len(o.APIServerFlags) > 0 || len(o.EtcdFlags) > 0 || o.Dir != ""
}

// Cluster is a running control plane.
type Cluster struct {
	// Dir is the state directory: pki/, users/, logs/, the kubeconfigs,
	// cluster.env and the *.flags files listing the exact command lines.
	// Empty for a reused cluster whose directory is unknown.
	Dir string
	// Kubeconfig is the admin kubeconfig (user kubernetes-admin in group
	// system:masters).
	Kubeconfig string
	// ViewerKubeconfig is the kubeconfig of kubeharden-viewer, a user with
	// no groups and no RBAC bindings, i.e. only what system:authenticated
	// grants. Empty for a reused cluster that does not provide one.
	ViewerKubeconfig string
	// Server is the apiserver URL, e.g. https://127.0.0.1:41234.
	Server string
	// Version is the gitVersion the apiserver reports on /version.
	Version string
	// APIServerPID and EtcdPID are the server processes, e.g. for reading
	// /proc/PID/cmdline. Zero when unknown (reused cluster).
	APIServerPID int
	EtcdPID      int
	// Reused is true when the cluster came from KUBEHARDEN_TEST_KUBECONFIG;
	// Stop then leaves it running.
	Reused bool

	repoRoot string
	stopOnce sync.Once
	stopErr  error
}

// Start starts a cluster for the test and stops it when the test ends.
// Failing to build or start fails the test with the log tail.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	c, err := Launch(opts)
	if err != nil {
		t.Fatalf("test cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stopping test cluster: %v", err)
		}
	})
	return c
}

// Launch starts a cluster (or attaches to the one in
// KUBEHARDEN_TEST_KUBECONFIG) without a testing.TB, for use in TestMain.
// The caller must call Stop. Should the test binary die without doing so,
// the harness notices that its owner process is gone and stops the cluster
// within about a second.
func Launch(opts Options) (*Cluster, error) {
	if kc := os.Getenv(EnvKubeconfig); kc != "" && !opts.custom() {
		return reuse(kc)
	}
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	args := []string{filepath.Join(root, "scripts", "testcluster"), "start",
		"--owner-pid", strconv.Itoa(os.Getpid())}
	if opts.Dir != "" {
		args = append(args, "--dir", opts.Dir)
	}
	if opts.StartTimeout > 0 {
		secs := int((opts.StartTimeout + time.Second - 1) / time.Second)
		args = append(args, "--timeout", strconv.Itoa(secs))
	}
	for _, f := range opts.EtcdFlags {
		args = append(args, "--etcd-flag="+f)
	}
	args = append(args, "--")
	args = append(args, opts.APIServerFlags...)

	cmd := exec.Command("bash", args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	// Progress goes to the test's stderr as well, so a first-time build
	// of several minutes is visibly busy rather than hung. go test only
	// shows it for failing packages or with -v.
	cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("scripts/testcluster start: %v\n%s", err, tail(stderr.String(), 80))
	}
	kubeconfig := lastLine(stdout.String())
	if kubeconfig == "" {
		return nil, fmt.Errorf("scripts/testcluster start printed no kubeconfig path\n%s", tail(stderr.String(), 80))
	}
	c := &Cluster{Kubeconfig: kubeconfig, Dir: filepath.Dir(kubeconfig), repoRoot: root}
	if err := c.loadEnv(filepath.Join(c.Dir, "cluster.env")); err != nil {
		c.Stop()
		return nil, err
	}
	if err := c.fetchVersion(); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// reuse attaches to a cluster that someone else started.
func reuse(kubeconfig string) (*Cluster, error) {
	abs, err := filepath.Abs(kubeconfig)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Kubeconfig: abs, Reused: true}
	envFile := filepath.Join(filepath.Dir(abs), "cluster.env")
	if _, err := os.Stat(envFile); err == nil {
		c.Dir = filepath.Dir(abs)
		if err := c.loadEnv(envFile); err != nil {
			return nil, err
		}
		// cluster.env describes the admin kubeconfig next to it; keep
		// the one the user named.
		c.Kubeconfig = abs
	}
	if v := os.Getenv(EnvViewerKubeconfig); v != "" {
		c.ViewerKubeconfig = v
	}
	if c.Server == "" {
		cfg, err := clientcmd.BuildConfigFromFlags("", abs)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", EnvKubeconfig, kubeconfig, err)
		}
		c.Server = cfg.Host
	}
	if err := c.fetchVersion(); err != nil {
		return nil, fmt.Errorf("%s=%s: %w", EnvKubeconfig, kubeconfig, err)
	}
	return c, nil
}

// loadEnv reads the KEY=VALUE file that scripts/testcluster start writes.
func (c *Cluster) loadEnv(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading cluster description: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		switch k {
		case "KUBEHARDEN_CLUSTER_DIR":
			c.Dir = v
		case "KUBEHARDEN_CLUSTER_SERVER":
			c.Server = v
		case "KUBEHARDEN_CLUSTER_KUBECONFIG":
			c.Kubeconfig = v
		case "KUBEHARDEN_CLUSTER_VIEWER_KUBECONFIG":
			c.ViewerKubeconfig = v
		case "KUBEHARDEN_CLUSTER_APISERVER_PID":
			c.APIServerPID, err = strconv.Atoi(v)
		case "KUBEHARDEN_CLUSTER_ETCD_PID":
			c.EtcdPID, err = strconv.Atoi(v)
		}
		if err != nil {
			return fmt.Errorf("%s: bad %s: %w", path, k, err)
		}
	}
	return sc.Err()
}

func (c *Cluster) fetchVersion() error {
	cs, err := c.clientset(c.Kubeconfig)
	if err != nil {
		return err
	}
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		return fmt.Errorf("GET /version: %w", err)
	}
	c.Version = v.GitVersion
	return nil
}

// Stop stops the servers and removes the state directory. It is safe to
// call more than once, and does nothing for a reused cluster.
func (c *Cluster) Stop() error {
	if c.Reused {
		return nil
	}
	c.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(c.repoRoot, "scripts", "testcluster"), "stop", "--dir", c.Dir)
		cmd.Dir = c.repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			c.stopErr = fmt.Errorf("scripts/testcluster stop: %v\n%s", err, tail(string(out), 40))
		}
	})
	return c.stopErr
}

// AdminConfig returns a client configuration for the admin user.
func (c *Cluster) AdminConfig() (*rest.Config, error) { return restConfig(c.Kubeconfig) }

// ViewerConfig returns a client configuration for kubeharden-viewer.
func (c *Cluster) ViewerConfig() (*rest.Config, error) {
	if c.ViewerKubeconfig == "" {
		return nil, errors.New("this cluster has no viewer kubeconfig")
	}
	return restConfig(c.ViewerKubeconfig)
}

// AnonymousConfig returns a configuration that trusts the cluster CA but
// presents no credentials, for checking what unauthenticated callers get.
func (c *Cluster) AnonymousConfig() (*rest.Config, error) {
	cfg, err := c.AdminConfig()
	if err != nil {
		return nil, err
	}
	return rest.AnonymousClientConfig(cfg), nil
}

// AdminClient returns a clientset for the admin user, failing the test on
// error.
func (c *Cluster) AdminClient(t testing.TB) kubernetes.Interface {
	t.Helper()
	cs, err := c.clientset(c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// ViewerClient returns a clientset for kubeharden-viewer, failing the test
// on error.
func (c *Cluster) ViewerClient(t testing.TB) kubernetes.Interface {
	t.Helper()
	cfg, err := c.ViewerConfig()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (c *Cluster) clientset(kubeconfig string) (*kubernetes.Clientset, error) {
	cfg, err := restConfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

func restConfig(kubeconfig string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", kubeconfig, err)
	}
	// Tests create objects in bursts; the default client-side limits only
	// slow them down against a private apiserver.
	cfg.QPS = 100
	cfg.Burst = 200
	return cfg, nil
}

// RepoRoot finds the repository root: the nearest directory above this
// package's source (or, in a -trimpath build, above the working directory,
// which go test sets to the package under test) that holds a go.mod and
// scripts/testcluster.
func RepoRoot() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for {
			if fileExists(filepath.Join(dir, "go.mod")) && fileExists(filepath.Join(dir, "scripts", "testcluster")) {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("no directory with go.mod and scripts/testcluster above %v", starts)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d earlier lines]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
