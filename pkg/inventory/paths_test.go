package inventory

import (
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestItemMatchesIndexOfField(t *testing.T) {
	for _, tc := range []struct{ parent, key, rest string }{
		{"spec", "containers", ""},
		{"spec.template.spec", "initContainers", ".securityContext.privileged"},
		{"", "items", ".name"},
		{"metadata.annotations", "a.b/c", ""},
	} {
		for _, i := range []int{0, 7, 123} {
			want := Index(Field(tc.parent, tc.key), i) + tc.rest
			if got := Item(tc.parent, tc.key, i, tc.rest); got != want {
				t.Errorf("Item(%q, %q, %d, %q) = %q, want %q", tc.parent, tc.key, i, tc.rest, got, want)
			}
		}
	}
}

// TestContainerPath: the cached container paths are Item's, for every list, from several
// goroutines at once; indexes past the end and unknown lists fall back to Item.
func TestContainerPath(t *testing.T) {
	big := &corev1.PodSpec{ // more containers than PodTemplate holds inline
		InitContainers:      make([]corev1.Container, 2),
		Containers:          make([]corev1.Container, 3),
		EphemeralContainers: make([]corev1.EphemeralContainer, 1),
	}
	small := &corev1.PodSpec{Containers: make([]corev1.Container, 1)}
	for _, tc := range []struct {
		spec     *corev1.PodSpec
		specPath string
	}{{big, "spec"}, {big, "spec.jobTemplate.spec.template.spec"}, {small, "spec.template.spec"}} {
		pt, specPath := &PodTemplate{Spec: tc.spec, SpecPath: tc.specPath}, tc.specPath
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, list := range []string{"initContainers", "containers", "ephemeralContainers", "volumes"} {
					for i := -1; i <= 4; i++ {
						if got, want := pt.ContainerPath(list, i), Item(specPath, list, i, ""); got != want {
							t.Errorf("ContainerPath(%q, %d) under %q = %q, want %q", list, i, specPath, got, want)
						}
					}
				}
			}()
		}
		wg.Wait()
	}
}
