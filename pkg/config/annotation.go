package config

import (
	"fmt"
	"strings"
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

// ParseExemptAnnotation parses the annotation's value. Entries without a reason are an error:
// a bare list of IDs would be a silent suppression.
func ParseExemptAnnotation(v string) ([]AnnotationExemption, error) {
	var out []AnnotationExemption
	for _, entry := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		ids, reason, ok := strings.Cut(entry, ":")
		reason = strings.TrimSpace(reason)
		if !ok || reason == "" {
			return nil, fmt.Errorf("%s: entry %q needs the form \"ID[,ID]: reason\"", ExemptAnnotation, entry)
		}
		var ctls []string
		for _, id := range strings.Split(ids, ",") {
			if id = strings.ToUpper(strings.TrimSpace(id)); id != "" {
				ctls = append(ctls, id)
			}
		}
		if len(ctls) == 0 {
			return nil, fmt.Errorf("%s: entry %q names no control", ExemptAnnotation, entry)
		}
		out = append(out, AnnotationExemption{Controls: ctls, Reason: reason})
	}
	return out, nil
}
