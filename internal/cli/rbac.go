package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/kubeharden/kubeharden/pkg/analysis/rbac"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/redact"
)

// rbacFlags are shared by the rbac query commands: where the RBAC objects come from, read as scan
// reads them (Helm's options included), and how the answer is printed.
type rbacFlags struct {
	files  []string
	output string
	input  inputFlags
}

func (f *rbacFlags) register(c *cobra.Command) {
	c.Flags().StringSliceVarP(&f.files, "filename", "f", nil, "files, folders, Helm charts or kustomizations holding the RBAC objects (- for standard input; repeatable)")
	c.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	f.input.registerInput(c)
	// -n is not free here: who-can asks about a namespace with it.
	c.Flags().StringVar(&f.input.namespace, "release-namespace", "", "namespace the input is deployed to: the Helm release namespace, and the namespace of objects that name none (scan's -n; default \"default\")")
	_ = c.MarkFlagRequired("filename")
}

// analyse reads the input and resolves its RBAC. It is the only place that knows where the
// objects come from: a live-cluster variant (--kubeconfig) builds its inventory here and every
// query below stays the same.
func (f *rbacFlags) analyse(s Streams) (*rbac.Analysis, *inventory.Inventory, error) {
	if f.output != "table" && f.output != "json" {
		return nil, nil, usageError("unknown output format %q (want table or json)", f.output)
	}
	if err := f.input.check(f.files); err != nil {
		return nil, nil, err
	}
	files, charts, small := splitArgs(f.files)
	warmUp(!small)
	inv, err := f.input.load(s, f.files, files, charts, nil)
	if err != nil {
		return nil, nil, err
	}
	return rbac.For(inv), inv, nil
}

// finish reports what may make the answer incomplete (unreadable input, RBAC objects the API
// server would reject) on standard error, and turns input errors into exit code 2.
func (f *rbacFlags) finish(s Streams, a *rbac.Analysis, inv *inventory.Inventory) error {
	for _, p := range a.Problems {
		where := p.Object.String()
		if p.Path != "" {
			where += " " + p.Path
		}
		fmt.Fprintf(s.Err, "kubeharden: warning: %s: %s\n", where, p.Message)
	}
	incomplete := len(inv.Errors)
	for _, e := range inv.Errors {
		fmt.Fprintln(s.Err, "kubeharden: "+redact.Message(e.Error()))
	}
	for _, kind := range []string{"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"} {
		if why, ok := inv.Unavailable[kind]; ok {
			fmt.Fprintf(s.Err, "kubeharden: %s objects could not be read: %s\n", kind, why)
			incomplete++
		}
	}
	if incomplete > 0 {
		fmt.Fprintln(s.Err, "kubeharden: the input was not read completely: the answer may miss permissions")
		return &exitError{code: ExitError}
	}
	return nil
}

func newRBACCommand(s Streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "rbac",
		Short: "Query effective RBAC permissions: who can do what, and what a subject can do",
		Long: `Answer RBAC questions from Roles, ClusterRoles and their bindings, resolved the way the
API server's RBAC authorizer resolves them: ClusterRole aggregation, RoleBinding scopes, service
account groups, wildcards, subresources and resourceNames.

The input is read as scan reads it: Helm charts are rendered with --values, --set, --set-string
and --release-name, and --release-namespace is the namespace they (and objects that name none)
are deployed to, which scan calls -n.

Kubernetes' default roles (cluster-admin, admin, edit, view, system:discovery and a few others)
are not part of manifests; bindings to them are resolved from a built-in summary of their rules
and marked as such. Bindings to roles that are in neither the input nor that table are listed as
unresolved: they may grant anything.`,
	}
	c.AddCommand(newWhoCanCommand(s), newSubjectCommand(s))
	return c
}

type whoCanFlags struct {
	rbacFlags
	namespace   string
	clusterWide bool
	name        string
}

func newWhoCanCommand(s Streams) *cobra.Command {
	f := &whoCanFlags{}
	c := &cobra.Command{
		Use:   "who-can VERB RESOURCE",
		Short: "List every subject that may perform VERB on RESOURCE, and through which binding and role",
		Long: `List every subject that may perform VERB on RESOURCE, with the binding, role and rule that
allow it and where (cluster-wide or in which namespace).

RESOURCE is written as kubectl writes it: pods, pods/exec, deploy, deployments.apps/scale,
widgets.example.com, or a non-resource URL such as /metrics. Without -n the question is "in any
namespace"; -n NS asks about one namespace, --cluster-wide about cluster-wide requests only
(listing across all namespaces, cluster-scoped resources). A RoleBinding reaches cluster-scoped
requests only where the API server gives them its namespace: its own Namespace object (get,
watch, update, patch, delete namespaces --name NS) and bind on clusterroles, which lets its
subjects bind any ClusterRole in that namespace.

Members of system:masters are always listed: the API server allows them everything before RBAC.`,
		Example: `  kubeharden rbac who-can create pods/exec -f deploy/
  kubeharden rbac who-can get secrets -n shop -f rbac.yaml -o json
  kubeharden rbac who-can get secrets -n shop -f ./chart --values prod.yaml --release-namespace shop
  helm template ./chart | kubeharden rbac who-can '*' '*' -f -`,
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			if f.clusterWide && f.namespace != "" {
				return usageError("-n and --cluster-wide exclude each other")
			}
			a, inv, err := f.analyse(s)
			if err != nil {
				return err
			}
			ns := rbac.AnyNamespace
			switch {
			case f.clusterWide:
				ns = ""
			case f.namespace != "":
				ns = f.namespace
			}
			req := rbac.NewRequest(args[0], args[1], ns)
			req.Name = f.name
			grants := a.WhoCanRequest(req)
			if err := printWhoCan(s.Out, f.output, req, grants); err != nil {
				return err
			}
			return f.finish(s, a, inv)
		},
	}
	f.register(c)
	c.Flags().StringVarP(&f.namespace, "namespace", "n", "", "ask about this namespace (default: any namespace)")
	c.Flags().BoolVar(&f.clusterWide, "cluster-wide", false, "ask about cluster-wide requests only (ClusterRoleBindings)")
	c.Flags().StringVar(&f.name, "name", "", "ask about the object of this name (rules limited by resourceNames count only for it; create and deletecollection name no object, so such rules never allow them)")
	return c
}

func newSubjectCommand(s Streams) *cobra.Command {
	f := &rbacFlags{}
	c := &cobra.Command{
		Use:   "subject KIND/[NAMESPACE/]NAME",
		Short: "List everything a user, group or service account may do, by namespace",
		Long: `List every rule a subject holds, grouped by where it applies (cluster-wide first, then each
namespace), with the binding and role that grant it.

The subject is User/NAME, Group/NAME or ServiceAccount/NAMESPACE/NAME. The AS column says
whether a binding names the subject itself or one of the identities it holds implicitly. A service account also
holds what is bound to its user name (system:serviceaccount:NS:NAME) and to the groups
system:serviceaccounts, system:serviceaccounts:NS and system:authenticated; a user holds what is
bound to system:authenticated. Other groups a user belongs to come from its credentials: ask
about them with Group/NAME.`,
		Example: `  kubeharden rbac subject ServiceAccount/shop/api -f deploy/
  kubeharden rbac subject User/jane -f rbac/ -o json
  kubeharden rbac subject Group/devs -f rbac/`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			sub, err := rbac.ParseSubject(args[0])
			if err != nil {
				return usageError("%v", err)
			}
			a, inv, err := f.analyse(s)
			if err != nil {
				return err
			}
			grants := a.SubjectPermissions(sub.Kind, sub.Namespace, sub.Name)
			if err := printSubject(s.Out, f.output, sub, grants); err != nil {
				return err
			}
			return f.finish(s, a, inv)
		},
	}
	f.register(c)
	return c
}

// grantJSON is a grant as the JSON output shows it: the grant's fields plus its rendered path
// and note, so that consumers need not rebuild them.
type grantJSON struct {
	rbac.Grant
	Via  string `json:"via"`
	Note string `json:"note,omitempty"`
}

func grantsJSON(gs []rbac.Grant) []grantJSON {
	out := make([]grantJSON, len(gs))
	for i := range gs {
		out[i] = grantJSON{Grant: gs[i], Via: gs[i].Via(), Note: gs[i].Note()}
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printWhoCan(w io.Writer, format string, req rbac.Request, grants []rbac.Grant) error {
	if format == "json" {
		return writeJSON(w, struct {
			Request rbac.Request `json:"request"`
			Grants  []grantJSON  `json:"grants"`
		}{req, grantsJSON(grants)})
	}
	var resolved, unresolved []rbac.Grant
	for _, g := range grants {
		if g.Unresolved {
			unresolved = append(unresolved, g)
		} else {
			resolved = append(resolved, g)
		}
	}
	fmt.Fprintf(w, "Who can %s:\n\n", cell(req.String()))
	var notes footnotes
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tWHERE\tVIA")
	for _, g := range resolved {
		fmt.Fprintf(tw, "%s\t%s\t%s%s\n", cell(g.Subject.String()), cell(where(g)), cell(g.Via()), notes.mark(g.Note()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(unresolved) > 0 {
		fmt.Fprintln(w, "\nBindings to roles that are not in the input (they may allow it too):")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, g := range unresolved {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", cell(g.Subject.String()), cell(where(g)), cell(g.Via()))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	notes.print(w)
	return nil
}

func printSubject(w io.Writer, format string, sub rbac.Subject, grants []rbac.Grant) error {
	ids := rbac.Identities(sub)
	if format == "json" {
		return writeJSON(w, struct {
			Subject    rbac.Subject   `json:"subject"`
			Identities []rbac.Subject `json:"identities"`
			Grants     []grantJSON    `json:"grants"`
		}{ids[0], ids, grantsJSON(grants)})
	}
	fmt.Fprintln(w, cell(ids[0].String()))
	if len(ids) > 1 {
		also := make([]string, len(ids)-1)
		for i, id := range ids[1:] {
			also[i] = id.String()
		}
		fmt.Fprintf(w, "  also holds what is bound to: %s\n", cell(strings.Join(also, ", ")))
	}
	if len(grants) == 0 {
		fmt.Fprintln(w, "\nNo binding in the input grants it anything.")
		return nil
	}
	var notes footnotes
	for i := 0; i < len(grants); {
		j := i
		for j < len(grants) && grants[j].Namespace == grants[i].Namespace {
			j++
		}
		if grants[i].Namespace == "" {
			fmt.Fprintln(w, "\nCluster-wide:")
		} else {
			fmt.Fprintf(w, "\nIn namespace %s:\n", cell(grants[i].Namespace))
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  RULE\tAS\tVIA")
		for _, g := range grants[i:j] {
			rule := "(unknown: role not in the input)"
			if g.Rule != nil {
				rule = rbac.DescribeRule(g.Rule)
			}
			as := "itself"
			if g.Subject != ids[0] {
				as = g.Subject.String()
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s%s\n", cell(rule), cell(as), cell(g.Via()), notes.mark(g.Note()))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		i = j
	}
	notes.print(w)
	return nil
}

// cell makes a value from the input safe for the terminal and the table: a name holding control
// characters or tabs (possible through YAML escapes) is shown quoted, with its escapes visible.
func cell(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

func where(g rbac.Grant) string {
	if g.Namespace == "" {
		return "cluster-wide"
	}
	return g.Namespace
}

// footnotes numbers the distinct notes of a table, so each row carries a short [n] mark.
type footnotes []string

func (f *footnotes) mark(note string) string {
	if note == "" {
		return ""
	}
	for i, n := range *f {
		if n == note {
			return fmt.Sprintf(" [%d]", i+1)
		}
	}
	*f = append(*f, note)
	return fmt.Sprintf(" [%d]", len(*f))
}

func (f footnotes) print(w io.Writer) {
	if len(f) == 0 {
		return
	}
	fmt.Fprintln(w)
	for i, n := range f {
		fmt.Fprintf(w, "[%d] %s\n", i+1, n)
	}
}
