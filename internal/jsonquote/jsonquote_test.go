package jsonquote

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/kubeharden/kubeharden/internal/swar"
)

// TestPlain8 compares the eight-byte test with the byte-by-byte rule for every byte value in
// every position, in both modes.
func TestPlain8(t *testing.T) {
	for _, html := range []bool{false, true} {
		plain := func(c byte) bool {
			if html && (c == '<' || c == '>' || c == '&') {
				return false
			}
			return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
		}
		base := []byte("abcdefgh")
		for pos := range 8 {
			for c := range 256 {
				w := append([]byte(nil), base...)
				w[pos] = byte(c)
				if got := plain8(swar.Load64(string(w)), html); got != plain(byte(c)) {
					t.Fatalf("html %v, byte %#x at %d: plain8 = %v", html, c, pos, got)
				}
			}
		}
	}
}

// TestMatchesEncodingJSON: Append writes what encoding/json writes, with and without HTML
// escaping, for strings that exercise every rule (valid UTF-8 is also written the same with
// CheckUTF8 unset).
func TestMatchesEncodingJSON(t *testing.T) {
	cases := []string{"", "plain text long enough for the word path", "a\"b\\c", "tab\there\nnewline\r\b\f\x00\x1f\x7f",
		"<script>&amp;</script> and more text", "ünïcödé and 日本語", "line\u2028sep\u2029para",
		"bad \xff utf8 \xc3", "\xe2\x80", "12345678<", "café at the end ü"}
	for _, s := range cases {
		for _, html := range []bool{false, true} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(html)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			if got := Append(nil, s, Options{EscapeHTML: html, CheckUTF8: true}); !bytes.Equal(got, want) {
				t.Errorf("html %v: Append(%q) = %s, want %s", html, s, got, want)
			}
		}
	}
}

// TestVerbatim: Verbatim is true only when Append writes the string unchanged between quotes;
// a 0xE2 byte counts as needing escape, whether or not it starts U+2028.
func TestVerbatim(t *testing.T) {
	for _, s := range []string{"", "plain", "a<b", "a&b", "quote\"", "tab\t", "ünïcödé", "日本", "x\u2028y", "\x7f"} {
		for _, html := range []bool{false, true} {
			opts := Options{EscapeHTML: html}
			unchanged := string(Append(nil, s, opts)) == `"`+s+`"`
			hasE2 := bytes.IndexByte([]byte(s), 0xE2) >= 0
			if got := Verbatim(s, opts); got != (unchanged && !hasE2) {
				t.Errorf("html %v: Verbatim(%q) = %v, Append unchanged %v", html, s, got, unchanged)
			}
		}
	}
}
