package secrets

/*
NS-36: Secrets exposed to containers as environment variables.

Fields read:
  spec.containers[*].env[*].valueFrom.secretKeyRef
  spec.containers[*].envFrom[*].secretRef
  and the same for initContainers and ephemeralContainers

Passing values: neither field set. Secrets mounted as volumes (or projected) pass.

Environment variables are inherited by every child process, show up in crash dumps and debug
endpoints and are easily logged; a mounted Secret is a file only the container's process reads,
and it is updated when the Secret changes. Each finding points at the env or envFrom entry.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	corev1 "k8s.io/api/core/v1"
)

func init() {
	checks.Register(checks.Check{ID: "NS-36", Match: checks.Workloads, Assess: assessEnvSecrets})
}

func assessEnvSecrets(a *checks.Assessment, o *inventory.Object, _ *inventory.Inventory) {
	pt := inventory.PodTemplateOf(o)
	if pt == nil {
		return
	}
	s := pt.Spec
	for i := range s.InitContainers {
		c := &s.InitContainers[i]
		envSecrets(a, pt, "initContainers", "init container", i, c.Name, c.Env, c.EnvFrom)
	}
	for i := range s.Containers {
		c := &s.Containers[i]
		envSecrets(a, pt, "containers", "container", i, c.Name, c.Env, c.EnvFrom)
	}
	for i := range s.EphemeralContainers {
		c := &s.EphemeralContainers[i]
		envSecrets(a, pt, "ephemeralContainers", "ephemeral container", i, c.Name, c.Env, c.EnvFrom)
	}
}

func envSecrets(a *checks.Assessment, pt *inventory.PodTemplate, list, kind string, i int, name string, env []corev1.EnvVar, envFrom []corev1.EnvFromSource) {
	var base string
	path := func(field string, j int) string {
		if base == "" {
			base = inventory.Index(inventory.Field(pt.SpecPath, list), i)
		}
		return inventory.Index(inventory.Field(base, field), j)
	}
	for j := range env {
		e := &env[j]
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		a.Failf(path("env", j), "env var %q of %s %q is set from key %q of Secret %q", e.Name, kind, name, ref.Key, ref.Name)
	}
	for j := range envFrom {
		ef := &envFrom[j]
		if ef.SecretRef == nil {
			continue
		}
		if ef.Prefix != "" {
			a.Failf(path("envFrom", j), "%s %q loads every key of Secret %q into its environment (with prefix %q)", kind, name, ef.SecretRef.Name, ef.Prefix)
		} else {
			a.Failf(path("envFrom", j), "%s %q loads every key of Secret %q into its environment", kind, name, ef.SecretRef.Name)
		}
	}
}
