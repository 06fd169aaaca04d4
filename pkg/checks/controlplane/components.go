package controlplane

/*
NS-19: profiling off and the controller manager and scheduler bound to loopback.

Read: --profiling of kube-apiserver, kube-controller-manager and kube-scheduler (default true);
      --bind-address of kube-controller-manager and kube-scheduler (default 0.0.0.0).
Passes: --profiling=false; --bind-address=127.0.0.1 (or ::1, localhost).
Fails:  profiling unset or true (pprof exposes internals and is a denial-of-service lever);
        bind-address unset or not a loopback address (the components' HTTPS ports, 10257 and
        10259, are then reachable from the network). kube-bench treats an unset bind-address as
        passing; the binaries' default is 0.0.0.0, so kubeharden does not.
*/

import (
	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(checks.Check{ID: "NS-19",
		Match:  Is(inventory.ComponentAPIServer, inventory.ComponentControllerManager, inventory.ComponentScheduler),
		Assess: assessProfilingAndBind})
}

func assessProfilingAndBind(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	c := Component(o, inv)
	switch v, f, set, ok := boolFlag(c, "profiling", true); {
	case !set:
		a.Failf(MissingPath(c), "%s --profiling is not set (default true): profiling endpoints are served", c.Name)
	case !ok || v:
		a.Failf(f.Path, "%s %s: profiling endpoints are served", c.Name, f.Arg())
	}
	if c.Name == inventory.ComponentAPIServer {
		return
	}
	f, v, set := value(c, "bind-address")
	switch {
	case !set:
		a.Failf(MissingPath(c), "%s --bind-address is not set (default 0.0.0.0): its port is reachable from the network", c.Name)
	case !isLoopback(v):
		a.Failf(f.Path, "%s --bind-address=%s: its port is reachable from the network", c.Name, v)
	}
}
