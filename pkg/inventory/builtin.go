package inventory

import (
	"slices"
	"strings"
)

// The kinds of the built-in API groups are a table (builtin_kinds.go) rather than client-go's
// scheme: the scheme links every API group's types and registers them at start-up, which the
// binary otherwise does without (see README, "Why the Helm engine and the cluster client are our
// own"). A test holds the table to the scheme of the client-go release in go.mod.

// removedKinds are kinds that group versions client-go still registers once served and no
// longer do. kubectl of their day accepted them, and UP-04 reports them as removed APIs, so they
// are not mistakes in the manifest's kind.
var removedKinds = map[string]string{
	"admissionregistration.k8s.io/v1alpha1": "InitializerConfiguration",
	"extensions/v1beta1":                    "PodSecurityPolicy",
	"policy/v1beta1":                        "PodSecurityPolicy",
	"resource.k8s.io/v1alpha3":              "DeviceClass PodSchedulingContext ResourceClaim ResourceClaimTemplate ResourceSlice",
}

// BuiltinKind reports whether apiVersion is a group version built into Kubernetes (one
// client-go's scheme registers) and, if it is, whether kind is one of its kinds. A kind that such
// a group version does not have is a mistake kubectl refuses ("no matches for kind"); custom
// resources, and versions client-go does not know, are not judged (builtinGV false). It does
// not allocate: the loader asks it about every object of a kind it does not decode.
func BuiltinKind(apiVersion, kind string) (builtinGV, known bool) {
	kinds, ok := builtinKinds[apiVersion]
	if !ok {
		return false, false
	}
	return true, hasWord(kinds, kind) || hasWord(removedKinds[apiVersion], kind)
}

// hasWord reports whether the space-separated list holds w.
func hasWord(list, w string) bool {
	for list != "" {
		var word string
		word, list, _ = strings.Cut(list, " ")
		if word == w {
			return true
		}
	}
	return false
}

// SuggestKind returns a hint for a kind that apiVersion, a built-in group version, does not
// have: `did you mean "Deployment"?` for a kind of that version that differs only by case, a
// plural ending or an edit or two ("Deploymnet", "pod", "Pods"), or `did you mean apiVersion
// "apps/v1"?` when another built-in group version has the kind (the current one preferred). It
// returns "" when nothing is close.
func SuggestKind(apiVersion, kind string) string {
	lower := strings.ToLower(kind)
	singular := singularOf(lower)
	if best := closestKind(kindsOf(apiVersion), lower, singular); best != "" {
		return `did you mean "` + best + `"?`
	}
	gvs := make([]string, 0, len(builtinKinds))
	for gv := range builtinKinds {
		gvs = append(gvs, gv)
	}
	// The written group's versions first (a PodSecurityPolicy written against policy/v1 was
	// meant for policy/v1beta1), then stable versions, so that a Deployment written against
	// "v1" is pointed at apps/v1 rather than at apps/v1beta1.
	group := GroupOf(apiVersion)
	slices.SortFunc(gvs, func(a, b string) int {
		if ga, gb := GroupOf(a) == group, GroupOf(b) == group; ga != gb {
			if ga {
				return -1
			}
			return 1
		}
		if sa, sb := isStable(a), isStable(b); sa != sb {
			if sa {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, gv := range gvs {
		for _, k := range kindsOf(gv) {
			if l := strings.ToLower(k); l == lower || l == singular {
				if k == kind {
					return `did you mean apiVersion "` + gv + `"?`
				}
				return `did you mean apiVersion "` + gv + `" (kind "` + k + `")?`
			}
		}
	}
	return ""
}

func kindsOf(apiVersion string) []string {
	kinds := strings.Fields(builtinKinds[apiVersion])
	return append(kinds, strings.Fields(removedKinds[apiVersion])...)
}

// isStable reports whether a group version is neither alpha nor beta.
func isStable(gv string) bool {
	v := gv[strings.LastIndexByte(gv, '/')+1:]
	return !strings.Contains(v, "alpha") && !strings.Contains(v, "beta")
}

// singularOf undoes the plural endings of resource names (pods, ingresses, networkpolicies),
// which are what people write when they mean the kind.
func singularOf(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss"):
		return s[:len(s)-1]
	}
	return s
}

// closestKind returns the kind closest to lower (the written kind in lower case) or its
// singular, within a small edit distance, or "".
func closestKind(kinds []string, lower, singular string) string {
	limit := 2
	if len(lower) <= 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, k := range kinds {
		l := strings.ToLower(k)
		d := min(editDistance(lower, l), editDistance(singular, l))
		if d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b: insertions, deletions,
// substitutions and transpositions of adjacent letters each count one.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
