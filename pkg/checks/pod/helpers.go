package pod

// Shared plumbing of the pod-security checks: walking containers without allocating, resolving
// security context values inherited from the pod, and building the paths findings point at.
//
// Inheritance and where a finding points
//
// For runAsNonRoot, runAsUser, runAsGroup, seLinuxOptions, seccompProfile, appArmorProfile and
// windowsOptions.hostProcess a container's effective value is its own securityContext value when
// set, else the pod securityContext's. The checks report:
//
//   - a failing value set on the container: at the container's field, one finding per container;
//   - a failing value inherited from the pod: once, at the pod-level field, naming every container
//     that inherits it, because that one line is what has to change;
//   - a value missing at both levels: at the container's field (where it is missing), one finding
//     per container, so each container's finding has its own line and the fix can go either on
//     the container or, for all of them at once, on the pod.
//
// seLinuxOptions, seccompProfile and appArmorProfile are taken whole (a container's struct
// replaces the pod's); windowsOptions.hostProcess is taken field by field, as the kubelet does.
// Legacy annotations (seccomp, AppArmor) rank below the field of their own level: container
// field, container annotation, pod field, pod annotation. That is the order in which the kubelet
// read them and in which the API server copies annotations into fields.

import (
	"iter"
	"strconv"
	"strings"

	"github.com/kubeharden/kubeharden/internal/intern"
	"github.com/kubeharden/kubeharden/internal/quickfmt"
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

// ctr is one container of a pod template and where it sits. Paths are asked of the template
// only when a check fails (it builds its containers' paths once, for all checks).
type ctr struct {
	*corev1.Container
	list  string // "initContainers", "containers" or "ephemeralContainers"
	index int
	pt    *inventory.PodTemplate
}

// containers yields every init, regular and ephemeral container, in the order the API server's
// Pod Security admission visits them. Ephemeral containers are viewed as Containers: their
// common fields have the same layout.
func containers(pt *inventory.PodTemplate) iter.Seq[ctr] {
	return func(yield func(ctr) bool) {
		s := pt.Spec
		for i := range s.InitContainers {
			if !yield(ctr{&s.InitContainers[i], "initContainers", i, pt}) {
				return
			}
		}
		for i := range s.Containers {
			if !yield(ctr{&s.Containers[i], "containers", i, pt}) {
				return
			}
		}
		for i := range s.EphemeralContainers {
			c := (*corev1.Container)(&s.EphemeralContainers[i].EphemeralContainerCommon)
			if !yield(ctr{c, "ephemeralContainers", i, pt}) {
				return
			}
		}
	}
}

// path is the container's own path, e.g. spec.template.spec.initContainers[1].
func (c ctr) path() string {
	return c.pt.ContainerPath(c.list, c.index)
}

// at is the path of a field below the container; rel is a dotted path such as
// "securityContext.privileged".
func (c ctr) at(rel string) string { return intern.Concat(c.path(), ".", rel) }

// sc is the path of a securityContext field of the container.
func (c ctr) sc(field string) string {
	return intern.Concat(c.path(), ".securityContext.", field)
}

// describe names the container for messages: `container "nginx"`, `init container "setup"`.
func (c ctr) describe() string {
	kind := "container"
	switch c.list {
	case "initContainers":
		kind = "init container"
	case "ephemeralContainers":
		kind = "ephemeral container"
	}
	var buf [64]byte // one allocation, the result, for names of usual length
	b := append(buf[:0], kind...)
	b = append(b, ' ')
	return intern.Bytes(quickfmt.AppendQuote(b, c.Name))
}

// msg is a message about the container: its description followed by rest. Messages go through
// package intern: the same one repeats for every replica of a workload.
func (c ctr) msg(rest ...string) string {
	var parts [6]string
	if len(rest) >= len(parts) {
		return c.describe() + strings.Join(rest, "")
	}
	parts[0] = c.describe()
	n := 1 + copy(parts[1:], rest)
	return intern.Concat(parts[:n]...)
}

// podSC is the path of a pod-level securityContext field.
func podSC(pt *inventory.PodTemplate, field string) string {
	return intern.Concat(pt.SpecPath, ".securityContext.", field)
}

// specField is the path of a field of the pod spec, e.g. spec.template.spec.hostPID.
func specField(pt *inventory.PodTemplate, rel string) string {
	return intern.Concat(pt.SpecPath, ".", rel)
}

// metaPath is the path of the pod template's metadata: "metadata" for a Pod,
// "spec.template.metadata" for a Deployment, and so on.
func metaPath(pt *inventory.PodTemplate) string {
	if i := strings.LastIndexByte(pt.SpecPath, '.'); i >= 0 {
		return pt.SpecPath[:i] + ".metadata"
	}
	return "metadata"
}

// annotationPath is the path of one annotation of the pod template.
func annotationPath(pt *inventory.PodTemplate, key string) string {
	return inventory.Field(inventory.Field(metaPath(pt), "annotations"), key)
}

// level says where an effective value came from.
type level uint8

const (
	unset           level = iota // neither the container nor the pod sets it
	atContainer                  // the container's securityContext field
	atPod                        // the pod's securityContext field
	atCtrAnnotation              // a legacy per-container annotation
	atPodAnnotation              // a legacy pod-wide annotation
)

// effective resolves a securityContext value: the container's when set, else the pod's.
func effective[T any](pt *inventory.PodTemplate, c ctr,
	ofCtr func(*corev1.SecurityContext) *T, ofPod func(*corev1.PodSecurityContext) *T) (*T, level) {
	if sc := c.SecurityContext; sc != nil {
		if v := ofCtr(sc); v != nil {
			return v, atContainer
		}
	}
	if psc := pt.Spec.SecurityContext; psc != nil {
		if v := ofPod(psc); v != nil {
			return v, atPod
		}
	}
	return nil, unset
}

func effRunAsUser(pt *inventory.PodTemplate, c ctr) (*int64, level) {
	return effective(pt, c,
		func(s *corev1.SecurityContext) *int64 { return s.RunAsUser },
		func(s *corev1.PodSecurityContext) *int64 { return s.RunAsUser })
}

func effRunAsGroup(pt *inventory.PodTemplate, c ctr) (*int64, level) {
	return effective(pt, c,
		func(s *corev1.SecurityContext) *int64 { return s.RunAsGroup },
		func(s *corev1.PodSecurityContext) *int64 { return s.RunAsGroup })
}

func effRunAsNonRoot(pt *inventory.PodTemplate, c ctr) (*bool, level) {
	return effective(pt, c,
		func(s *corev1.SecurityContext) *bool { return s.RunAsNonRoot },
		func(s *corev1.PodSecurityContext) *bool { return s.RunAsNonRoot })
}

func effSELinux(pt *inventory.PodTemplate, c ctr) (*corev1.SELinuxOptions, level) {
	return effective(pt, c,
		func(s *corev1.SecurityContext) *corev1.SELinuxOptions { return s.SELinuxOptions },
		func(s *corev1.PodSecurityContext) *corev1.SELinuxOptions { return s.SELinuxOptions })
}

// effHostProcess merges windowsOptions field by field: a container's windowsOptions that sets
// only gmsaCredentialSpec still inherits the pod's hostProcess.
func effHostProcess(pt *inventory.PodTemplate, c ctr) (*bool, level) {
	return effective(pt, c,
		func(s *corev1.SecurityContext) *bool {
			if s.WindowsOptions == nil {
				return nil
			}
			return s.WindowsOptions.HostProcess
		},
		func(s *corev1.PodSecurityContext) *bool {
			if s.WindowsOptions == nil {
				return nil
			}
			return s.WindowsOptions.HostProcess
		})
}

// scPath is where a failing effective value is reported: the pod's field when inherited from
// the pod, else the container's (also when missing at both levels).
func scPath(pt *inventory.PodTemplate, c ctr, lvl level, field string) string {
	if lvl == atPod {
		return podSC(pt, field)
	}
	return c.sc(field)
}

// podFindings gathers failures whose value is inherited from the pod level, so that each
// pod-level field is reported once however many containers inherit it, naming them all. It
// allocates only when something fails.
type podFindings struct {
	items []podFinding
}

type podFinding struct {
	path, msg string
	heirs     []string
}

// add records that container c inherits the failing pod-level value at path; msg says what is
// wrong with it and must be the same for every container sharing the path.
func (p *podFindings) add(path, msg string, c ctr) {
	for i := range p.items {
		if p.items[i].path == path {
			p.items[i].heirs = append(p.items[i].heirs, c.Name)
			return
		}
	}
	p.items = append(p.items, podFinding{path: path, msg: msg, heirs: []string{c.Name}})
}

// flush records one failure per pod-level field.
func (p *podFindings) flush(a *checks.Assessment) {
	for _, it := range p.items {
		a.Fail(it.path, it.msg+" (inherited by "+plural("container", len(it.heirs))+" "+quoteList(it.heirs)+")")
	}
}

func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func quoteList(items []string) string {
	var b strings.Builder
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s))
	}
	return b.String()
}

// isWindows reports whether the pod declares spec.os.name: windows. The API server forbids the
// Linux-only securityContext fields on such pods, so controls that can only pass by setting them
// skip Windows pods instead of failing them for good.
func isWindows(pt *inventory.PodTemplate) bool {
	return pt.Spec.OS != nil && pt.Spec.OS.Name == corev1.Windows
}

// capIs reports whether capability name s denotes want (upper case, without the CAP_ prefix).
// Container runtimes accept names with or without CAP_ and in any case, so "cap_sys_admin",
// "SYS_ADMIN" and "CAP_SYS_ADMIN" are the same capability.
func capIs(s corev1.Capability, want string) bool {
	return strings.EqualFold(capBase(s), want)
}

// capBase strips a CAP_ prefix in any case without allocating.
func capBase(s corev1.Capability) string {
	n := string(s)
	if len(n) > 4 && strings.EqualFold(n[:4], "CAP_") {
		return n[4:]
	}
	return n
}

// capName is the canonical spelling of a capability for messages.
func capName(s corev1.Capability) string { return strings.ToUpper(capBase(s)) }

// perContainer builds an Assess function for the many controls that judge each container on its
// own: fn is called for each container of the pod template.
func perContainer(fn func(a *checks.Assessment, pt *inventory.PodTemplate, c ctr)) func(*checks.Assessment, *inventory.Object, *inventory.Inventory) {
	return func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
		pt := inventory.PodTemplateOf(o)
		if pt == nil {
			return
		}
		// An indexed loop rather than range-over-func: with fn a dynamic call, the compiler moves
		// the iterator's state to the heap.
		s := pt.Spec
		for i := range s.InitContainers {
			fn(a, pt, ctr{&s.InitContainers[i], "initContainers", i, pt})
		}
		for i := range s.Containers {
			fn(a, pt, ctr{&s.Containers[i], "containers", i, pt})
		}
		for i := range s.EphemeralContainers {
			c := (*corev1.Container)(&s.EphemeralContainers[i].EphemeralContainerCommon)
			fn(a, pt, ctr{c, "ephemeralContainers", i, pt})
		}
	}
}

// perPod builds an Assess function for controls that read the pod template as a whole.
func perPod(fn func(a *checks.Assessment, pt *inventory.PodTemplate)) func(*checks.Assessment, *inventory.Object, *inventory.Inventory) {
	return func(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
		if pt := inventory.PodTemplateOf(o); pt != nil {
			fn(a, pt)
		}
	}
}

func quote(s string) string { return strconv.Quote(s) }
