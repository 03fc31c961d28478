// Package jsondoc reads JSON documents strictly and checks them against a
// JSON Schema (draft 2020-12, santhosh-tekuri/jsonschema): invalid UTF-8,
// syntax errors and duplicate keys are reported at their line and column,
// each schema violation as one issue at its JSON pointer in plain words
// (messages.go, with the schema's "x-allowed" hint). Defaults fill in what a
// document leaves out, and [Schema.Check] repairs what it reports, so that
// checks of the rest can go on.
package jsondoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Issue is one problem of a document.
type Issue struct {
	// Path is the JSON pointer of the offending value ("" for the document).
	Path string
	// Value is the offending value as JSON, or "" when it is an object or
	// array, or missing.
	Value string
	// Message says what is wrong and what is allowed.
	Message string
	// Affects are the JSON pointers of the values the issue leaves
	// unknown (the offending value, a missing property, a key given twice,
	// the property an unknown one probably misspells); checks that read
	// them must not run.
	Affects []string

	// remove: Path is a member to take out of its object; required: Path
	// is a missing required property.
	remove, required bool
}

// Read decodes data, which must be UTF-8 JSON holding one object (else the
// document is nil), with numbers as json.Number, and reports every key given
// twice in one object (see duplicateKeys); the document then holds the last
// value of each.
func Read(data []byte) (map[string]any, []Issue) {
	if !utf8.Valid(data) {
		return nil, []Issue{{Message: "not valid UTF-8: " + describeInvalidUTF8(data) + "; save the file as UTF-8"}}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, []Issue{{Message: "not valid JSON: " + describeSyntaxError(data, err)}}
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, []Issue{{Message: "the document must be a JSON object"}}
	}
	return root, duplicateKeys(data)
}

// Schema is a compiled JSON Schema.
type Schema struct {
	doc      map[string]any
	compiled *jsonschema.Schema
	// formats are Compile's, whose errors are whole messages.
	formats map[string]func(any) error
}

// Compile compiles the schema raw, known as url, asserting formats; formats
// adds custom ones by name, whose errors are messages about the value.
func Compile(url string, raw []byte, formats map[string]func(any) error) (*Schema, error) {
	// Read as documents are (json.Number), so that defaults copied into a
	// document are numbers of its kind.
	doc, issues := Read(raw)
	if len(issues) > 0 {
		return nil, fmt.Errorf("%s: %s", url, issues[0].Message)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for name, check := range formats {
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: check})
	}
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	compiled, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("%s does not compile: %w", url, err)
	}
	return &Schema{doc: doc, compiled: compiled, formats: formats}, nil
}

// Doc is the schema as plain JSON (for documentation generated from it).
func (s *Schema) Doc() map[string]any { return s.doc }

// describeInvalidUTF8 locates the first byte that is not UTF-8.
func describeInvalidUTF8(data []byte) string {
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	line, col := position(data, i)
	return fmt.Sprintf("line %d, column %d: byte 0x%02x", line, col, data[i])
}

// position returns the line and column (in bytes, from 1) of offset.
func position(data []byte, offset int) (line, col int) {
	line, col = 1, 1
	for _, b := range data[:min(max(offset, 0), len(data))] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// duplicateKeys reports every key that appears twice in one object, at any
// depth, of valid JSON data. Decoders keep the last value silently, so a
// second "production": false would make production a development
// environment.
func duplicateKeys(data []byte) []Issue {
	var problems []Issue
	seen := map[int]map[string]int{} // object -> key -> line of its first appearance
	// A syntax error ends the walk; the parser has reported it already.
	_ = Keys(data, func(k Key) {
		key := k.Path[len(k.Path)-1]
		line, _ := position(data, int(k.Offset))
		if first, dup := seen[k.Object][key]; dup {
			problems = append(problems, Issue{Path: Pointer(k.Path), Affects: []string{Pointer(k.Path)}, Message: fmt.Sprintf(
				"duplicate key: %q appears at line %d and again at line %d of the same object; JSON readers keep only one of them silently, so give each key once", key, first, line)})
			return
		}
		if seen[k.Object] == nil {
			seen[k.Object] = map[string]int{}
		}
		seen[k.Object][key] = line
	})
	return problems
}

// Key is one member key of an object in a JSON document.
type Key struct {
	// Object numbers the objects in document order from 0 (paths do not
	// tell them apart: a key given twice can hold two at one path).
	Object int
	// Path is the member's JSON pointer as tokens.
	Path []string
	// Offset is the byte offset just after the key.
	Offset int64
}

// Keys calls fn for every member key of every object in data, one JSON
// value, in document order, which decoded maps lose. A syntax error ends
// the walk and is returned.
func Keys(data []byte, fn func(Key)) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	objects := 0
	var value func(path []string) error
	value = func(path []string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			id := objects
			objects++
			for dec.More() {
				if tok, err = dec.Token(); err != nil {
					return err
				}
				key, _ := tok.(string)
				at := append(slices.Clip(path), key)
				fn(Key{Object: id, Path: at, Offset: dec.InputOffset()})
				if err := value(at); err != nil {
					return err
				}
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := value(append(slices.Clip(path), strconv.Itoa(i))); err != nil {
					return err
				}
			}
		default:
			return nil
		}
		_, err = dec.Token() // the closing '}' or ']'
		return err
	}
	return value(nil)
}

// describeSyntaxError turns a decoding error into "line L, column C: ..."
// (io.ErrUnexpectedEOF has no offset and stays as it is).
func describeSyntaxError(data []byte, err error) string {
	serr, ok := errors.AsType[*json.SyntaxError](err)
	if !ok {
		return err.Error()
	}
	// The offset counts the offending byte; report that byte's position.
	line, col := position(data, int(serr.Offset)-1)
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// Pointer joins tokens into a JSON pointer ("/a/0/b").
func Pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapeToken.Replace(t))
	}
	return b.String()
}

// escapeToken and unescapeToken write and read the tokens of a JSON
// pointer (RFC 6901).
var (
	escapeToken   = strings.NewReplacer("~", "~0", "/", "~1")
	unescapeToken = strings.NewReplacer("~1", "/", "~0", "~")
)

// Closest returns the candidate nearest to word by case-insensitive edit
// distance if it is a likely misspelling (at most two edits, or a third of
// the word's letters), else "".
func Closest(word string, candidates []string) string {
	best, bestDist := "", max(2, len(word)/3)+1
	for _, c := range candidates {
		if d := distance(strings.ToLower(word), strings.ToLower(c)); d < bestDist || (d == bestDist && best != "" && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the optimal string alignment distance between a and b, in
// bytes: insertions, deletions, substitutions and swaps of neighbours.
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// at returns the subschema at url ("...#/properties/x"; "...#" is the
// whole schema), or nil.
func (s *Schema) at(url string) map[string]any {
	_, frag, ok := strings.Cut(url, "#")
	if !ok {
		return nil
	}
	m, _ := valueAt(s.doc, parsePointer(frag)).(map[string]any)
	return m
}
