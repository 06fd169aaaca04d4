package rbac

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// DescribeRule renders a rule in one short line for messages and tables:
//
//	get, list, watch secrets
//	create, update deployments, statefulsets (apps)
//	* * (all API groups)
//	get secrets named db-password
//	get /healthz, /version
func DescribeRule(r *rbacv1.PolicyRule) string {
	var parts []string
	if len(r.Resources) > 0 {
		s := joinShort(r.Verbs) + " " + joinShort(r.Resources)
		if len(r.APIGroups) != 1 || r.APIGroups[0] != "" {
			names := make([]string, len(r.APIGroups))
			for i, g := range r.APIGroups {
				switch g {
				case "":
					names[i] = "core"
				case rbacv1.APIGroupAll:
					names[i] = "all API groups"
				default:
					names[i] = g
				}
			}
			s += " (" + joinShort(names) + ")"
		}
		if len(r.ResourceNames) > 0 {
			s += " named " + joinShort(r.ResourceNames)
		}
		parts = append(parts, s)
	}
	if len(r.NonResourceURLs) > 0 {
		parts = append(parts, joinShort(r.Verbs)+" "+joinShort(r.NonResourceURLs))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

// joinShort joins up to six items and counts the rest.
func joinShort(items []string) string {
	const max = 6
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:max], ", ") + fmt.Sprintf(" and %d more", len(items)-max)
}
