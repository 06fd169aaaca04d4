package config

import (
	"fmt"
	"strings"

	"github.com/kubeharden/kubeharden/pkg/catalog"
)

// ExemptAnnotation lets an object's owner accept a control's failure on that object, with a
// reason: `kubeharden.io/exempt: "PS-17,PS-15: node agent needs the host network"`. Several
// entries can be separated by ';' or new lines.
const ExemptAnnotation = "kubeharden.io/exempt"

// AnnotationExemption is one parsed entry of the annotation.
type AnnotationExemption struct {
	Controls []string
	Reason   string
}

// ParseExemptAnnotation parses the annotation's value. It returns the entries that can apply
// and an error for each that cannot, so that one mistake neither voids the owner's other
// exemptions nor passes unnoticed:
//   - an entry without a reason (a bare list of IDs would be a silent suppression);
//   - a control ID the catalog does not have (a typo, or IDs separated by spaces instead of
//     commas, would otherwise leave the failure standing with no hint why); "*" is such an ID:
//     an owner names the controls they accept, only the configuration file may accept all.
//
// With a nil catalog, IDs are not checked.
func ParseExemptAnnotation(v string, cat *catalog.Catalog) ([]AnnotationExemption, []error) {
	var out []AnnotationExemption
	var errs []error
	for _, entry := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		ids, reason, ok := strings.Cut(entry, ":")
		reason = strings.TrimSpace(reason)
		if !ok || reason == "" {
			errs = append(errs, fmt.Errorf("%s: entry %q needs the form \"ID[,ID]: reason\"", ExemptAnnotation, entry))
			continue
		}
		var ctls []string
		named := false
		for _, id := range strings.Split(ids, ",") {
			if id = strings.ToUpper(strings.TrimSpace(id)); id == "" {
				continue
			}
			named = true
			if cat != nil {
				ctl := cat.Get(id)
				if ctl == nil {
					errs = append(errs, fmt.Errorf("%s: entry %q names %q, which is not a control ID (IDs are separated by commas; see kubeharden controls)", ExemptAnnotation, entry, id))
					continue
				}
				id = ctl.ID // the catalog's copy, not a piece of the annotation (see below)
			}
			ctls = append(ctls, id)
		}
		if !named {
			errs = append(errs, fmt.Errorf("%s: entry %q names no control", ExemptAnnotation, entry))
		}
		if len(ctls) > 0 {
			// The result outlives the object in a streamed scan, which releases the object's
			// strings: it must not hold on to the annotation's memory.
			out = append(out, AnnotationExemption{Controls: ctls, Reason: strings.Clone(reason)})
		}
	}
	return out, errs
}
