package secrets

/*
NS-35: credentials kept in configuration instead of in Secrets.

Fields read:
  spec.containers[*].env[*].value, command[*] and args[*], and the same for initContainers and
  ephemeralContainers
  ConfigMap data and binaryData
  metadata.annotations of every decoded object except Secrets, and the pod template's
  annotations of workloads

Passing values: anything that is neither
  - a well-known credential format, anywhere in the value (formats.go): AWS access key IDs, PEM
    private keys, JSON Web Tokens, GitHub, Slack, Google API and Stripe live keys, Slack webhook
    URLs, literal Bearer tokens and Basic credentials, URLs with an inline password; nor
  - a value whose field name suggests a credential (keys.go) and which is not a placeholder,
    template variable, flag, path or reference (values.go): any such value under a password or
    secret-key name, a random-looking one under token, secret, auth, credential or API key names;
    nor
  - a setting of that kind inside a value that is a configuration file or a command line
    (scan.go), where the value must look generated.

Messages name the field, the container or key, and the kind of evidence. They never contain the
value, any part of it, its length or its encoding: reports go to CI logs and ticket systems that
are far more widely readable than the configuration.

Annotations:
  - kubectl.kubernetes.io/last-applied-configuration is not scanned. It repeats the object's own
    fields as last applied, and those are scanned where they live; scanning the copy would report
    every credential twice. The one thing missed is a credential removed from the live object by
    hand but still present in the copy.
  - checksum/* annotations (a Helm convention) hold digests of other objects; a digest of a
    Secret is not the Secret.
  - Secrets' own annotations are not scanned: they are part of the Secret, protected like its
    data, and NS-42 reports committed Secrets.

Objects that kubeharden does not decode (custom resources) carry no metadata in the inventory
and are not scanned; nor are namespaces that no input declares, whose annotations are unknown.
*/

import (
	"sort"
	"strings"
	"unsafe"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(checks.Check{ID: "NS-35", Match: hasMetadata, Assess: assessCredentials})
}

// hasMetadata matches every decoded object but a namespace the input does not declare
// (inventory.ImplyNamespaces): its annotations are not known, and passing it would claim they
// were read.
func hasMetadata(o *inventory.Object) bool { return o.Meta != nil && !o.Implied }

const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

func assessCredentials(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	if o.Kind != "Secret" {
		scanAnnotations(a, "", "annotation", o.Meta.Annotations)
	}
	if cm, ok := o.Typed.(*corev1.ConfigMap); ok {
		scanStrings(a, "data", "ConfigMap key", cm.Data)
		scanBytes(a, "binaryData", "ConfigMap binaryData key", cm.BinaryData)
	}
	if pt := inventory.PodTemplateOf(o); pt != nil {
		if pt.Meta != o.Meta {
			scanAnnotations(a, strings.TrimSuffix(pt.SpecPath, "spec"), "pod template annotation", pt.Meta.Annotations)
		}
		scanEnv(a, pt)
	}
}

// skipAnnotation reports whether an annotation is one that holds no credential of its own.
func skipAnnotation(key string) bool {
	return key == lastAppliedAnnotation || strings.HasPrefix(key, "checksum/")
}

// annotationName is the part of an annotation key that names the value: the prefix before "/"
// is a DNS domain (secret.reloader.stakater.com/reload) and says nothing about it.
func annotationName(key string) string {
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// scanAnnotations scans the annotations at prefix+"metadata.annotations"; the path is only
// built when there is something to report.
func scanAnnotations(a *checks.Assessment, prefix, what string, m map[string]string) {
	hit := func(k, v string) finding {
		if skipAnnotation(k) {
			return finding{}
		}
		return scanField(annotationName(k), v)
	}
	// Map order is random; the first pass costs nothing, the second sorts only when reporting.
	found := false
	for k, v := range m {
		if f := hit(k, v); f.found() {
			found = true
			break
		}
	}
	if !found {
		return
	}
	path := prefix + "metadata.annotations"
	for _, k := range sortedKeys(m) {
		if f := hit(k, m[k]); f.found() {
			a.Fail(inventory.Field(path, k), what+" "+quote(k)+" "+f.describe())
		}
	}
}

func scanStrings(a *checks.Assessment, path, what string, m map[string]string) {
	found := false
	for k, v := range m {
		if f := scanField(k, v); f.found() {
			found = true
			break
		}
	}
	if !found {
		return
	}
	for _, k := range sortedKeys(m) {
		if f := scanField(k, m[k]); f.found() {
			a.Fail(inventory.Field(path, k), what+" "+quote(k)+" "+f.describe())
		}
	}
}

// scanBytes scans binaryData as text: credentials in it (a PEM key, a config file) are text.
// The bytes are viewed as a string without copying; the view does not outlive the call.
func scanBytes(a *checks.Assessment, path, what string, m map[string][]byte) {
	view := func(b []byte) string {
		if len(b) == 0 {
			return ""
		}
		return unsafe.String(&b[0], len(b))
	}
	found := false
	for k, v := range m {
		if f := scanField(k, view(v)); f.found() {
			found = true
			break
		}
	}
	if !found {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if f := scanField(k, view(m[k])); f.found() {
			a.Fail(inventory.Field(path, k), what+" "+quote(k)+" "+f.describe())
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// scanEnv scans the literal env values, the command and the args of every container, init
// container and ephemeral container. Values from valueFrom are references and are NS-36's
// business.
func scanEnv(a *checks.Assessment, pt *inventory.PodTemplate) {
	s := pt.Spec
	for i := range s.InitContainers {
		c := &s.InitContainers[i]
		scanContainerEnv(a, pt, "initContainers", "init container", i, c.Name, c.Env)
		scanCommand(a, pt, "initContainers", "init container", i, c.Name, c.Command, c.Args)
	}
	for i := range s.Containers {
		c := &s.Containers[i]
		scanContainerEnv(a, pt, "containers", "container", i, c.Name, c.Env)
		scanCommand(a, pt, "containers", "container", i, c.Name, c.Command, c.Args)
	}
	for i := range s.EphemeralContainers {
		c := &s.EphemeralContainers[i]
		scanContainerEnv(a, pt, "ephemeralContainers", "ephemeral container", i, c.Name, c.Env)
		scanCommand(a, pt, "ephemeralContainers", "ephemeral container", i, c.Name, c.Command, c.Args)
	}
}

// scanCommand scans a container's command and args: each entry on its own, as a value that may
// hold a well-known format or a script, and all of them in turn as the words of one command
// line, so that a flag in one entry and its value in the next (or the value of a flag that ends
// the command in the first of the args) are read together. A finding points at the entry that
// holds the value.
func scanCommand(a *checks.Assessment, pt *inventory.PodTemplate, list, kind string, i int, name string, command, args []string) {
	var words cmdScanner
	for _, part := range [...]struct {
		field   string
		entries []string
	}{{"command", command}, {"args", args}} {
		for j, e := range part.entries {
			f := scanField("", e)
			// The scanner reads every entry, to pair a flag with its value in the next one.
			if setting, noun := words.word(e); !f.found() {
				f.setting, f.noun = setting, noun
			}
			if !f.found() {
				continue
			}
			path := inventory.Index(inventory.Field(inventory.Index(inventory.Field(pt.SpecPath, list), i), part.field), j)
			a.Fail(path, part.field+" of "+kind+" "+quote(name)+" "+f.describe())
		}
	}
}

func scanContainerEnv(a *checks.Assessment, pt *inventory.PodTemplate, list, kind string, i int, name string, env []corev1.EnvVar) {
	for j := range env {
		e := &env[j]
		if e.Value == "" {
			continue
		}
		f := scanField(e.Name, e.Value)
		if !f.found() {
			continue
		}
		path := inventory.Field(inventory.Index(inventory.Field(inventory.Index(inventory.Field(pt.SpecPath, list), i), "env"), j), "value")
		a.Fail(path, "env var "+quote(e.Name)+" of "+kind+" "+quote(name)+" "+f.describe())
	}
}
