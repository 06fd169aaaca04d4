package yamldoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// EachYAMLOrJSON is Each for a manifest stream read the way kubectl reads one (the
// YAMLOrJSONDecoder of k8s.io/apimachinery/pkg/util/yaml), which differs from Each only for
// input whose first non-space character is '{'. kubectl reads such input as a stream of JSON
// values, one object after another with only white space between them ("jq -c" output, one
// object per line or back to back), each value a document; where a value is not valid JSON:
//
//   - if it is the first or the second value, kubectl reads the rest of the stream, from the
//     end of the values before it, as YAML ("{"x": bare}" is YAML, as is "{...}" followed by
//     "key: value" lines or a "---" line);
//   - after two values or more, the stream is JSON: the error ends it, reported here as an Error
//     at its line with the Index of the value that failed, and nothing after it is read.
//
// Each value is parsed as YAML (JSON is YAML), so its nodes have lines and columns like any
// other; columns of a value that does not start a line count from the value's first character.
// Input that does not start with '{' is read as Each reads it.
func EachYAMLOrJSON(data []byte, opts Options, fn func(Document, error) bool) {
	if len(data) == 0 {
		Each(data, opts, fn)
		return
	}
	if !IsJSONStream(data) {
		Each(data, opts, fn)
		return
	}
	opts.JSONEscapes = true
	// kubectl drops a byte order mark at the start of a file before it looks at the text (the
	// BOM override of its file reader); lines are not moved by it.
	data = bytes.TrimPrefix(data, byteOrderMark)
	src := unsafe.String(&data[0], len(data))
	first := len(data) - len(bytes.TrimLeftFunc(data, unicode.IsSpace))
	// Nearly every file that starts with '{' holds one JSON object: when the brackets of the
	// first value close and only white space follows, the stream cannot be anything but that
	// value (valid JSON) or YAML from its start (when the value is not valid JSON), which is
	// how Each reads it, without a JSON decoder's pass and copy.
	end := bracketEnd(src, first)
	if end < 0 || len(bytes.TrimLeft(data[end:], " \t\r\n")) == 0 {
		Each(data, opts, fn)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var lc lineCounter
	count := 0
	prevEnd := 0
	for {
		start := int(dec.InputOffset())
		for start < len(data) && isJSONSpace(data[start]) {
			start++
		}
		if start == len(data) {
			return
		}
		err := dec.Decode(&skipValue{})
		if err == nil {
			end := int(dec.InputOffset())
			line := lc.lineOf(src, start)
			// One value, one document: the part of src before its end is parsed from its start.
			if !eachFrom(src[:end], start, line, count, opts, false, fn) {
				return // fn stopped it
			}
			count++
			prevEnd = end
			continue
		}
		if count > 1 {
			at := len(data)
			var se *json.SyntaxError
			if errors.As(err, &se) {
				at = max(int(se.Offset)-1, start)
			}
			if at >= len(data) {
				at = start // the value does not end: name its start
			}
			line := lc.lineOf(src, at)
			fn(Document{Index: count}, &Error{Line: line + 1, Column: at - lc.lineStart + 1, Index: count,
				Msg: "not valid JSON: " + err.Error() + " (a stream of JSON values, as kubectl reads a file that starts with '{'; what follows is not read)"})
			return
		}
		if count == 0 {
			// Not JSON from the start: kubectl reads the whole stream as YAML.
			Each(data, opts, fn)
			return
		}
		// kubectl goes on as YAML from the end of the last value read, past white space up
		// to and including the first line break.
		resume := prevEnd
		for resume < len(data) {
			r, n := utf8.DecodeRune(data[resume:])
			if !unicode.IsSpace(r) {
				break
			}
			resume += n
			if r == '\n' {
				break
			}
		}
		eachFrom(src, resume, lc.lineOf(src, resume), count, opts, false, fn)
		return
	}
}

// bracketEnd returns the end of the object or array that starts at src[i], matching brackets
// outside JSON strings, or -1 when they do not close. For valid JSON it is where a JSON decoder
// ends the value.
func bracketEnd(src string, i int) int {
	depth := 0
	for ; i < len(src); i++ {
		switch src[i] {
		case '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
			if i >= len(src) {
				return -1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// IsJSONStream says whether EachYAMLOrJSON reads data as a stream of JSON values, as kubectl
// decides it: after a byte order mark at the very start, if any, the first character that is
// not white space (unicode.IsSpace) is '{'. The file's name plays no part: kubectl reads a
// ".json" file that holds YAML as YAML.
func IsJSONStream(data []byte) bool {
	t := bytes.TrimLeftFunc(bytes.TrimPrefix(data, byteOrderMark), unicode.IsSpace)
	return len(t) > 0 && t[0] == '{'
}

var byteOrderMark = []byte("\ufeff")

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipValue takes a JSON value without keeping it: the decoder has checked its syntax, which
// is all that is wanted of it.
type skipValue struct{}

func (*skipValue) UnmarshalJSON([]byte) error { return nil }

// lineCounter finds the 0-based lines of increasing offsets, counting line breaks as the
// scanner does.
type lineCounter struct{ pos, line, lineStart int }

func (lc *lineCounter) lineOf(src string, to int) int {
	for lc.pos < to {
		if n := breakLenAt(src, lc.pos); n != 0 && lc.pos+n <= to {
			lc.pos += n
			lc.line++
			lc.lineStart = lc.pos
			continue
		}
		lc.pos++
	}
	return lc.line
}
