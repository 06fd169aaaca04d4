package pod

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

// benchInventory gathers every fixture into one inventory: about a hundred and fifty workloads
// of all nine kinds, passing and failing, with ServiceAccounts for PS-28's lookups.
func benchInventory(b *testing.B) *inventory.Inventory {
	inv := &inventory.Inventory{}
	for _, f := range append([]string{"workloads"}, controls...) {
		inv.Add(checktest.Load(b, "testdata/"+f+".yaml").Objects...)
	}
	return inv
}

// BenchmarkAllPodChecks runs every pod check over every object it matches and reports the
// cost per object (all checks together), the figure that scales with cluster size. "fixtures"
// is every testdata object, mostly failing ones, so it measures the failure path as well;
// "hardened" is workloads that pass everything, the path most objects of a good cluster take.
func BenchmarkAllPodChecks(b *testing.B) {
	fixtures := benchInventory(b)
	hardened := checktest.Load(b, "testdata/hardened.yaml")
	all := checks.All()
	run := func(b *testing.B, inv *inventory.Inventory, cs []checks.Check) {
		var a checks.Assessment
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			for _, o := range inv.Objects {
				for _, c := range cs {
					if c.Match(o) {
						a.Reset()
						c.Assess(&a, o, inv)
					}
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(inv.Objects)), "ns/object")
	}
	var own []checks.Check
	for _, c := range all {
		if c.ID != "PS-40" && c.ID != "PS-41" {
			own = append(own, c)
		}
	}
	b.Run("fixtures", func(b *testing.B) { run(b, fixtures, all) })
	b.Run("fixtures-without-PSS", func(b *testing.B) { run(b, fixtures, own) })
	b.Run("hardened", func(b *testing.B) { run(b, hardened, all) })
	b.Run("hardened-without-PSS", func(b *testing.B) { run(b, hardened, own) })
}
