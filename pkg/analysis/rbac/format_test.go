package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestDescribeRule(t *testing.T) {
	cases := []struct {
		rule rbacv1.PolicyRule
		want string
	}{
		{rbacv1.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"secrets"}}, "get, list secrets"},
		{rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}, "* * (all API groups)"},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{"", "apps"}, Resources: []string{"a", "b", "c", "d", "e", "f", "g", "h"}}, "get a, b, c, d, e, f and 2 more (core, apps)"},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"db"}}, "get secrets named db"},
		{rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/version"}}, "get /healthz, /version"},
		{rbacv1.PolicyRule{}, "nothing"},
	}
	for _, c := range cases {
		if got := DescribeRule(&c.rule); got != c.want {
			t.Errorf("DescribeRule(%v) = %q, want %q", c.rule, got, c.want)
		}
	}
}
