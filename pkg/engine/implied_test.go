package engine_test

import (
	"slices"
	"testing"

	_ "github.com/kubeharden/kubeharden/pkg/checks/all"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/source/manifest"
)

// TestImpliedNamespaceIsJudgedOnlyByWhatIsKnown: a namespace that the input does not declare
// has a name, and the objects in it, but no annotations, labels or apiVersion of its own. Only
// the controls that judge its name (NS-03) or what lives in it are reported on it; those that
// would judge its own content (NS-35's annotations, UP-04's apiVersion) must not pass it.
func TestImpliedNamespaceIsJudgedOnlyByWhatIsKnown(t *testing.T) {
	src := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ns}\ndata: {a: b}\n")
	for _, complete := range []bool{false, true} {
		inv := manifest.Parse("c.yaml", src, "", manifest.Options{})
		inv.Complete = complete
		res, err := engine.Run(inv, engine.Options{ShowPassed: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			if f.Object.Kind == "Namespace" {
				got = append(got, f.Control.ID)
			}
		}
		slices.Sort(got)
		got = slices.Compact(got)
		// NS-06 is absent: it skips namespaces without workloads, as NS-05 does.
		if want := []string{"NS-03", "NS-10", "NS-11", "PS-12"}; !slices.Equal(got, want) {
			t.Errorf("complete %v: controls reported on the implied namespace %v, want %v", complete, got, want)
		}
	}
}
