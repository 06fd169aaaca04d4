package json

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubeharden/kubeharden/pkg/config"
	"github.com/kubeharden/kubeharden/pkg/engine"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	"github.com/kubeharden/kubeharden/pkg/report"
)

// appendFinding must produce exactly what encoding/json produces for the same value.
func TestAppendFindingMatchesEncodingJSON(t *testing.T) {
	odd := []string{"", "plain", `quote " and \ backslash`, "ctl \x00\x01\x1f\x7f", "nl\n cr\r tab\t bs\b ff\f",
		"<html> & 'x'", "ünïcode ✓ \U0001F600", "bad utf8 \xff\xfe end", "sep \u2028 \u2029", "\xe2\x80"}
	date := &config.Date{Time: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)}
	for i, s := range odd {
		f := report.Finding{Control: "PS-" + s, Title: s, Status: engine.StatusFail,
			Object: inventory.Ref{APIVersion: "v1", Kind: "Pod", Namespace: s, Name: s},
			File:   s, Line: i, Source: s, Path: s, Message: s, Remediation: s, References: []string{s, "x"}}
		if i%2 == 0 {
			f.Exemption = &engine.Exemption{Reason: s, Source: s, Expires: date, Owner: s, Ticket: s}
			f.References = []string{}
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
		got := (&encoder{}).appendFinding(nil, &f, nil)
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
			t.Errorf("case %d (%q):\n got %s\nwant %s", i, s, got, w)
		}
	}
}

// TestQuotedCacheSurvivesReuseAndCollisions quotes more distinct texts than the cache has
// slots, three times over (a text's quoting is kept on its second sighting and used from the
// third), into one buffer that is overwritten each time (as the writer reuses its chunk
// buffers), and requires every answer to be the plain quoting: a cached text must not alias the
// buffer, and texts sharing a slot must not get each other's quoting. It runs with the largest
// cache and with the smallest.
func TestQuotedCacheSurvivesReuseAndCollisions(t *testing.T) {
	for _, expect := range []int{1 << 20, 0} {
		testQuotedCache(t, &encoder{expect: expect})
	}
}

func testQuotedCache(t *testing.T, e *encoder) {
	var buf []byte
	texts := []string{"short", `q"uote`, "bad \xff utf8 \u2028", strings.Repeat("x", maxQuotedLen+1)}
	for i := range 1<<maxQuoteSlotBits + 100 {
		texts = append(texts, fmt.Sprintf(`container "c%d" fails`, i))
	}
	for i := range 300 { // texts of the same length that differ in one word
		texts = append(texts, fmt.Sprintf("spec.template.spec.containers[0].securityContext.x%03dfield.runAsNonRoot.to.the.end", i))
	}
	for round := range 3 {
		for i, s := range texts {
			buf = e.appendQuoted(buf[:0], s)
			if want := appendString(nil, s); !bytes.Equal(buf, want) {
				t.Fatalf("round %d, text %d: got %s, want %s", round, i, buf, want)
			}
		}
	}
	kept := 0
	for _, sl := range e.quoted.slots {
		if len(sl.text) > maxQuotedLen {
			t.Fatal("a text over maxQuotedLen was cached")
		}
		if sl.quoted != "" {
			kept++
		}
	}
	if kept < len(e.quoted.slots)/2 {
		t.Errorf("%d of %d slots hold a quoting after three rounds", kept, len(e.quoted.slots))
	}
}
