package yamldoc

import (
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The scanner turns characters into tokens. It follows the token model of
// libyaml (and so of goyaml.v2, which sigs.k8s.io/yaml uses): indentation
// produces BLOCK-*-START / BLOCK-END tokens, and a "simple key" (a scalar,
// alias or flow collection on one line, followed by ':') gets its KEY token
// inserted retroactively once the ':' is seen. Reproducing that model,
// rather than a different grammar, is what makes the parser accept and
// reject exactly the documents that kubectl does, quirks included. The
// implementation is new and built for speed: the input is one string, marks
// are computed lazily, and scalars that need no folding or unescaping are
// substrings of the input.

type tokKind uint8

const (
	tNone tokKind = iota
	tStreamStart
	tStreamEnd
	tVersionDirective
	tTagDirective
	tDocumentStart
	tDocumentEnd
	tBlockSequenceStart
	tBlockMappingStart
	tBlockEnd
	tFlowSequenceStart
	tFlowSequenceEnd
	tFlowMappingStart
	tFlowMappingEnd
	tBlockEntry
	tFlowEntry
	tKey
	tValue
	tAlias
	tAnchor
	tTag
	tScalar
)

var tokNames = [...]string{
	tNone:               "nothing",
	tStreamStart:        "start of stream",
	tStreamEnd:          "end of input",
	tVersionDirective:   "%YAML directive",
	tTagDirective:       "%TAG directive",
	tDocumentStart:      "document start '---'",
	tDocumentEnd:        "document end '...'",
	tBlockSequenceStart: "block sequence",
	tBlockMappingStart:  "block mapping",
	tBlockEnd:           "end of block",
	tFlowSequenceStart:  "'['",
	tFlowSequenceEnd:    "']'",
	tFlowMappingStart:   "'{'",
	tFlowMappingEnd:     "'}'",
	tBlockEntry:         "'-'",
	tFlowEntry:          "','",
	tKey:                "key",
	tValue:              "':'",
	tAlias:              "alias",
	tAnchor:             "anchor",
	tTag:                "tag",
	tScalar:             "scalar",
}

// mark is a position in the input. line and col are 0-based; col counts
// characters, not bytes.
type mark struct {
	pos, line, col int32
}

// token holds no pointers (its text is a strRef), so the queue can be
// shuffled without GC write barriers.
type token struct {
	kind  tokKind
	style Style
	major int8 // %YAML version
	minor int8
	m     mark
	value strRef // scalar text, anchor or alias name, tag handle, %TAG handle
	extra strRef // tag suffix, %TAG prefix
}

// strRef is a token's text: src[off:off+n], or built[off] when n < 0.
type strRef struct{ off, n int32 }

func (s *scanner) srcRef(start, end int) strRef {
	return strRef{int32(start), int32(end - start)}
}

func (s *scanner) builtRef(v string) strRef {
	s.built = append(s.built, v)
	return strRef{int32(len(s.built) - 1), -1}
}

func (s *scanner) str(r strRef) string {
	if r.n < 0 {
		return s.built[r.off]
	}
	return s.src[r.off : r.off+r.n]
}

type simpleKey struct {
	possible bool
	required bool
	// unguarded: the key no longer holds its token in the queue. libyaml
	// indexes pending keys by token number, and closing a flow collection
	// in which no key was saved deletes the entry of the key that started
	// it (both share a number). Such a key can still be completed by ':',
	// but its KEY token is then appended rather than inserted. Empty flow
	// collections as keys ("[]: x") behave accordingly.
	unguarded   bool
	tokenNumber int
	m           mark
}

type scanner struct {
	src       string
	end       int // scanning limit: len(src), or the offset of an invalid character
	badMsg    string
	pos       int
	line      int
	lineStart int
	hiLine    int // line on which a non-ASCII character was consumed; -1 if none

	colBase, colPos, colVal int // rune-count checkpoint for col
	lastMark                struct {
		m    mark
		pos1 int // pos+1 of m; 0 when unset
	}

	streamStartProduced bool
	flowLevel           int
	indent              int
	indents             []int
	simpleKeyAllowed    bool
	simpleKeys          []simpleKey
	tokens              []token
	built               []string // token texts that are not substrings of src
	head                int
	tokensParsed        int
	tokenAvailable      bool

	maxDepth int
	// jsonEscapes is Options.JSONEscapes.
	jsonEscapes bool
	err         *Error
	dirErr      bool // the error is in a directive
	errPos      int
	buf         []byte
	buf2        []byte
	buf3        []byte
}

// reset prepares the scanner to scan src[pos:] from a given line, as at the
// start of a stream.
func (s *scanner) reset(pos, line int) {
	s.pos = pos
	s.line = line
	s.lineStart = pos
	s.hiLine = -1
	s.colBase = -1
	s.lastMark.pos1 = 0
	s.streamStartProduced = false
	s.flowLevel = 0
	s.indent = -1
	s.indents = s.indents[:0]
	s.simpleKeyAllowed = false
	s.simpleKeys = s.simpleKeys[:0]
	s.tokens = s.tokens[:0]
	s.built = s.built[:0]
	s.head = 0
	s.tokensParsed = 0
	s.tokenAvailable = false
	s.err = nil
	s.dirErr = false
}

func (s *scanner) at(i int) byte {
	if i < s.end {
		return s.src[i]
	}
	return 0
}

// col returns the column of pos, which must be on the current line.
// Lines with non-ASCII characters count runes from a checkpoint, so that a
// long line with many tokens stays linear.
func (s *scanner) col(pos int) int {
	if s.hiLine != s.line {
		return pos - s.lineStart
	}
	if s.colBase != s.lineStart || s.colPos > pos || s.colPos < s.lineStart {
		s.colBase, s.colPos, s.colVal = s.lineStart, s.lineStart, 0
	}
	s.colVal += utf8.RuneCountInString(s.src[s.colPos:pos])
	s.colPos = pos
	return s.colVal
}

func (s *scanner) mark() mark {
	if s.pos == s.lastMark.pos1-1 {
		return s.lastMark.m
	}
	m := mark{pos: int32(s.pos), line: int32(s.line), col: int32(s.col(s.pos))}
	s.lastMark.m, s.lastMark.pos1 = m, s.pos+1
	return m
}

// breakLen returns the length in bytes of the line break at i, or 0. Like
// libyaml (YAML 1.1), NEL, LS and PS count as line breaks; CR LF is one.
func (s *scanner) breakLen(i int) int {
	switch s.at(i) {
	case '\n':
		return 1
	case '\r':
		if s.at(i+1) == '\n' {
			return 2
		}
		return 1
	case 0xC2:
		if s.at(i+1) == 0x85 {
			return 2
		}
	case 0xE2:
		if s.at(i+1) == 0x80 && (s.at(i+2) == 0xA8 || s.at(i+2) == 0xA9) {
			return 3
		}
	}
	return 0
}

func (s *scanner) isBreak(i int) bool { return s.breakLen(i) != 0 }

func (s *scanner) isBlank(i int) bool {
	c := s.at(i)
	return c == ' ' || c == '\t'
}

// isBlankz reports a blank, a line break or the end of input at i.
func (s *scanner) isBlankz(i int) bool {
	c := s.at(i)
	switch c {
	case ' ', '\t', '\n', '\r', 0:
		return true
	case 0xC2, 0xE2:
		return s.breakLen(i) != 0
	}
	return false
}

func (s *scanner) isBreakz(i int) bool {
	return i >= s.end || s.breakLen(i) != 0
}

// lineEnd returns the offset of the first line break at or after pos, or
// end. It leans on strings.IndexByte (vectorized) for the common ASCII
// case: comments and block scalar lines are often long.
func (s *scanner) lineEnd(pos int) int {
	end := s.end
	seg := s.src[pos:end]
	if i := strings.IndexByte(seg, '\n'); i >= 0 {
		seg = seg[:i]
	}
	if i := strings.IndexByte(seg, '\r'); i >= 0 {
		seg = seg[:i]
	}
	// NEL, LS and PS are line breaks too; they need a non-ASCII byte.
	for i := 0; i < len(seg); {
		if i+8 <= len(seg) {
			w := uint64(seg[i]) | uint64(seg[i+1])<<8 | uint64(seg[i+2])<<16 | uint64(seg[i+3])<<24 |
				uint64(seg[i+4])<<32 | uint64(seg[i+5])<<40 | uint64(seg[i+6])<<48 | uint64(seg[i+7])<<56
			if w&0x8080808080808080 == 0 {
				i += 8
				continue
			}
		}
		if c := seg[i]; c >= 0x80 {
			s.hiLine = s.line
			if (c == 0xC2 || c == 0xE2) && s.breakLen(pos+i) != 0 {
				return pos + i
			}
		}
		i++
	}
	return pos + len(seg)
}

// skipLine consumes the line break at pos.
func (s *scanner) skipLine() {
	n := s.breakLen(s.pos)
	if n == 0 {
		return
	}
	s.pos += n
	s.line++
	s.lineStart = s.pos
}

// readLine appends the normalized line break at pos to b and consumes it.
func (s *scanner) readLine(b []byte) []byte {
	n := s.breakLen(s.pos)
	switch {
	case n == 0:
		return b
	case n == 3:
		b = append(b, s.src[s.pos:s.pos+3]...)
	default:
		b = append(b, '\n')
	}
	s.pos += n
	s.line++
	s.lineStart = s.pos
	return b
}

// skipChar consumes one character (possibly multi-byte).
func (s *scanner) skipChar() {
	c := s.src[s.pos]
	if c < utf8.RuneSelf {
		s.pos++
		return
	}
	s.hiLine = s.line
	_, n := utf8.DecodeRuneInString(s.src[s.pos:s.end])
	s.pos += n
}

func isAlpha(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c == '-'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f'
}

func hexVal(c byte) int {
	switch {
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c - '0')
}

func (s *scanner) errAt(m mark, msg string) bool {
	if s.err == nil {
		s.err = &Error{Line: int(m.line) + 1, Column: int(m.col) + 1, Msg: msg}
		s.errPos = s.pos
	}
	return false
}

func (s *scanner) errHere(msg string) bool { return s.errAt(s.mark(), msg) }

// endOfInput reports an unexpected end of input, which may really be an
// invalid character that stopped the scanner.
func (s *scanner) endOfInput(m mark, msg string) bool {
	if s.pos >= s.end && s.end < len(s.src) {
		return s.invalidChar()
	}
	return s.errAt(m, msg)
}

func (s *scanner) invalidChar() bool {
	s.pos = s.end
	return s.errHere(s.badMsg)
}

// ---- token queue ----

func (s *scanner) insertToken(i int, t token) {
	if i < 0 {
		s.tokens = append(s.tokens, t)
		return
	}
	i += s.head
	s.tokens = append(s.tokens, token{})
	copy(s.tokens[i+1:], s.tokens[i:])
	s.tokens[i] = t
}

// peek returns the next token, or nil after an error. The pointer is only
// valid until the next peek or skip.
func (s *scanner) peek() *token {
	if !s.tokenAvailable && !s.fetchMoreTokens() {
		return nil
	}
	return &s.tokens[s.head]
}

func (s *scanner) skip() {
	s.tokenAvailable = false
	s.tokensParsed++
	s.head++
}

func (s *scanner) fetchMoreTokens() bool {
	if s.err != nil {
		return false
	}
	for {
		if s.head != len(s.tokens) {
			// The head token may still become a key: keep scanning until
			// that is decided. Possible keys are ordered by token number
			// from the outermost flow level inwards, so only the first
			// possible one can sit at the head.
			var k *simpleKey
			for i := range s.simpleKeys {
				if s.simpleKeys[i].possible {
					if s.simpleKeys[i].tokenNumber == s.tokensParsed && !s.simpleKeys[i].unguarded {
						k = &s.simpleKeys[i]
					}
					break
				}
			}
			if k == nil {
				break
			}
			if !s.keyValid(k) {
				if s.err != nil {
					return false
				}
				break
			}
		}
		if !s.fetchNextToken() {
			return false
		}
	}
	s.tokenAvailable = true
	return true
}

// keyValid reports whether a potential simple key can still be one: a
// simple key must be on one line and at most 1024 characters long.
func (s *scanner) keyValid(k *simpleKey) bool {
	if !k.possible {
		return false
	}
	if int(k.m.line) < s.line || int(k.m.col)+1024 < s.col(s.pos) {
		if k.required {
			return s.errAt(k.m, "could not find expected ':' after this key")
		}
		k.possible = false
		return false
	}
	return true
}

func (s *scanner) saveSimpleKey() bool {
	if !s.simpleKeyAllowed {
		return true
	}
	m := s.mark()
	k := simpleKey{
		possible:    true,
		required:    s.flowLevel == 0 && s.indent == int(m.col),
		tokenNumber: s.tokensParsed + len(s.tokens) - s.head,
		m:           m,
	}
	if !s.removeSimpleKey() {
		return false
	}
	s.simpleKeys[len(s.simpleKeys)-1] = k
	return true
}

func (s *scanner) removeSimpleKey() bool {
	k := &s.simpleKeys[len(s.simpleKeys)-1]
	if k.possible {
		if k.required {
			return s.errAt(k.m, "could not find expected ':' after this key")
		}
		k.possible = false
	}
	return true
}

func (s *scanner) increaseFlowLevel() bool {
	s.simpleKeys = append(s.simpleKeys, simpleKey{tokenNumber: s.tokensParsed + len(s.tokens) - s.head})
	s.flowLevel++
	if s.flowLevel > s.maxDepth {
		return s.errHere("nesting exceeds the maximum depth of " + itoa(s.maxDepth))
	}
	return true
}

func (s *scanner) decreaseFlowLevel() {
	if s.flowLevel > 0 {
		s.flowLevel--
		last := len(s.simpleKeys) - 1
		if k := &s.simpleKeys[last-1]; k.tokenNumber == s.simpleKeys[last].tokenNumber {
			k.unguarded = true
		}
		s.simpleKeys = s.simpleKeys[:last]
	}
}

// rollIndent opens a block collection at column if it is deeper than the
// current indentation. number is the token number to insert the start
// token at, or -1 to append it.
func (s *scanner) rollIndent(column, number int, kind tokKind, m mark) bool {
	if s.flowLevel > 0 {
		return true
	}
	if s.indent < column {
		s.indents = append(s.indents, s.indent)
		s.indent = column
		if len(s.indents) > s.maxDepth {
			return s.errAt(m, "nesting exceeds the maximum depth of "+itoa(s.maxDepth))
		}
		if number > -1 {
			number -= s.tokensParsed
		}
		s.insertToken(number, token{kind: kind, m: m})
	}
	return true
}

// unrollIndent closes block collections deeper than column.
func (s *scanner) unrollIndent(column int, m mark) {
	if s.flowLevel > 0 {
		return
	}
	for s.indent > column {
		s.insertToken(-1, token{kind: tBlockEnd, m: m})
		s.indent = s.indents[len(s.indents)-1]
		s.indents = s.indents[:len(s.indents)-1]
	}
}

func (s *scanner) fetchNextToken() bool {
	if s.head > 0 && s.head == len(s.tokens) {
		// The queue is empty: reuse it, and drop the texts it held.
		s.tokens = s.tokens[:0]
		s.head = 0
		clear(s.built)
		s.built = s.built[:0]
	}
	if !s.streamStartProduced {
		s.indent = -1
		s.simpleKeys = append(s.simpleKeys[:0], simpleKey{})
		s.simpleKeyAllowed = true
		s.streamStartProduced = true
		s.insertToken(-1, token{kind: tStreamStart, m: s.mark()})
		return true
	}
	if !s.scanToNextToken() {
		return false
	}
	m := s.mark()
	if s.flowLevel == 0 && s.indent > int(m.col) {
		s.unrollIndent(int(m.col), m)
	}

	if s.pos >= s.end {
		if s.end < len(s.src) {
			return s.invalidChar()
		}
		return s.fetchStreamEnd()
	}
	c := s.src[s.pos]
	if m.col == 0 {
		if c == '%' {
			return s.fetchDirective()
		}
		if (c == '-' || c == '.') && s.at(s.pos+1) == c && s.at(s.pos+2) == c && s.isBlankz(s.pos+3) {
			kind := tDocumentStart
			if c == '.' {
				kind = tDocumentEnd
			}
			return s.fetchDocumentIndicator(kind)
		}
	}
	switch c {
	case '[':
		return s.fetchFlowCollectionStart(tFlowSequenceStart)
	case '{':
		return s.fetchFlowCollectionStart(tFlowMappingStart)
	case ']':
		return s.fetchFlowCollectionEnd(tFlowSequenceEnd)
	case '}':
		return s.fetchFlowCollectionEnd(tFlowMappingEnd)
	case ',':
		return s.fetchFlowEntry()
	case '-':
		if s.isBlankz(s.pos + 1) {
			return s.fetchBlockEntry()
		}
	case '?':
		if s.flowLevel > 0 || s.isBlankz(s.pos+1) {
			return s.fetchKey()
		}
	case ':':
		if s.flowLevel > 0 || s.pos+1 < s.end && s.src[s.pos+1] == ' ' || s.isBlankz(s.pos+1) {
			return s.fetchValue()
		}
	case '*':
		return s.fetchAnchor(tAlias)
	case '&':
		return s.fetchAnchor(tAnchor)
	case '!':
		return s.fetchTag()
	case '|', '>':
		if s.flowLevel == 0 {
			return s.fetchBlockScalar(c == '|')
		}
	case '\'', '"':
		return s.fetchFlowScalar(c == '\'')
	}

	// A plain scalar may start with any non-blank character except the
	// indicators; '-', '?' and ':' may start one when followed by a
	// non-blank ('?' and ':' only in block context).
	switch c {
	case '-':
		if !s.isBlank(s.pos + 1) {
			return s.fetchPlainScalar()
		}
	case '?', ':':
		if s.flowLevel == 0 && !s.isBlankz(s.pos+1) {
			return s.fetchPlainScalar()
		}
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
	case ' ':
	case '\t':
		return s.errHere("found a tab character where indentation or a token is expected (tabs cannot indent YAML)")
	default:
		// Not a blank, and not a line break: scanToNextToken consumed those.
		return s.fetchPlainScalar()
	}
	return s.errHere("found character " + quoteRune(s.src[s.pos:s.end]) + " that cannot start any token")
}

func quoteRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return quoteCap(string(r))
}

// scanToNextToken skips blanks, comments and line breaks. Tabs are skipped
// in flow context and after tokens that do not start a line's content;
// where indentation is expected they are left for fetchNextToken to reject.
func (s *scanner) scanToNextToken() bool {
	src := s.src
	for {
		pos := s.pos
		if pos == s.lineStart && pos+2 < s.end && src[pos] == 0xEF && src[pos+1] == 0xBB && src[pos+2] == 0xBF {
			pos += 3
			s.hiLine = s.line
		}
		tabs := s.flowLevel > 0 || !s.simpleKeyAllowed
		for pos < s.end && (src[pos] == ' ' || tabs && src[pos] == '\t') {
			pos++
		}
		if pos < s.end && src[pos] == '#' {
			pos = s.lineEnd(pos)
		}
		s.pos = pos
		if pos >= s.end {
			return true
		}
		n := 1
		if c := src[pos]; c != '\n' {
			if c != '\r' && c != 0xC2 && c != 0xE2 {
				return true
			}
			if n = s.breakLen(pos); n == 0 {
				return true
			}
		}
		s.pos += n
		s.line++
		s.lineStart = s.pos
		if s.flowLevel == 0 {
			s.simpleKeyAllowed = true
		}
	}
}

func (s *scanner) fetchStreamEnd() bool {
	// Force a new line, as libyaml does; this also makes any pending
	// simple key stale.
	if s.pos != s.lineStart {
		s.line++
		s.lineStart = s.pos
		s.lastMark.pos1 = 0
	}
	m := s.mark()
	s.unrollIndent(-1, m)
	if !s.removeSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = false
	s.insertToken(-1, token{kind: tStreamEnd, m: m})
	return true
}

func (s *scanner) fetchDirective() bool {
	m := s.mark()
	s.unrollIndent(-1, m)
	if !s.removeSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = false
	var t token
	if !s.scanDirective(&t) {
		s.dirErr = true
		return false
	}
	s.insertToken(-1, t)
	return true
}

func (s *scanner) fetchDocumentIndicator(kind tokKind) bool {
	m := s.mark()
	s.unrollIndent(-1, m)
	if !s.removeSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = false
	s.pos += 3
	s.insertToken(-1, token{kind: kind, m: m})
	return true
}

func (s *scanner) fetchFlowCollectionStart(kind tokKind) bool {
	if !s.saveSimpleKey() {
		return false
	}
	m := s.mark()
	if !s.increaseFlowLevel() {
		return false
	}
	s.simpleKeyAllowed = true
	s.pos++
	s.insertToken(-1, token{kind: kind, m: m})
	return true
}

func (s *scanner) fetchFlowCollectionEnd(kind tokKind) bool {
	if !s.removeSimpleKey() {
		return false
	}
	s.decreaseFlowLevel()
	s.simpleKeyAllowed = false
	m := s.mark()
	s.pos++
	s.insertToken(-1, token{kind: kind, m: m})
	return true
}

func (s *scanner) fetchFlowEntry() bool {
	if !s.removeSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = true
	m := s.mark()
	s.pos++
	s.insertToken(-1, token{kind: tFlowEntry, m: m})
	return true
}

func (s *scanner) fetchBlockEntry() bool {
	m := s.mark()
	if s.flowLevel == 0 {
		if !s.simpleKeyAllowed {
			return s.errHere("block sequence entries are not allowed in this context")
		}
		if !s.rollIndent(int(m.col), -1, tBlockSequenceStart, m) {
			return false
		}
	}
	// In flow context '-' is an error, which the parser reports.
	if !s.removeSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = true
	s.pos++
	s.insertToken(-1, token{kind: tBlockEntry, m: m})
	return true
}

func (s *scanner) fetchKey() bool {
	m := s.mark()
	if s.flowLevel == 0 {
		if !s.simpleKeyAllowed {
			return s.errHere("mapping keys are not allowed in this context")
		}
		if !s.rollIndent(int(m.col), -1, tBlockMappingStart, m) {
			return false
		}
	}
	if !s.removeSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = s.flowLevel == 0
	s.pos++
	s.insertToken(-1, token{kind: tKey, m: m})
	return true
}

func (s *scanner) fetchValue() bool {
	k := &s.simpleKeys[len(s.simpleKeys)-1]
	m := s.mark()
	if s.keyValid(k) {
		// The key was a simple key: insert KEY (and maybe
		// BLOCK-MAPPING-START) in front of its first token.
		s.insertToken(k.tokenNumber-s.tokensParsed, token{kind: tKey, m: k.m})
		if !s.rollIndent(int(k.m.col), k.tokenNumber, tBlockMappingStart, k.m) {
			return false
		}
		k.possible = false
		s.simpleKeyAllowed = false
	} else {
		if s.err != nil {
			return false
		}
		// ':' after a complex ('?') key or with an empty key.
		if s.flowLevel == 0 {
			if !s.simpleKeyAllowed {
				return s.errHere("mapping values are not allowed in this context")
			}
			if !s.rollIndent(int(m.col), -1, tBlockMappingStart, m) {
				return false
			}
		}
		s.simpleKeyAllowed = s.flowLevel == 0
	}
	s.pos++
	s.insertToken(-1, token{kind: tValue, m: m})
	return true
}

func (s *scanner) fetchAnchor(kind tokKind) bool {
	if !s.saveSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = false
	m := s.mark()
	s.pos++
	start := s.pos
	for s.pos < s.end && isAlpha(s.src[s.pos]) {
		s.pos++
	}
	name := s.src[start:s.pos]
	ok := s.isBlankz(s.pos)
	if !ok {
		switch s.at(s.pos) {
		case '?', ':', ',', ']', '}', '%', '@', '`':
			ok = true
		}
	}
	if name == "" || !ok {
		what := "alias"
		if kind == tAnchor {
			what = "anchor"
		}
		if s.pos >= s.end && s.end < len(s.src) {
			return s.invalidChar()
		}
		return s.errAt(m, "invalid "+what+" name: only letters, digits, '_' and '-' are allowed")
	}
	s.insertToken(-1, token{kind: kind, m: m, value: s.srcRef(start, s.pos)})
	return true
}

func (s *scanner) fetchTag() bool {
	if !s.saveSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = false
	var t token
	if !s.scanTag(&t) {
		return false
	}
	s.insertToken(-1, t)
	return true
}

func (s *scanner) fetchBlockScalar(literal bool) bool {
	if !s.removeSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = true
	var t token
	if !s.scanBlockScalar(&t, literal) {
		return false
	}
	s.insertToken(-1, t)
	return true
}

func (s *scanner) fetchFlowScalar(single bool) bool {
	if !s.saveSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = false
	var t token
	if !s.scanFlowScalar(&t, single) {
		return false
	}
	s.insertToken(-1, t)
	return true
}

func (s *scanner) fetchPlainScalar() bool {
	if !s.saveSimpleKey() {
		return false
	}
	s.simpleKeyAllowed = false
	// Scan straight into a new queue slot.
	s.tokens = append(s.tokens, token{})
	t := &s.tokens[len(s.tokens)-1]
	if !s.scanPlainScalar(t) {
		s.tokens = s.tokens[:len(s.tokens)-1]
		return false
	}
	// A scalar that ran up to a line break cannot be a simple key any
	// more; saying so now (libyaml finds out on its next check, with the
	// same outcome) spares a token of lookahead. Required keys are left
	// for that check, which reports them.
	if int(t.m.line) < s.line {
		if k := &s.simpleKeys[len(s.simpleKeys)-1]; k.possible && !k.required && k.m.pos == t.m.pos {
			k.possible = false
		}
	}
	return true
}

// ---- directives ----

func (s *scanner) skipBlanks() {
	for s.pos < s.end && (s.src[s.pos] == ' ' || s.src[s.pos] == '\t') {
		s.pos++
	}
}

func (s *scanner) scanDirective(t *token) bool {
	m := s.mark()
	s.pos++
	start := s.pos
	for s.pos < s.end && isAlpha(s.src[s.pos]) {
		s.pos++
	}
	name := s.src[start:s.pos]
	if name == "" {
		return s.errAt(m, "could not find expected directive name")
	}
	if !s.isBlankz(s.pos) {
		return s.errAt(m, "found unexpected non-alphabetical character in directive name")
	}
	switch name {
	case "YAML":
		s.skipBlanks()
		major, ok := s.scanVersionNumber(m)
		if !ok {
			return false
		}
		if s.at(s.pos) != '.' {
			return s.errAt(m, "did not find expected digit or '.' character in %YAML directive")
		}
		s.pos++
		minor, ok := s.scanVersionNumber(m)
		if !ok {
			return false
		}
		*t = token{kind: tVersionDirective, m: m, major: major, minor: minor}
	case "TAG":
		s.skipBlanks()
		handle, ok := s.scanTagHandle(true, m)
		if !ok {
			return false
		}
		if !s.isBlank(s.pos) {
			return s.errAt(m, "did not find expected whitespace in %TAG directive")
		}
		s.skipBlanks()
		prefix, ok := s.scanTagURI(true, "", m)
		if !ok {
			return false
		}
		if !s.isBlankz(s.pos) {
			return s.errAt(m, "did not find expected whitespace or line break in %TAG directive")
		}
		*t = token{kind: tTagDirective, m: m, value: s.builtRef(handle), extra: s.builtRef(prefix)}
	default:
		return s.errAt(m, "found unknown directive name %"+capRaw(name))
	}
	s.skipBlanks()
	if s.at(s.pos) == '#' {
		for !s.isBreakz(s.pos) {
			s.pos++
		}
	}
	if !s.isBreakz(s.pos) {
		return s.errAt(m, "did not find expected comment or line break after directive")
	}
	s.skipLine()
	return true
}

func (s *scanner) scanVersionNumber(m mark) (int8, bool) {
	var v, n int8
	for s.pos < s.end && s.src[s.pos] >= '0' && s.src[s.pos] <= '9' {
		n++
		if n > 2 {
			return 0, s.errAt(m, "found extremely long version number in %YAML directive")
		}
		v = v*10 + int8(s.src[s.pos]-'0')
		s.pos++
	}
	if n == 0 {
		return 0, s.errAt(m, "did not find expected version number in %YAML directive")
	}
	return v, true
}

// ---- tags ----

func (s *scanner) scanTag(t *token) bool {
	m := s.mark()
	var handle, suffix string
	if s.at(s.pos+1) == '<' {
		s.pos += 2
		var ok bool
		if suffix, ok = s.scanTagURI(false, "", m); !ok {
			return false
		}
		if s.at(s.pos) != '>' {
			return s.errAt(m, "did not find the expected '>' in verbatim tag")
		}
		s.pos++
	} else {
		var ok bool
		if handle, ok = s.scanTagHandle(false, m); !ok {
			return false
		}
		if len(handle) > 1 && handle[len(handle)-1] == '!' {
			if suffix, ok = s.scanTagURI(false, "", m); !ok {
				return false
			}
		} else {
			if suffix, ok = s.scanTagURI(false, handle, m); !ok {
				return false
			}
			handle = "!"
			if suffix == "" {
				// The non-specific tag '!'.
				handle, suffix = "", "!"
			}
		}
	}
	if !s.isBlankz(s.pos) {
		if s.pos >= s.end && s.end < len(s.src) {
			return s.invalidChar()
		}
		return s.errAt(m, "did not find expected whitespace or line break after tag")
	}
	*t = token{kind: tTag, m: m, value: s.builtRef(handle), extra: s.builtRef(suffix)}
	return true
}

func (s *scanner) scanTagHandle(directive bool, m mark) (string, bool) {
	if s.at(s.pos) != '!' {
		return "", s.errAt(m, "did not find expected '!' in tag handle")
	}
	start := s.pos
	s.pos++
	for s.pos < s.end && isAlpha(s.src[s.pos]) {
		s.pos++
	}
	if s.at(s.pos) == '!' {
		s.pos++
	} else if directive && s.pos-start != 1 {
		return "", s.errAt(m, "did not find expected '!' in tag handle")
	}
	return s.src[start:s.pos], true
}

func isURIChar(c byte) bool {
	if isAlpha(c) {
		return true
	}
	switch c {
	case ';', '/', '?', ':', '@', '&', '=', '+', '$', ',', '.', '!', '~', '*', '\'', '(', ')', '[', ']', '%':
		return true
	}
	return false
}

// scanTagURI scans the URI part of a tag; head is a tag handle that turned
// out to be part of the URI (its leading '!' is dropped).
func (s *scanner) scanTagURI(directive bool, head string, m mark) (string, bool) {
	start := s.pos
	escaped := false
	for s.pos < s.end && isURIChar(s.src[s.pos]) {
		if s.src[s.pos] == '%' {
			escaped = true
			if !s.skipURIEscape(m) {
				return "", false
			}
			continue
		}
		s.pos++
	}
	if s.pos == start && head == "" {
		return "", s.errAt(m, "did not find expected tag URI")
	}
	raw := s.src[start:s.pos]
	if len(head) > 1 {
		raw = head[1:] + raw
	}
	if !escaped {
		return raw, true
	}
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
			b = append(b, byte(hexVal(raw[i+1])<<4|hexVal(raw[i+2])))
			i += 2
			continue
		}
		b = append(b, raw[i])
	}
	return string(b), true
}

// skipURIEscape validates and skips %XX escapes forming one UTF-8
// character.
func (s *scanner) skipURIEscape(m mark) bool {
	w := 1024
	for w > 0 {
		if !(s.at(s.pos) == '%' && isHex(s.at(s.pos+1)) && isHex(s.at(s.pos+2))) {
			return s.errAt(m, "did not find URI escaped octet in tag")
		}
		octet := byte(hexVal(s.at(s.pos+1))<<4 | hexVal(s.at(s.pos+2)))
		if w == 1024 {
			switch {
			case octet&0x80 == 0:
				w = 1
			case octet&0xE0 == 0xC0:
				w = 2
			case octet&0xF0 == 0xE0:
				w = 3
			case octet&0xF8 == 0xF0:
				w = 4
			default:
				return s.errAt(m, "found an incorrect leading UTF-8 octet in tag")
			}
		} else if octet&0xC0 != 0x80 {
			return s.errAt(m, "found an incorrect trailing UTF-8 octet in tag")
		}
		s.pos += 3
		w--
	}
	return true
}

// ---- scalars ----

// scanBlockScalar scans a literal (|) or folded (>) scalar.
func (s *scanner) scanBlockScalar(t *token, literal bool) bool {
	m := s.mark()
	s.pos++
	chomping, increment := 0, 0
	if c := s.at(s.pos); c == '+' || c == '-' {
		chomping = 1
		if c == '-' {
			chomping = -1
		}
		s.pos++
		if c := s.at(s.pos); c >= '0' && c <= '9' {
			if c == '0' {
				return s.errAt(m, "found an indentation indicator equal to 0 in block scalar")
			}
			increment = int(c - '0')
			s.pos++
		}
	} else if c >= '0' && c <= '9' {
		if c == '0' {
			return s.errAt(m, "found an indentation indicator equal to 0 in block scalar")
		}
		increment = int(c - '0')
		s.pos++
		if c := s.at(s.pos); c == '+' || c == '-' {
			chomping = 1
			if c == '-' {
				chomping = -1
			}
			s.pos++
		}
	}
	s.skipBlanks()
	if s.at(s.pos) == '#' {
		for !s.isBreakz(s.pos) {
			s.pos++
		}
	}
	if !s.isBreakz(s.pos) {
		if s.pos >= s.end && s.end < len(s.src) {
			return s.invalidChar()
		}
		return s.errAt(m, "did not find expected comment or line break after block scalar indicator")
	}
	s.skipLine()

	indent := 0
	if increment > 0 {
		if s.indent >= 0 {
			indent = s.indent + increment
		} else {
			indent = increment
		}
	}

	// content is built in buf; leading (the last line break read) and
	// trailing (the empty lines after it) are kept apart for chomping and
	// folding.
	b := s.buf[:0]
	leading := s.buf2[:0]
	trailing := s.buf3[:0]
	var ok bool
	if trailing, ok = s.blockScalarBreaks(&indent, trailing, m); !ok {
		return false
	}
	leadingBlank, trailingBlank := false, false
	src := s.src
	for s.pos-s.lineStart == indent && s.pos < s.end {
		// A non-empty line at the scalar's indentation.
		trailingBlank = s.isBlank(s.pos)
		if !literal && !leadingBlank && !trailingBlank && len(leading) > 0 && leading[0] == '\n' {
			if len(trailing) == 0 {
				b = append(b, ' ')
			}
		} else {
			b = append(b, leading...)
		}
		leading = leading[:0]
		b = append(b, trailing...)
		trailing = trailing[:0]
		leadingBlank = s.isBlank(s.pos)

		start := s.pos
		pos := s.lineEnd(start)
		b = append(b, src[start:pos]...)
		s.pos = pos
		leading = s.readLine(leading)
		if trailing, ok = s.blockScalarBreaks(&indent, trailing, m); !ok {
			return false
		}
	}
	if chomping != -1 {
		b = append(b, leading...)
	}
	if chomping == 1 {
		b = append(b, trailing...)
	}
	style := LiteralStyle
	if !literal {
		style = FoldedStyle
	}
	*t = token{kind: tScalar, style: style, m: m, value: s.builtRef(string(b))}
	s.buf, s.buf2, s.buf3 = b, leading, trailing
	return true
}

// blockScalarBreaks consumes indentation and empty lines of a block
// scalar, determining its indentation if not yet known.
func (s *scanner) blockScalarBreaks(indent *int, breaks []byte, m mark) ([]byte, bool) {
	maxIndent := 0
	for {
		for (*indent == 0 || s.pos-s.lineStart < *indent) && s.at(s.pos) == ' ' {
			s.pos++
		}
		if c := s.pos - s.lineStart; c > maxIndent {
			maxIndent = c
		}
		if (*indent == 0 || s.pos-s.lineStart < *indent) && s.at(s.pos) == '\t' {
			return breaks, s.errHere("found a tab character where indentation is expected in a block scalar")
		}
		if !s.isBreak(s.pos) {
			break
		}
		breaks = s.readLine(breaks)
	}
	if *indent == 0 {
		*indent = maxIndent
		if *indent < s.indent+1 {
			*indent = s.indent + 1
		}
		if *indent < 1 {
			*indent = 1
		}
	}
	return breaks, true
}

// scanFlowScalar scans a single- or double-quoted scalar. Quoted scalars
// on one line without escapes are returned as substrings of the input.
func (s *scanner) scanFlowScalar(t *token, single bool) bool {
	m := s.mark()
	src := s.src
	style := DoubleQuotedStyle
	if single {
		style = SingleQuotedStyle
	}
	// Fast path.
	i := s.pos + 1
	for i < s.end {
		c := src[i]
		if c == '\'' && single {
			if i+1 < s.end && src[i+1] == '\'' {
				break
			}
			*t = token{kind: tScalar, style: style, m: m, value: s.srcRef(s.pos+1, i)}
			s.pos = i + 1
			return true
		}
		if c == '"' && !single {
			*t = token{kind: tScalar, style: style, m: m, value: s.srcRef(s.pos+1, i)}
			s.pos = i + 1
			return true
		}
		if c == '\\' && !single || c == '\n' || c == '\r' {
			break
		}
		if c >= 0x80 {
			if (c == 0xC2 || c == 0xE2) && s.breakLen(i) != 0 {
				break
			}
			s.hiLine = s.line
		}
		i++
	}
	return s.scanFlowScalarSlow(t, single, m)
}

func (s *scanner) scanFlowScalarSlow(t *token, single bool, m mark) bool {
	s.pos++
	b := s.buf[:0]
	leading := s.buf2[:0]
	trailing := s.buf3[:0]
	for {
		if s.pos == s.lineStart && s.pos+3 <= s.end {
			if c := s.src[s.pos]; (c == '-' || c == '.') && s.src[s.pos+1] == c && s.src[s.pos+2] == c && s.isBlankz(s.pos+3) {
				return s.errAt(m, "quoted scalar is not closed before a document marker on line "+itoa(s.line+1))
			}
		}
		if s.pos >= s.end {
			return s.endOfInput(m, "quoted scalar is not closed (reached end of input)")
		}
		leadingBlanks := false
		for !s.isBlankz(s.pos) {
			c := s.src[s.pos]
			if single && c == '\'' {
				if s.at(s.pos+1) == '\'' {
					b = append(b, '\'')
					s.pos += 2
					continue
				}
				break
			}
			if !single && c == '"' {
				break
			}
			if !single && c == '\\' {
				if s.isBreak(s.pos + 1) {
					s.pos++
					s.skipLine()
					leadingBlanks = true
					break
				}
				codeLen := 0
				switch s.at(s.pos + 1) {
				case '0':
					b = append(b, 0)
				case 'a':
					b = append(b, '\a')
				case 'b':
					b = append(b, '\b')
				case 't', '\t':
					b = append(b, '\t')
				case 'n':
					b = append(b, '\n')
				case 'v':
					b = append(b, '\v')
				case 'f':
					b = append(b, '\f')
				case 'r':
					b = append(b, '\r')
				case 'e':
					b = append(b, 0x1B)
				case ' ':
					b = append(b, ' ')
				case '"':
					b = append(b, '"')
				case '\'':
					b = append(b, '\'')
				case '\\':
					b = append(b, '\\')
				case 'N':
					b = append(b, 0xC2, 0x85)
				case '_':
					b = append(b, 0xC2, 0xA0)
				case 'L':
					b = append(b, 0xE2, 0x80, 0xA8)
				case 'P':
					b = append(b, 0xE2, 0x80, 0xA9)
				case 'x':
					codeLen = 2
				case 'u':
					codeLen = 4
				case 'U':
					codeLen = 8
				default:
					if s.pos+1 >= s.end && s.end < len(s.src) {
						return s.invalidChar()
					}
					return s.errHere("found unknown escape character " + quoteRune(s.src[s.pos+1:s.end]) + " in double-quoted scalar")
				}
				s.pos += 2
				if codeLen > 0 {
					v := 0
					for k := 0; k < codeLen; k++ {
						if !isHex(s.at(s.pos + k)) {
							return s.errHere("did not find expected hexadecimal number in escape sequence")
						}
						v = v<<4 + hexVal(s.at(s.pos+k))
					}
					if v >= 0xD800 && v <= 0xDFFF && codeLen == 4 && s.jsonEscapes {
						b, s.pos = s.appendSurrogate(b, v, s.pos+codeLen)
						continue
					}
					if v >= 0xD800 && v <= 0xDFFF || v > 0x10FFFF {
						return s.errHere("found invalid Unicode character escape code")
					}
					b = utf8.AppendRune(b, rune(v))
					s.pos += codeLen
				}
				continue
			}
			start := s.pos
			s.skipChar()
			b = append(b, s.src[start:s.pos]...)
		}
		if s.pos >= s.end {
			return s.endOfInput(m, "quoted scalar is not closed (reached end of input)")
		}
		if c := s.src[s.pos]; single && c == '\'' || !single && c == '"' {
			break
		}
		// Blanks and line breaks: trailing blanks of a line are dropped,
		// a single line break folds into a space, more breaks are kept.
		wsStart, wsEnd := -1, -1
		for {
			if s.isBlank(s.pos) {
				if !leadingBlanks {
					if wsStart < 0 {
						wsStart = s.pos
					}
					wsEnd = s.pos + 1
				}
				s.pos++
			} else if s.isBreak(s.pos) {
				if !leadingBlanks {
					wsStart, wsEnd = -1, -1
					leading = s.readLine(leading[:0])
					leadingBlanks = true
				} else {
					trailing = s.readLine(trailing)
				}
			} else {
				break
			}
		}
		if leadingBlanks {
			if len(leading) > 0 && leading[0] == '\n' {
				if len(trailing) == 0 {
					b = append(b, ' ')
				} else {
					b = append(b, trailing...)
				}
			} else {
				b = append(b, leading...)
				b = append(b, trailing...)
			}
			leading = leading[:0]
			trailing = trailing[:0]
		} else if wsStart >= 0 {
			b = append(b, s.src[wsStart:wsEnd]...)
		}
	}
	s.pos++
	style := DoubleQuotedStyle
	if single {
		style = SingleQuotedStyle
	}
	*t = token{kind: tScalar, style: style, m: m, value: s.builtRef(string(b))}
	s.buf, s.buf2, s.buf3 = b, leading, trailing
	return true
}

// plainStop marks bytes that need a closer look while scanning a plain
// scalar.
var plainStop = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n:,?[]{}") {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return
}()

// scanPlainScalar scans an unquoted scalar, folding continuation lines.
// One-line scalars are substrings of the input.
func (s *scanner) scanPlainScalar(t *token) bool {
	src := s.src
	end := s.end
	m := s.mark()
	indent := s.indent + 1
	flow := s.flowLevel > 0
	start := s.pos
	endPos := start
	building := false
	b := s.buf[:0]
	leading := s.buf2[:0]
	trailing := s.buf3[:0]
	leadingBlanks := false
	wsStart := -1
	for {
		pos := s.pos
		if pos == s.lineStart && pos+3 <= end {
			if c := src[pos]; (c == '-' || c == '.') && src[pos+1] == c && src[pos+2] == c && s.isBlankz(pos+3) {
				break
			}
		}
		if pos < end && src[pos] == '#' {
			break
		}
		chunk := pos
	scan:
		for pos < end {
			if !flow {
				// Skip eight ASCII bytes at a time while none is a blank,
				// a line break or ':' (exact per-byte masks).
				for pos+8 <= end {
					w := uint64(src[pos]) | uint64(src[pos+1])<<8 | uint64(src[pos+2])<<16 | uint64(src[pos+3])<<24 |
						uint64(src[pos+4])<<32 | uint64(src[pos+5])<<40 | uint64(src[pos+6])<<48 | uint64(src[pos+7])<<56
					const lo7, hi, ones = 0x7F7F7F7F7F7F7F7F, 0x8080808080808080, 0x0101010101010101
					if w&hi != 0 {
						break
					}
					x := w ^ (':' * ones)
					stop := (w+0x5F5F5F5F5F5F5F5F)&hi ^ hi | ^((x&lo7)+lo7|x)&hi
					if stop != 0 {
						pos += bits.TrailingZeros64(stop) >> 3
						break
					}
					pos += 8
				}
				if pos >= end {
					break
				}
			}
			c := src[pos]
			if !plainStop[c] {
				pos++
				continue
			}
			switch c {
			case ' ', '\t', '\r', '\n':
				break scan
			case ':':
				if pos+1 >= end {
					break scan
				}
				switch c1 := src[pos+1]; c1 {
				case ' ', '\n', '\t', '\r':
					break scan
				case 0xC2, 0xE2:
					if s.breakLen(pos+1) != 0 {
						break scan
					}
				}
			case ',', '?', '[', ']', '{', '}':
				if flow {
					break scan
				}
			default:
				if (c == 0xC2 || c == 0xE2) && s.breakLen(pos) != 0 {
					break scan
				}
				s.hiLine = s.line
			}
			pos++
		}
		if pos > chunk {
			if leadingBlanks {
				if !building {
					b = append(b, src[start:endPos]...)
					building = true
				}
				if leading[0] == '\n' {
					if len(trailing) == 0 {
						b = append(b, ' ')
					} else {
						b = append(b, trailing...)
					}
				} else {
					b = append(b, leading...)
					b = append(b, trailing...)
				}
				leading = leading[:0]
				trailing = trailing[:0]
				leadingBlanks = false
			} else if building && wsStart >= 0 {
				b = append(b, src[wsStart:chunk]...)
			}
			wsStart = -1
			if building {
				b = append(b, src[chunk:pos]...)
			}
			endPos = pos
		}
		// Blanks and line breaks; what follows decides whether the scalar
		// continues.
		consumed := false
		for pos < end {
			c := src[pos]
			if c == ' ' || c == '\t' {
				if leadingBlanks && c == '\t' && pos-s.lineStart < indent {
					s.pos = pos
					return s.errHere("found a tab character that violates indentation (tabs cannot indent YAML)")
				}
				if !leadingBlanks && wsStart < 0 {
					wsStart = pos
				}
				pos++
				consumed = true
				continue
			}
			if c != '\n' && c != '\r' && c != 0xC2 && c != 0xE2 {
				break
			}
			s.pos = pos
			if c >= 0x80 && s.breakLen(pos) == 0 {
				break
			}
			if !leadingBlanks {
				wsStart = -1
				leading = s.readLine(leading)
				leadingBlanks = true
			} else {
				trailing = s.readLine(trailing)
			}
			pos = s.pos
			consumed = true
		}
		s.pos = pos
		if !consumed {
			break
		}
		if !flow && leadingBlanks && pos-s.lineStart < indent {
			break
		}
	}
	var v strRef
	if building {
		v = s.builtRef(string(b))
	} else {
		v = s.srcRef(start, endPos)
	}
	*t = token{kind: tScalar, style: PlainStyle, m: m, value: v}
	if building || cap(leading) != cap(s.buf2) || cap(trailing) != cap(s.buf3) {
		s.buf, s.buf2, s.buf3 = b, leading, trailing
	}
	if leadingBlanks {
		s.simpleKeyAllowed = true
	}
	return true
}

func itoa(i int) string { return strconv.Itoa(i) }

// appendSurrogate appends, as encoding/json decodes it, the UTF-16 surrogate v escaped just
// before pos: with the low surrogate escaped right after a high one, the character the pair
// encodes; else U+FFFD. It returns the position after what it read.
func (s *scanner) appendSurrogate(b []byte, v, pos int) ([]byte, int) {
	if v < 0xDC00 && s.at(pos) == '\\' && s.at(pos+1) == 'u' {
		w := 0
		for k := 0; k < 4; k++ {
			c := s.at(pos + 2 + k)
			if !isHex(c) {
				return utf8.AppendRune(b, utf8.RuneError), pos
			}
			w = w<<4 + hexVal(c)
		}
		if w >= 0xDC00 && w <= 0xDFFF {
			return utf8.AppendRune(b, utf16.DecodeRune(rune(v), rune(w))), pos + 6
		}
	}
	return utf8.AppendRune(b, utf8.RuneError), pos
}
