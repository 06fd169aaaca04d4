package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/source/helm"
	"github.com/kubeharden/kubeharden/pkg/source/kustomize"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

type scanFlags struct {
	audit auditFlags
	inputFlags
	complete bool
}

// inputFlags say how files, folders, charts and kustomizations are read into an inventory; every
// command that reads them (scan, the rbac queries) registers them with registerInput.
type inputFlags struct {
	// namespace is the namespace of objects that name none and the Helm release namespace.
	// Each command registers its own flag for it (see registerInput).
	namespace   string
	maxFileSize int64
	// Helm: values files, --set and --set-string assignments, and the release name.
	values, set, setString []string
	releaseName            string
}

// registerInput registers the file size limit and Helm's options. The namespace flag is left to
// the command: scan's -n is the namespace the input is deployed to, while the rbac queries' -n is
// the namespace asked about, so they give it another name.
func (f *inputFlags) registerInput(c *cobra.Command) {
	c.Flags().Int64Var(&f.maxFileSize, "max-file-size", manifest.DefaultMaxFileSize, "skip files larger than this many bytes, with an error")
	// kubectl's -f means a file to apply, so values files get no short flag.
	c.Flags().StringArrayVar(&f.values, "values", nil, "Helm values file for every chart scanned (repeatable; later files win)")
	c.Flags().StringArrayVar(&f.set, "set", nil, "Helm value key=value for every chart scanned (repeatable, helm's --set syntax)")
	c.Flags().StringArrayVar(&f.setString, "set-string", nil, "Helm value key=value, always a string (repeatable)")
	c.Flags().StringVar(&f.releaseName, "release-name", "", "Helm release name (default: each chart's name)")
}

func newScanCommand(s Streams) *cobra.Command {
	f := &scanFlags{}
	c := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Audit manifest files and folders (use - for standard input)",
		Long: `Audit Kubernetes manifests: YAML or JSON files, folders (searched recursively for
.yaml, .yml and .json files) and standard input (-). Every finding names its file and line.

Helm charts and kustomizations are rendered, without a cluster or the network: a folder with a
Chart.yaml or a packaged chart (.tgz) is rendered like 'helm template' (--values, --set,
--set-string, --release-name; -n is the release namespace), and a folder with a
kustomization.yaml is built like 'kustomize build'. This holds for folders found while walking
too. Findings name the chart's template file and line, or the kustomization's resource file
and line. A base that an overlay in the same scan includes is only assessed through the overlay
(on its own when that overlay does not build).

Namespace-level controls (default-deny NetworkPolicies, quotas, LimitRanges, Pod Security
labels) judge only namespaces whose Namespace object is among the scanned files. A namespace
that the files merely use is reported "not assessed": its policies may live in files that were
not scanned. Pass --complete when the files are the whole cluster, so that such namespaces are
judged (and fail) like declared ones.

Exit codes: 0 when no finding reaches --fail-on, 1 when one does, 2 on usage or input errors.`,
		Example: `  kubeharden scan deploy/
  kubeharden scan -o sarif --output-file kubeharden.sarif .
  kubeharden scan ./chart --values prod-values.yaml --set image.tag=1.4.2 -n shop
  kubeharden scan overlays/prod
  helm template ./chart | kubeharden scan - --fail-on high`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := f.check(args); err != nil {
				return err
			}
			files, charts, small := splitArgs(args)
			// First, before anything else allocates: see warmUp.
			warmUp(!small)
			a, err := f.audit.prepare(args)
			if err != nil {
				return err
			}
			// Files are assessed while they are read, each object released once its own
			// checks have run, so that memory follows the findings, not the input's size.
			stream, err := engine.NewStream(a.engineOptions())
			if err != nil {
				return err
			}
			inv, err := f.load(s, args, files, charts, stream)
			if err != nil {
				return err
			}
			inv.Complete = f.complete
			return a.finish(s, inv, ".", stream.Finish)
		},
	}
	f.audit.register(c)
	c.Flags().StringVarP(&f.namespace, "namespace", "n", "", "namespace for objects that do not name one, and the Helm release namespace (default \"default\")")
	c.Flags().BoolVar(&f.complete, "complete", false, "the files are the whole cluster: namespaces they use but do not declare have no NetworkPolicies, quotas or labels elsewhere, so namespace-level controls fail them instead of reporting them not assessed")
	f.registerInput(c)
	return c
}

// smallInput is the size up to which plain files named on the command line are scanned without
// preparing the heap for huge pages (see splitArgs).
const smallInput = 1 << 20

// splitArgs sorts the paths named on the command line into chart archives and everything else,
// stating each once, and reports whether they are a small input: only regular files, no
// folder, chart archive or stdin, of at most smallInput bytes together. Such a scan touches a
// few megabytes, and preparing the heap for huge pages cost more than it saved there (one
// 1.5 KB file: 6 ms of 58).
func splitArgs(args []string) (files, charts []string, small bool) {
	small = true
	var size int64
	for _, a := range args {
		st, err := os.Stat(a)
		regular := err == nil && st.Mode().IsRegular()
		if regular && helm.IsArchive(a) {
			charts = append(charts, a)
			small = false
			continue
		}
		files = append(files, a)
		if regular {
			size += st.Size()
		} else {
			small = false // a folder, stdin, or an error the loader reports
		}
	}
	return files, charts, small && size <= smallInput
}

// check refuses flags and arguments that cannot work, before anything is read.
func (f *inputFlags) check(args []string) error {
	if f.maxFileSize <= 0 {
		return usageError("--max-file-size must be a positive number of bytes, not %d", f.maxFileSize)
	}
	// Standard input can be read once; two readers would split the stream between them.
	if n := slices.Index(args, "-"); n >= 0 && slices.Contains(args[n+1:], "-") {
		return usageError("- (standard input) is named twice; it can be read once")
	}
	return nil
}

// load reads the paths (args, which splitArgs sorted into files and charts) into one
// inventory: charts (a folder with Chart.yaml, a .tgz) are rendered, kustomizations built and
// everything else read as manifests, the same for folders met while walking.
func (f *inputFlags) load(s Streams, args, files, charts []string, stream manifest.Stream) (*inventory.Inventory, error) {
	values, err := helm.ReadValues(f.values, f.set, f.setString)
	if err != nil {
		return nil, usageError("%v", err)
	}
	var kusts []string
	// charts holds the named chart archives only, until the walk adds the chart folders it meets.
	archives := statAll(charts)
	named := map[string]bool{}
	for _, a := range args {
		named[a] = true
	}
	inv := manifest.Load(files, manifest.Options{
		MaxFileSize:      f.maxFileSize,
		DefaultNamespace: f.namespace,
		Stdin:            s.In,
		Skip:             skipConfigFile,
		Stream:           stream,
		Dir: func(dir string, has func(string) bool) bool {
			switch {
			case has(helm.ChartFile):
				charts = append(charts, dir)
			case kustomize.HasKustomization(has):
				kusts = append(kusts, dir)
			default:
				return false
			}
			return true
		},
	})
	if len(archives) > 0 {
		// A chart archive met in a folder is listed as skipped, unless it is also named, and so
		// rendered.
		kept := inv.Stats.SkippedFiles[:0]
		for _, sf := range inv.Stats.SkippedFiles {
			if !helm.IsArchive(sf.File) || !oneOf(sf.File, archives) {
				kept = append(kept, sf)
			}
		}
		inv.Stats.SkippedFiles = kept
	}
	hopts := helm.Options{Values: values, ReleaseName: f.releaseName, Namespace: f.namespace}
	rendered := map[string]bool{}
	for _, c := range charts {
		// A chart named twice, or named and also met in a named folder, is rendered once.
		if abs, err := filepath.Abs(c); err == nil {
			if rendered[abs] {
				continue
			}
			rendered[abs] = true
		}
		inv.Merge(helm.Render(c, hopts))
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			for _, sf := range helm.Unrendered(c) {
				// A file named on the command line, or given with --values, is read; the
				// configuration is listed as such by the walk's rule.
				if skipConfigFile(sf.File) == "" && !sameFile(sf.File, f.values) && !sameFile(sf.File, args) {
					inv.Stats.SkippedFiles = append(inv.Stats.SkippedFiles, sf)
				}
			}
		}
	}
	inv.Merge(kustomize.BuildSelected(kusts, func(dir string) bool { return named[dir] }, kustomize.Options{DefaultNamespace: f.namespace}))
	if len(charts) == 0 && len(f.values)+len(f.set)+len(f.setString) > 0 {
		fmt.Fprintln(s.Err, "kubeharden: warning: --values, --set and --set-string apply to Helm charts, and no chart was scanned")
	}
	return inv, nil
}

// skipConfigFile keeps kubeharden's own configuration files, met while walking a folder, out of
// the manifests: they are YAML, but not Kubernetes objects. run warns about those it does not
// apply.
func skipConfigFile(path string) string {
	if filepath.Base(path) == config.FileName {
		return configFileReason
	}
	return ""
}

const configFileReason = "kubeharden configuration, not a manifest"

// sameFile says whether file is one of files, whatever the spelling of the paths.
func sameFile(file string, files []string) bool {
	return len(files) > 0 && oneOf(file, statAll(files))
}

// oneOf says whether file is one of the files stated in files.
func oneOf(file string, files []os.FileInfo) bool {
	if len(files) == 0 {
		return false
	}
	st, err := os.Stat(file)
	if err != nil {
		return false
	}
	for _, other := range files {
		if os.SameFile(st, other) {
			return true
		}
	}
	return false
}

// statAll stats each of paths, leaving out those that cannot be stated.
func statAll(paths []string) []os.FileInfo {
	var out []os.FileInfo
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			out = append(out, st)
		}
	}
	return out
}
