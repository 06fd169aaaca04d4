// Package manifest reads Kubernetes objects from YAML and JSON files, folders and stdin into an
// inventory, with the source line of every field.
//
// Bad input never stops a scan: each problem (broken YAML, a document that is not an object,
// duplicate keys, a value of the wrong type, an alias bomb, an oversized file) becomes an
// InputError naming the file and line, the object concerned is left out (so it is reported as
// not assessed rather than as passing), and every other document and file is still read.
package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/kubeharden/kubeharden/internal/fileread"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/yamldoc"
)

// DefaultMaxFileSize bounds how much of one file is read. Real manifests are far smaller; the
// bound keeps a stray log file or disk image from exhausting memory.
const DefaultMaxFileSize = 32 << 20

// StdinName is the file name findings show for objects read from standard input.
const StdinName = "<stdin>"

// Options configure a load.
type Options struct {
	// MaxFileSize in bytes; files above it are reported as errors (default DefaultMaxFileSize).
	MaxFileSize int64
	// DefaultNamespace is where objects without a namespace land (kubectl's -n); "" means default.
	DefaultNamespace string
	// Stdin is read for the path "-" (default os.Stdin).
	Stdin io.Reader
	// Workers bounds how many files are parsed at once (default GOMAXPROCS).
	Workers int
	// Dir, when set, is asked about every folder met while walking, with a function telling
	// whether the folder holds an entry of a given name (the listing is already in hand, so
	// asking costs no system call); if it returns true the folder is handled elsewhere (a Helm
	// chart, a kustomization) and not descended into.
	Dir func(dir string, has func(name string) bool) bool
	// Skip, when set, is asked about every file found in a folder, and about the file each link
	// among them leads to; a file it gives a reason for is not read but listed among the
	// skipped files with that reason (kubeharden's own configuration files, which are YAML but
	// not manifests).
	Skip func(path string) string
	// Stream, when set, is handed every object as soon as it is decoded (engine.Stream), so
	// that a large input need not be held whole before it is assessed.
	Stream Stream
}

// Stream receives objects while they are read.
type Stream interface {
	// Worker returns the function one reading goroutine hands each object to, right after
	// decoding it.
	Worker() func(*inventory.Object)
	// Keeps reports whether objects of a kind are kept whole rather than released once
	// assessed; the loader builds them in memory of their own, so that what released objects
	// leave behind is not held by a kept neighbour.
	Keeps(kind string) bool
}

// Load reads every path: a file, a folder (recursively, .yaml/.yml/.json files, skipping hidden
// folders), or "-" for stdin.
func Load(paths []string, opts Options) *inventory.Inventory {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	inv := &inventory.Inventory{}
	// Files are read while the folders are still being walked: the walk costs system calls for
	// every folder, and reading used to wait for all of it with the other cores idle (a tenth
	// of a scan of the shared corpus's 665 folders). Results are kept by the order the files
	// were found, which is the order they are merged in, so the inventory is the same whatever
	// finishes first.
	var mu sync.Mutex
	var results []*fileResult
	jobs := make(chan indexedJob, 256)
	// Links to files met while walking are held back until every other file has been read
	// (pending counts the files sent and not yet read; see readLinks): a link whose target the
	// scan also reads is then skipped.
	var (
		pending sync.WaitGroup
		links   []heldLink
	)
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newReader()
			if opts.Stream != nil {
				w.visit, w.keeps = opts.Stream.Worker(), opts.Stream.Keeps
				w.keepStrs, w.keepLines = &yamldoc.StringArena{}, &inventory.LineIndexBuilder{}
			}
			for j := range jobs {
				r := w.read(j.job, &opts)
				mu.Lock()
				results[j.i] = r
				mu.Unlock()
				pending.Done()
			}
		}()
	}
	// A file named twice, or named and also met in a folder that is named too, is read once:
	// its findings would otherwise be reported, and counted, twice. Only a scan of several paths
	// can meet a file twice (the walk does not follow links to folders). A file both named and
	// met in a folder is read as named (an error, rather than a skip, when it holds no object),
	// wherever the folder comes among the arguments.
	// The same holds for a file named under two names (one a link to the other), or named
	// under one name and met in a folder under another: files are told apart by identity too
	// (device and inode, where the system gives them), the first name a file is named by wins,
	// and the file met in a folder is listed as skipped once its reading shows its identity.
	var seen, named map[string]bool
	var namedIDs map[fileread.ID]string
	var roots []string
	var stats []os.FileInfo // the paths' own, stated here once when there are several
	if len(paths) > 1 {
		seen, named = map[string]bool{}, map[string]bool{}
		roots = make([]string, len(paths))
		stats = make([]os.FileInfo, len(paths))
		for i, p := range paths {
			if abs, err := filepath.Abs(p); err == nil && p != "-" {
				roots[i] = abs
				st, err := os.Stat(p)
				if err == nil {
					stats[i] = st
				}
				if err == nil && !st.IsDir() {
					named[abs] = true
					if id := fileread.StatID(st); id != (fileread.ID{}) {
						if namedIDs == nil {
							namedIDs = map[fileread.ID]string{}
						}
						if _, dup := namedIDs[id]; !dup {
							namedIDs[id] = p
						}
					}
				}
			}
		}
	}
	first := func(root int, p string, walked bool) bool {
		if seen == nil || roots[root] == "" {
			return true
		}
		key := roots[root]
		if rel, err := filepath.Rel(paths[root], p); err == nil && rel != "." {
			key = filepath.Join(key, rel)
		}
		if seen[key] || walked && named[key] {
			return false
		}
		seen[key] = true
		return true
	}
	reserve := func() int {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, nil)
		return len(results) - 1
	}
	sendAt := func(i int, j job) {
		pending.Add(1)
		jobs <- indexedJob{i, j}
	}
	send := func(j job) { sendAt(reserve(), j) }
	for pi, p := range paths {
		if p == "-" {
			send(job{name: StdinName, stdin: true, explicit: true})
			continue
		}
		var st os.FileInfo
		var err error
		if stats != nil && stats[pi] != nil {
			st = stats[pi]
		} else if st, err = os.Stat(p); err != nil {
			inv.Errors = append(inv.Errors, inventory.InputError{File: p, Message: describeOSError(err)})
			continue
		}
		if !st.IsDir() {
			if first(pi, p, false) {
				if other, ok := namedIDs[fileread.StatID(st)]; ok && other != p {
					send(job{name: p, skip: "the same file as " + other + ", which is read; not read twice"})
					continue
				}
				send(job{name: p, explicit: true})
			}
			continue
		}
		errs := walk(p, opts.Dir, func(f, skip string, link fileread.ID) {
			if !first(pi, f, true) {
				return
			}
			if skip == "" && opts.Skip != nil {
				skip = opts.Skip(f)
				if skip == "" && link != (fileread.ID{}) {
					// A link is judged by the file it leads to as well: a link to a
					// configuration file is no more a manifest than the file is.
					if target, err := filepath.EvalSymlinks(f); err == nil {
						if reason := opts.Skip(target); reason != "" {
							skip = "a link to " + target + ": " + reason
						}
					}
				}
			}
			if skip != "" {
				send(job{name: f, skip: skip})
				return
			}
			if link != (fileread.ID{}) {
				links = append(links, heldLink{i: reserve(), name: f, id: link})
				return
			}
			send(job{name: f, namedIDs: namedIDs})
		})
		inv.Errors = append(inv.Errors, errs...)
	}
	if len(links) > 0 {
		readLinks(links, &pending, &mu, results, sendAt)
	}
	close(jobs)
	wg.Wait()
	for _, r := range results {
		r.mergeInto(inv)
	}
	return inv
}

// heldLink is a link to a file met while walking, with the identity of the file it leads to and
// the place its result keeps in the walk's order.
type heldLink struct {
	i    int
	name string
	id   fileread.ID
}

// readLinks sends the jobs of the links met while walking once every file sent before them has
// been read (pending), skipping each link whose file the scan reads already, as itself or
// through an earlier link: its findings would otherwise be reported and counted twice. The
// identities of the files read come from the fstat their reading makes, so only the links,
// which the walk stats anyway to tell a linked folder from a linked file, cost a system call.
func readLinks(links []heldLink, pending *sync.WaitGroup, mu *sync.Mutex, results []*fileResult, send func(int, job)) {
	pending.Wait()
	mu.Lock()
	readAs := make(map[fileread.ID]string, len(results))
	for _, r := range results {
		if r != nil && r.read && r.id != (fileread.ID{}) {
			if _, ok := readAs[r.id]; !ok {
				readAs[r.id] = r.name
			}
		}
	}
	mu.Unlock()
	for _, l := range links {
		if name, ok := readAs[l.id]; ok {
			send(l.i, job{name: l.name, skip: "a link to " + name + ", which is read; not read twice"})
			continue
		}
		readAs[l.id] = l.name
		send(l.i, job{name: l.name})
	}
}

type indexedJob struct {
	i int
	job
}

type job struct {
	name     string
	stdin    bool
	explicit bool   // named by the user rather than found in a folder
	skip     string // why the file is listed as skipped rather than read
	// namedIDs, for a file met in a folder, are the identities of the files named on the
	// command line, by the name each is read as: a file that turns out to be one of them is
	// skipped rather than read twice.
	namedIDs map[fileread.ID]string
}

// walk calls found for each manifest file under root, in lexical order, and for each link to a
// folder with the reason it is skipped, and returns the problems met. For a link to a file,
// found is also given the identity of the file it leads to (the zero ID for other files, or
// where identities are not known). It reads each folder once
// and hands its listing to the Dir hook, because every system call counts when a scan opens
// thousands of small files: filepath.WalkDir would call the hook before reading the folder,
// leaving the hook to stat for Chart.yaml and kustomization files itself.
func walk(root string, dirHook func(string, func(string) bool) bool, found func(path, skip string, link fileread.ID)) []inventory.InputError {
	var errs []inventory.InputError
	var visit func(dir string, isRoot bool)
	visit = func(dir string, isRoot bool) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, inventory.InputError{File: dir, Message: describeOSError(err)})
			if len(entries) == 0 {
				return
			}
		}
		if dirHook != nil {
			has := func(name string) bool {
				i, found := slices.BinarySearchFunc(entries, name, func(e fs.DirEntry, n string) int { return strings.Compare(e.Name(), n) })
				return found && !entries[i].IsDir()
			}
			if dirHook(dir, has) {
				return
			}
		}
		for _, d := range entries {
			name := d.Name()
			p := filepath.Join(dir, name)
			switch {
			case d.IsDir():
				if !strings.HasPrefix(name, ".") {
					visit(p, false)
				}
			case d.Type()&fs.ModeSymlink != 0:
				st, err := os.Stat(p)
				switch {
				case err == nil && st.IsDir():
					// Not followed (a link can lead out of the tree, or round in a loop), but not
					// passed over in silence either.
					if !strings.HasPrefix(name, ".") {
						found(p, "a link to a folder, not followed; name it to scan it", fileread.ID{})
					}
				case !isManifestName(name):
					if err == nil && st.Mode().IsRegular() && IsChartArchiveName(name) {
						found(p, skipChartArchive, fileread.ID{})
					}
				case err != nil:
					errs = append(errs, inventory.InputError{File: p, Message: describeOSError(err)})
				case st.Mode().IsRegular():
					found(p, "", fileread.StatID(st))
				default:
					errs = append(errs, notRegular(p))
				}
			case !isManifestName(name):
				if d.Type().IsRegular() && IsChartArchiveName(name) {
					found(p, skipChartArchive, fileread.ID{})
				}
			case d.Type().IsRegular():
				found(p, "", fileread.ID{})
			default:
				// A pipe or a device met while walking is not read (it could block the scan
				// forever), but it is not passed over in silence either.
				errs = append(errs, notRegular(p))
			}
		}
	}
	visit(filepath.Clean(root), true)
	return errs
}

func notRegular(p string) inventory.InputError {
	return inventory.InputError{File: p, Message: "not a regular file (a pipe, socket or device): not read while walking a folder"}
}

// skipChartArchive is why a packaged chart met in a folder is listed rather than rendered: a
// folder of release archives (or of several versions of one chart) is not a set of charts to
// install, so only an archive named on the command line is rendered. It is listed all the same,
// so that a scan does not look complete while a chart went unread.
const skipChartArchive = "a packaged Helm chart, not rendered when met in a folder; name it to scan it"

// IsChartArchiveName reports whether a file is named like a packaged Helm chart (.tgz,
// .tar.gz). The walk lists such files as skipped; package helm renders those named.
func IsChartArchiveName(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".tgz") || strings.HasSuffix(n, ".tar.gz")
}

func isManifestName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

func describeOSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// reader is one loader worker's memory, reused from file to file.
type reader struct {
	// strs: decoded objects keep their strings packed in it rather than keeping their files'
	// text alive.
	strs *yamldoc.StringArena
	// nodes: each file's parse tree is built in the memory of the previous file's, which is
	// garbage once the file is decoded.
	nodes *yamldoc.NodeArena
	// text: each file is read into the memory of the previous file's text, which nothing keeps
	// once the file is decoded (decoded strings are copies in strs). The text of the shared
	// corpus is a seventh of what a scan of it allocates.
	text []byte
	// lines: every object's line index is built in one buffer and laid out at its final size.
	lines *inventory.LineIndexBuilder
	// objects is the slab new objects are taken from (see fileResult.newObject).
	objects []inventory.Object
	// visit and keeps are Options.Stream's; keepStrs and keepLines replace strs and lines for
	// the objects it keeps whole.
	visit     func(*inventory.Object)
	keeps     func(kind string) bool
	keepStrs  *yamldoc.StringArena
	keepLines *inventory.LineIndexBuilder
}

// maxReusedText is the largest file text a reader keeps for the next file; the memory of a
// rare larger file is left to the collector.
const maxReusedText = 1 << 20

// reuseText is off only in the test that compares reading with and without reuse.
var reuseText = true

func newReader() *reader {
	return &reader{strs: &yamldoc.StringArena{}, nodes: &yamldoc.NodeArena{}, lines: &inventory.LineIndexBuilder{}}
}

func (w *reader) read(j job, opts *Options) *fileResult {
	r := &fileResult{name: j.name, explicit: j.explicit, strs: w.strs, nodes: w.nodes, lines: w.lines, reader: w}
	if j.skip != "" {
		r.skipped = j.skip
		return r
	}
	var data []byte
	var err error
	if j.stdin {
		data, err = io.ReadAll(io.LimitReader(opts.Stdin, opts.MaxFileSize+1))
	} else {
		data, r.id, err = fileread.LimitedIntoID(j.name, opts.MaxFileSize, w.text)
		// The next read happens after this file is decoded, so the buffer is handed on now.
		if c := cap(data); reuseText && c >= cap(w.text) && c <= maxReusedText {
			w.text = data[:0]
		}
	}
	if err != nil {
		r.fail(0, describeOSError(err))
		return r
	}
	if name, ok := j.namedIDs[r.id]; ok { // never the zero ID: namedIDs holds none
		r.skipped = "the file named as " + name + ", which is read; not read twice"
		return r
	}
	if int64(len(data)) > opts.MaxFileSize {
		r.fail(0, fmt.Sprintf("larger than the %s limit (--max-file-size); not read", formatSize(opts.MaxFileSize)))
		return r
	}
	r.read = true
	r.bytes = int64(len(data))
	parseInto(r, data, opts)
	return r
}

func formatSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// fileResult is what one file contributed; results are merged in file order so reports do not
// depend on which worker finished first.
type fileResult struct {
	// strs holds copies of the strings objects keep (see yamldoc.Options.Strings).
	strs *yamldoc.StringArena
	// nodes, when set, is the arena the file's parse trees are built in; nothing of the trees
	// is kept once the file is read, so it is reset then.
	nodes *yamldoc.NodeArena
	// lines builds the objects' line indexes.
	lines *inventory.LineIndexBuilder
	// reader is the worker reading the file, for its stream (see reader.visit); nil for Parse.
	reader    *reader
	name      string
	explicit  bool
	read      bool
	id        fileread.ID // the file's identity, where known (see readLinks)
	bytes     int64
	documents int
	objects   []*inventory.Object
	unknown   map[string]int
	errors    []inventory.InputError
	// nonObjects counts documents without apiVersion/kind; see mergeInto.
	nonObjects    []inventory.InputError
	sawKubeObject bool
	// skipped, when set, is why the file was not read (Options.Skip).
	skipped string
	// unreadables are placeholders for objects that did not decode.
	unreadables []*inventory.Object
}

func (r *fileResult) fail(line int, msg string) {
	r.errors = append(r.errors, inventory.InputError{File: r.name, Line: line, Message: msg})
}

func (r *fileResult) mergeInto(inv *inventory.Inventory) {
	s := &inv.Stats
	if r.skipped != "" {
		s.SkippedFiles = append(s.SkippedFiles, inventory.SkippedFile{File: r.name, Reason: r.skipped})
		return
	}
	if r.read {
		s.Files++
		s.Bytes += r.bytes
	}
	s.Documents += r.documents
	inv.Errors = append(inv.Errors, r.errors...)
	// A file found in a folder that holds no Kubernetes object at all (a Helm values file, a CI
	// config) is skipped and listed, not an error. In a file that does hold objects, or a file
	// the user named, a document without apiVersion/kind is an error.
	if len(r.nonObjects) > 0 {
		if !r.sawKubeObject && !r.explicit && len(r.errors) == 0 {
			s.SkippedFiles = append(s.SkippedFiles, inventory.SkippedFile{File: r.name, Reason: "no Kubernetes objects (no apiVersion and kind)"})
		} else {
			inv.Errors = append(inv.Errors, r.nonObjects...)
		}
	} else if r.read && !r.explicit && r.documents == 0 && len(r.errors) == 0 && len(r.objects) == 0 && len(r.unknown) == 0 && len(r.unreadables) == 0 {
		// A file found in a folder with nothing in it at all: said, as for a file of other
		// YAML, so that an empty file is not taken for a clean one. (A Helm template that
		// renders nothing, parsed as a named text, is not listed: that is what an if is for.)
		s.SkippedFiles = append(s.SkippedFiles, inventory.SkippedFile{File: r.name, Reason: "no Kubernetes objects (empty, or only comments)"})
	}
	s.Objects += len(r.objects)
	for k, n := range r.unknown {
		if s.Unknown == nil {
			s.Unknown = map[string]int{}
		}
		s.Unknown[k] += n
		s.UnknownKinds += n
	}
	inv.Add(r.objects...)
	inv.Unreadable = append(inv.Unreadable, r.unreadables...)
}

// Parse reads objects from data as if it were the file name: Helm and Kustomize sources use it
// for rendered output, naming the template or resource file it came from. detail goes into each
// object's Origin.Detail (for example "helm chart shop 0.3.1").
func Parse(name string, data []byte, detail string, opts Options) *inventory.Inventory {
	r := &fileResult{name: name, explicit: true, read: true, bytes: int64(len(data)), strs: &yamldoc.StringArena{},
		lines: &inventory.LineIndexBuilder{}}
	parseInto(r, data, &opts)
	for _, o := range r.objects {
		o.Origin.Detail = detail
	}
	inv := &inventory.Inventory{}
	r.mergeInto(inv)
	return inv
}
