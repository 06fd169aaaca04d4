package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/kubeharden/kubeharden/internal/gcpace"
	"github.com/kubeharden/kubeharden/internal/hugeheap"
	"github.com/kubeharden/kubeharden/internal/version"
	"github.com/kubeharden/kubeharden/pkg/catalog"
	"github.com/kubeharden/kubeharden/pkg/checks"
	_ "github.com/kubeharden/kubeharden/pkg/checks/all" // registers every check
	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/report"
	_ "github.com/kubeharden/kubeharden/pkg/report/all" // registers every format
)

// auditFlags are shared by every command that assesses an inventory (scan, cluster, node):
// the same output formats, configuration, exceptions and exit codes everywhere.
type auditFlags struct {
	output       string
	outputFile   string
	configFile   string
	noConfig     bool
	failOn       string
	minSeverity  string
	sections     []string
	controls     []string
	skipControls []string
	showPassed   bool
	showExempt   bool
	noColor      bool
}

func (f *auditFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(report.Formats(), ", "))
	fl.StringVar(&f.outputFile, "output-file", "", "write the report to this file instead of standard output")
	fl.StringVar(&f.configFile, "config", "", "configuration file (default: "+config.FileName+" next to the scanned files or in the working directory)")
	fl.BoolVar(&f.noConfig, "no-config", false, "ignore any "+config.FileName)
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding at or above this severity remains (low, medium, high, critical)")
	fl.StringVar(&f.minSeverity, "min-severity", "", "run only controls at or above this severity")
	fl.StringSliceVar(&f.sections, "section", nil, "run only controls of these guidance sections (pod-security, network, auth, logging, upgrades or 1-5)")
	fl.StringSliceVar(&f.controls, "controls", nil, "run only these control IDs")
	fl.StringSliceVar(&f.skipControls, "skip-controls", nil, "do not run these control IDs")
	fl.BoolVar(&f.showPassed, "show-passed", false, "list passing control/object pairs too")
	fl.BoolVar(&f.showExempt, "show-exempt", false, "list findings accepted by exceptions (they are always counted)")
	fl.BoolVar(&f.noColor, "no-color", false, "never colour the table output")
}

// loadConfig finds and reads the configuration, then applies the command-line overrides.
func (f *auditFlags) loadConfig(cat *catalog.Catalog, paths []string) (*config.Config, error) {
	cfg := &config.Config{}
	if !f.noConfig {
		file := f.configFile
		if file == "" {
			var err error
			if file, err = config.Find(paths); err != nil {
				return nil, usageError("%v", err)
			}
		}
		if file != "" {
			c, err := config.Load(file, cat)
			if err != nil {
				return nil, usageError("%v", err)
			}
			cfg = c
		}
	}
	if f.minSeverity != "" {
		s, err := catalog.ParseSeverity(f.minSeverity)
		if err != nil {
			return nil, usageError("--min-severity: %v", err)
		}
		cfg.MinSeverity = s
	}
	for _, id := range f.skipControls {
		if cat.Get(id) == nil {
			return nil, usageError("--skip-controls: unknown control %q", id)
		}
		cfg.Disable = append(cfg.Disable, id)
	}
	if len(f.controls) > 0 || len(f.sections) > 0 {
		keep := map[string]bool{}
		for _, id := range f.controls {
			if cat.Get(id) == nil {
				return nil, usageError("--controls: unknown control %q", id)
			}
			keep[strings.ToUpper(id)] = true
		}
		var secs []catalog.Section
		for _, s := range f.sections {
			sec, err := catalog.ParseSection(s)
			if err != nil {
				return nil, usageError("--section: %v", err)
			}
			secs = append(secs, sec)
		}
		for _, ctl := range cat.All() {
			inSection := len(secs) == 0
			for _, s := range secs {
				inSection = inSection || ctl.Section == s
			}
			listed := len(keep) == 0 || keep[ctl.ID]
			if !inSection || !listed {
				cfg.Disable = append(cfg.Disable, ctl.ID)
			}
		}
	}
	return cfg, nil
}

// run assesses inv, writes the report and returns the exit status as an error (nil for 0).
func (f *auditFlags) run(s Streams, inv *inventory.Inventory, paths []string, baseDir string) error {
	a, err := f.prepare(paths)
	if err != nil {
		return err
	}
	return a.finish(s, inv, baseDir, func(inv *inventory.Inventory) (*engine.Result, error) {
		return engine.Run(inv, a.engineOptions())
	})
}

// audit is a run whose flags and configuration have been read, before its input is.
type audit struct {
	flags  *auditFlags
	cat    *catalog.Catalog
	cfg    *config.Config
	writer report.Writer
	failOn catalog.Severity
}

// prepare checks the flags and reads the configuration: a usage error is reported before any
// input is read.
func (f *auditFlags) prepare(paths []string) (*audit, error) {
	a := &audit{flags: f, cat: catalog.Default()}
	var err error
	if a.writer, err = report.Lookup(f.output); err != nil {
		return nil, usageError("%v", err)
	}
	if f.failOn != "" {
		if a.failOn, err = catalog.ParseSeverity(f.failOn); err != nil {
			return nil, usageError("--fail-on: %v", err)
		}
	}
	if a.cfg, err = f.loadConfig(a.cat, paths); err != nil {
		return nil, err
	}
	if a.failOn == 0 {
		a.failOn = a.cfg.FailOn
	}
	return a, nil
}

func (a *audit) engineOptions() engine.Options {
	return engine.Options{Catalog: a.cat, Config: a.cfg, ShowPassed: a.flags.showPassed, ShowExempt: a.flags.showExempt}
}

// finish assesses inv with assess (engine.Run, or a Stream's Finish), writes the report and
// returns the exit status as an error (nil for 0).
func (a *audit) finish(s Streams, inv *inventory.Inventory, baseDir string, assess func(*inventory.Inventory) (*engine.Result, error)) error {
	f, cfg := a.flags, a.cfg
	if !f.noConfig {
		// Under --no-config every configuration is off by the user's choice: nothing to warn of.
		warnUnusedConfigs(s, inv, cfg)
	}
	// Reading left garbage behind (response bodies, parse buffers). Collecting it now lets the
	// checks and the report reuse that memory instead of touching fresh pages, which on virtual
	// machines cost more than the collection (a live scan of 6,600 objects: 8% less CPU). A
	// small picture is left alone: a process's first collection costs milliseconds (starting
	// the collector's workers, touching its first metadata), more than the few fresh pages the
	// checks of a small input need (one file: 7 ms of a 55 ms run). So is a heap that grew
	// little since the collector last ran, as a scan's reading usually ends (see gcpace.First).
	if gcpace.Grown() >= collectAbove {
		runtime.GC()
	}
	res, err := assess(inv)
	if err != nil {
		return err
	}
	if gcpace.Heap() >= gcpace.TightAbove {
		// A streamed assessment leaves what it kept of each object behind, about a quarter of a
		// large scan's heap: the report is rendered in that memory rather than on top of it.
		runtime.GC()
	}
	out := s.Out
	if f.outputFile != "" {
		file, err := os.Create(f.outputFile)
		if err != nil {
			return usageError("--output-file: %v", err)
		}
		defer file.Close()
		out = file
	}
	opts := report.Options{ToolVersion: version.Get(), Color: !f.noColor && f.outputFile == "" && isTerminal(s.Out), BaseDir: baseDir}
	if err := a.writer(out, res, opts); err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("writing the report: %w", err)}
	}
	if f.outputFile != "" {
		if err := out.(*os.File).Close(); err != nil {
			return &exitError{code: ExitError, err: fmt.Errorf("writing the report: %w", err)}
		}
	}
	return exitStatus(s, res, a.failOn, f.output != "table" || f.outputFile != "")
}

// warmUp readies the process for an assessment: commands call it before they read their input.
// Once per process it relaxes the garbage collector's pace while the live heap is small
// (package gcpace) and, when huge is set, advises the heap to use huge pages (package hugeheap:
// this took a quarter off a scan's CPU time on virtual machines; an input of a few files does
// not gain from it). Then it prepares in the background what the first assessment would
// otherwise prepare on the critical path (the catalog, the Pod Security Standards checks), so
// the preparation overlaps the reading.
func warmUp(huge bool) {
	prepareHeap(huge)
	go func() {
		catalog.Default()
		checks.Warm()
	}()
}

// prepareHeap paces the collector and, when huge is set, advises the heap for one large
// in-memory picture, each once per process (tests run many commands in one).
func prepareHeap(huge bool) {
	if huge {
		hugeOnce.Do(func() { hugeheap.Prepare(hugeheap.DefaultSize) })
	}
	paceOnce.Do(func() { gcpace.Start(gcCeiling) })
}

var hugeOnce, paceOnce sync.Once

// collectAbove is the growth of the heap since the latest collection from which finish collects
// before the checks (see there).
const collectAbove = 8 << 20

// gcCeiling is the live heap up to which the collector runs at a relaxed pace: a few thousand
// objects' inventory and findings (the corpus: 12 MiB; 6,600 live objects: 42 MiB).
const gcCeiling = 64 << 20

// exitStatus maps a result to the exit code: input errors win (the results are incomplete),
// then failures at or above failOn. When the report itself is not the table on the terminal,
// a one-line note on stderr says why the exit code is not 0.
func exitStatus(s Streams, res *engine.Result, failOn catalog.Severity, note bool) error {
	for _, e := range res.Summary.Expired {
		fmt.Fprintf(s.Err, "kubeharden: warning: exception %s expired on %s and no longer applies (%s)\n", e.Exception, e.Expired.Format("2006-01-02"), e.Source)
	}
	if n := len(res.Errors); n > 0 {
		if note {
			fmt.Fprintf(s.Err, "kubeharden: %d input error(s): results are incomplete\n", n)
			for i, e := range res.Errors {
				if i == 10 {
					fmt.Fprintf(s.Err, "  ... and %d more (see the report)\n", n-10)
					break
				}
				fmt.Fprintln(s.Err, "  "+e.Error())
			}
		}
		return &exitError{code: ExitError}
	}
	if failOn != 0 {
		if max := res.MaxFailSeverity(); max >= failOn {
			if note {
				fmt.Fprintf(s.Err, "kubeharden: findings at or above %s remain\n", failOn)
			}
			return &exitError{code: ExitFindings}
		}
	}
	return nil
}

// warnUnusedConfigs names the configuration files found inside the scanned folders that this run
// does not apply (a run reads one, from the scanned paths' folders or their parents): an
// exception written there would otherwise be ignored without a word.
func warnUnusedConfigs(s Streams, inv *inventory.Inventory, cfg *config.Config) {
	used, which := "", "none was found next to the scanned paths or above them"
	if cfg != nil && cfg.File != "" {
		used, _ = filepath.Abs(cfg.File)
		which = "this run reads " + cfg.File
	}
	for _, sf := range inv.Stats.SkippedFiles {
		if sf.Reason != configFileReason {
			continue
		}
		if abs, _ := filepath.Abs(sf.File); abs == used {
			continue
		}
		fmt.Fprintf(s.Err, "kubeharden: warning: %s is not applied: a run reads one configuration, and %s; scan its folder on its own, or choose it with --config\n", sf.File, which)
	}
}
