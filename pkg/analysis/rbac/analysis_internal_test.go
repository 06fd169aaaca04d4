package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

// TestRuleKeyIsSemanticEquality: two rules have the same key exactly when the API machinery's
// semantic equality (which the aggregation controller uses) says they are equal.
func TestRuleKeyIsSemanticEquality(t *testing.T) {
	rules := []rbacv1.PolicyRule{
		{},
		{Verbs: []string{}},
		{Verbs: []string{"get"}},
		{Verbs: []string{"get", "list"}},
		{Verbs: []string{"list", "get"}},
		{Verbs: []string{"get"}, Resources: []string{"pods"}},
		{Verbs: []string{"get"}, APIGroups: []string{"pods"}},
		{Verbs: []string{"get"}, Resources: []string{"pods"}, ResourceNames: []string{}},
		{Verbs: []string{"get"}, Resources: []string{"pods"}, ResourceNames: []string{""}},
		{Verbs: []string{"get", ""}, Resources: []string{"pods"}},
		{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}},
		{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", ""}},
	}
	for i := range rules {
		for j := range rules {
			same := ruleKey(&rules[i]) == ruleKey(&rules[j])
			if want := equality.Semantic.DeepEqual(rules[i], rules[j]); same != want {
				t.Errorf("rules %d and %d: same key %v, semantically equal %v", i, j, same, want)
			}
		}
	}
}
