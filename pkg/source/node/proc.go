package node

// Reading the process table: /proc/[0-9]*/cmdline, arguments separated by NUL bytes. A process
// is recognised by the base name of argv[0] (for interpreters such as ruby, of argv[1]), which is
// how kube-bench and ps -C find them too. Only components and log forwarders are kept.

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// logAgents are node-level log forwarders (AL-08), by binary name.
var logAgents = map[string]bool{
	"fluent-bit": true, "fluentd": true, "td-agent": true, "td-agent-bit": true, "vector": true,
	"otelcol": true, "otelcol-contrib": true, "otelcol-k8s": true, "filebeat": true, "promtail": true,
	"alloy": true, "grafana-agent": true, "splunk-otel-collector": true, "logspout": true,
	"stanza": true, "fluent-package": true, "datadog-agent": true, "logstash-forwarder": true,
}

// interpreters run a script whose name says what the process is.
var interpreters = map[string]bool{"ruby": true, "python": true, "python3": true, "node": true, "java": true}

// proc is one process of interest.
type proc struct {
	pid  int
	args []string
	name string // component or agent name
}

// readProc lists the components and log agents in the process table, in pid order.
func (r *reader) readProc() []proc {
	if r.opts.NoProc {
		return nil
	}
	entries, err := os.ReadDir(r.proc)
	if err != nil {
		return nil
	}
	var out []proc
	count := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		data, err := os.ReadFile(filepath.Join(r.proc, e.Name(), "cmdline"))
		if err != nil || len(data) == 0 {
			continue // exited meanwhile, or a kernel thread
		}
		count++
		args := splitCmdline(data)
		if len(args) == 0 {
			continue
		}
		name := path.Base(args[0])
		if interpreters[name] && len(args) > 1 {
			if n := path.Base(args[1]); logAgents[n] {
				name = n
			}
		}
		if inventory.IsComponent(name) || logAgents[name] {
			out = append(out, proc{pid: pid, args: args, name: name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pid < out[j].pid })
	r.host.ProcRead = true
	r.host.Processes = count
	for _, p := range out {
		if logAgents[p.name] {
			r.host.LogAgents = append(r.host.LogAgents, p.name+" (pid "+strconv.Itoa(p.pid)+")")
		}
	}
	return out
}

// splitCmdline splits /proc/PID/cmdline. Processes that rewrite their title may use spaces
// instead of NULs; such a line is split on spaces.
func splitCmdline(data []byte) []string {
	data = bytes.TrimRight(data, "\x00")
	if len(data) == 0 {
		return nil
	}
	if bytes.IndexByte(data, 0) < 0 {
		return strings.Fields(string(data))
	}
	parts := bytes.Split(data, []byte{0})
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}

// readEnviron reads a process's environment (readable only by its owner or root); nil when not
// readable.
func (r *reader) readEnviron(pid int) map[string]string {
	data, err := os.ReadFile(filepath.Join(r.proc, strconv.Itoa(pid), "environ"))
	if err != nil {
		return nil
	}
	env := map[string]string{}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if k, v, ok := strings.Cut(string(kv), "="); ok && strings.HasPrefix(k, "ETCD_") {
			env[k] = v
		}
	}
	return env
}

// processObject makes the inventory object of a component process.
func (r *reader) processObject(p proc) *inventory.Object {
	typed := &inventory.Process{PID: p.pid, Args: p.args}
	if p.name == inventory.ComponentEtcd {
		typed.Env = r.readEnviron(p.pid)
	}
	o := &inventory.Object{APIVersion: inventory.NodeAPIVersion, Kind: inventory.KindProcess, Name: p.name, Typed: typed,
		Origin: r.origin("")}
	o.Origin.Detail = "process " + strconv.Itoa(p.pid) + " (" + p.name + "), " + r.detail
	return o
}

// componentProcesses adds the control-plane processes that no static pod manifest describes.
func (r *reader) componentProcesses(procs []proc, pods map[string]bool) {
	for _, p := range procs {
		if !inventory.IsComponent(p.name) || p.name == inventory.ComponentKubelet || pods[p.name] {
			continue
		}
		r.add(r.processObject(p))
	}
}
