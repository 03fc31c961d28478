package jsondoc

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	cases := []struct {
		name, data, want string
		document         bool
	}{
		{"duplicate key", "{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}}", "/b/c|duplicate key: \"c\" appears at line 2 and again at line 2", true},
		{"duplicate key holding objects", "{\"a\": {\"c\": 1},\n \"a\": {\"c\": 2}}", "/a|duplicate key: \"a\" appears at line 1 and again at line 2", true},
		{"invalid UTF-8", "{\"a\": \"caf\xe9\"}", "|not valid UTF-8: line 1, column 11: byte 0xe9", false},
		{"syntax", "{\"a\": }", "|not valid JSON: line 1, column 7", false},
		{"not an object", "[1]", "|the document must be a JSON object", false},
	}
	for _, c := range cases {
		doc, issues := Read([]byte(c.data))
		path, msg, _ := strings.Cut(c.want, "|")
		if len(issues) != 1 || issues[0].Path != path || !strings.Contains(issues[0].Message, msg) {
			t.Errorf("%s: %+v, want %s at %q", c.name, issues, msg, path)
		}
		// A document with a key given twice is still read, so that the
		// rest of it can be checked; the key's value is unknown.
		if (doc != nil) != c.document {
			t.Errorf("%s: document %v", c.name, doc)
		}
		if c.document && !slices.Equal(issues[0].Affects, []string{path}) {
			t.Errorf("%s: affects %v, want [%s]", c.name, issues[0].Affects, path)
		}
	}
	if doc, issues := Read([]byte(`{"a": {"b": 1}, "c": {"b": 2}}`)); len(issues) != 0 || doc == nil {
		t.Errorf("the same key in different objects: %+v", issues)
	}
}

// testSchema uses every keyword that messages.go words.
const testSchema = `{
  "type": "object", "additionalProperties": false, "required": ["budget"],
  "properties": {
    "size": {"type": "integer", "minimum": 1, "maximum": 9, "default": 3, "x-allowed": "a whole number, 1 to 9"},
    "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "multipleOf": 0.25},
    "flag": {"type": "boolean", "default": false},
    "mode": {"enum": ["Allow", "Deny"], "default": "Deny"},
    "kind": {"const": "node"},
    "name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 5, "x-allowed": "2 to 5 lower-case letters"},
    "code": {"type": "string", "pattern": "^[0-9]+$"},
    "mail": {"type": "string", "format": "email"},
    "address": {"type": "string", "format": "ipv4"},
    "id": {"type": "string", "format": "uuid"},
    "even": {"type": "integer", "format": "even"},
    "list": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": {"type": "string"}, "default": ["a"]},
    "labels": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$", "x-allowed": "lower-case letters"}, "additionalProperties": {"type": "string"}, "minProperties": 1, "maxProperties": 2},
    "inner": {"type": "object", "default": {}, "additionalProperties": false, "properties": {"mode": {"enum": ["a", "b"], "default": "a"}, "level": {"type": "integer", "default": 2}}},
    "budget": {"description": "Monthly cost budget.", "type": "object", "required": ["amount"], "examples": [{"amount": 50}], "properties": {"amount": {"type": "number"}}}
  }}`

func compileTest(t *testing.T) *Schema {
	t.Helper()
	s, err := Compile("test.json", []byte(testSchema), map[string]func(any) error{"even": func(v any) error {
		// Documents from Read hold json.Number.
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil && i%2 != 0 {
				return errOdd
			}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// check reads and checks one document.
func check(t *testing.T, s *Schema, data string) (map[string]any, []Issue) {
	t.Helper()
	doc, issues := Read([]byte(data))
	if len(issues) > 0 {
		t.Fatalf("%s: %+v", data, issues)
	}
	issues, err := s.Check(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, issues
}

func TestDefaults(t *testing.T) {
	doc, issues := check(t, compileTest(t), `{"budget": {"amount": 5}}`)
	if len(issues) != 0 {
		t.Fatalf("defaults: %v", issues)
	}
	if inner, _ := doc["inner"].(map[string]any); inner["mode"] != "a" || doc["size"] == nil {
		t.Errorf("defaults not applied: %v", doc)
	}
}

// TestMessages: each keyword's violation, in words, at the right path, with
// the value and the schema's hint.
func TestMessages(t *testing.T) {
	s := compileTest(t)
	for _, c := range []struct {
		keyword, doc, path, value, message string
	}{
		{"type", `{"flag": "yes"}`, "/flag", `"yes"`, "must be true or false, not a string (text in quotes)"},
		{"type (a number in quotes)", `{"size": "4"}`, "/size", `"4"`, "must be a whole number, not a string (text in quotes); write 4 without quotes; allowed: a whole number, 1 to 9"},
		{"type (a fraction)", `{"size": 2.5}`, "/size", "2.5", "must be a whole number; allowed: a whole number, 1 to 9"},
		{"enum", `{"mode": "deny"}`, "/mode", `"deny"`, `must be one of "Allow", "Deny" (did you mean "Deny"?)`},
		{"enum (no likely value)", `{"mode": "Open"}`, "/mode", `"Open"`, `must be one of "Allow", "Deny"`},
		{"const", `{"kind": "pod"}`, "/kind", `"pod"`, `must be "node"`},
		{"format", `{"mail": "ops-at-example.com"}`, "/mail", `"ops-at-example.com"`, "is not an e-mail address such as ops@example.com (missing @)"},
		{"format ipv4", `{"address": "10.0.0"}`, "/address", `"10.0.0"`, "is not an IPv4 address such as 192.0.2.10 (expected four decimals)"},
		{"format uuid", `{"id": "x"}`, "/id", `"x"`, "is not a UUID such as 00000000-0000-0000-0000-000000000000 (8-4-4-4-12 hexadecimal digits) (must have 5 elements)"},
		{"format (custom)", `{"even": 3}`, "/even", "3", "is odd"},
		{"pattern", `{"name": "AB1"}`, "/name", `"AB1"`, "must be 2 to 5 lower-case letters"},
		{"pattern without a hint", `{"code": "x"}`, "/code", `"x"`, `must match the regular expression "^[0-9]+$"`},
		{"minimum", `{"size": 0}`, "/size", "0", "must be at least 1; allowed: a whole number, 1 to 9"},
		{"maximum", `{"size": 10}`, "/size", "10", "must be at most 9; allowed: a whole number, 1 to 9"},
		{"exclusiveMinimum", `{"ratio": 0}`, "/ratio", "0", "must be more than 0"},
		{"exclusiveMaximum", `{"ratio": 1}`, "/ratio", "1", "must be less than 1"},
		{"multipleOf", `{"ratio": 0.3}`, "/ratio", "0.3", "must be a multiple of 0.25"},
		{"minLength", `{"name": "a"}`, "/name", `"a"`, "has 1 character; at least 2 characters needed"},
		{"maxLength", `{"name": "abcdef"}`, "/name", `"abcdef"`, "has 6 characters; at most 5 characters allowed"},
		{"minItems", `{"list": []}`, "/list", "", "lists 0 entries; at least 1 entry needed"},
		{"maxItems", `{"list": ["a", "b", "c"]}`, "/list", "", "lists 3 entries; at most 2 entries allowed"},
		{"uniqueItems", `{"list": ["a", "a"]}`, "/list/1", `"a"`, "repeats /list/0; list each value once"},
		{"minProperties", `{"labels": {}}`, "/labels", "", "has 0 fields; at least 1 field needed"},
		{"maxProperties", `{"labels": {"a": "1", "b": "2", "c": "3"}}`, "/labels", "", "has 3 fields; at most 2 fields allowed"},
		{"propertyNames", `{"labels": {"Bad": "1"}}`, "/labels/Bad", "", `"Bad" is not an allowed name; allowed: lower-case letters`},
		{"additionalProperties", `{"sise": 4}`, "/sise", "4", `unknown field; did you mean "size"?`},
		{"additionalProperties (nested, no likely field)", `{"inner": {"colour": "red"}}`, "/inner/colour", `"red"`, "unknown field; the fields here are level, mode"},
	} {
		t.Run(c.keyword, func(t *testing.T) {
			data := c.doc
			if !strings.Contains(data, "budget") {
				data = strings.Replace(data, "{", `{"budget": {"amount": 5}, `, 1)
			}
			_, issues := check(t, s, data)
			if len(issues) != 1 {
				t.Fatalf("want one issue, got %+v", issues)
			}
			is := issues[0]
			if is.Path != c.path || is.Value != c.value || is.Message != c.message {
				t.Errorf("got  %s = %s: %s\nwant %s = %s: %s", is.Path, is.Value, is.Message, c.path, c.value, c.message)
			}
		})
	}
	t.Run("required", func(t *testing.T) {
		_, issues := check(t, s, `{}`)
		want := `missing; it is required: monthly cost budget; add for example "budget": {"amount": 50}`
		if len(issues) != 1 || issues[0].Path != "/budget" || issues[0].Message != want {
			t.Errorf("got %+v\nwant /budget: %s", issues, want)
		}
	})
	t.Run("a misspelt required field is reported once", func(t *testing.T) {
		_, issues := check(t, s, `{"budgte": {"amount": 5}}`)
		if len(issues) != 1 || issues[0].Path != "/budgte" || !strings.Contains(issues[0].Message, `did you mean "budget"?`) {
			t.Errorf("got %+v", issues)
		}
	})
}

// TestCheckRepairs: after Check the document holds only values of the
// schema's types, the valid ones as written, and the issues say which were
// replaced.
func TestCheckRepairs(t *testing.T) {
	doc, issues := check(t, compileTest(t), `{"size": "big", "mode": "x", "name": 5, "list": ["a", 1], "labels": {"Bad": "1", "ok": "2"}, "sise": 2, "inner": {"levle": 7, "mode": "b"}, "ratio": 0.5}`) //nolint:misspell // "levle" misspells "level" on purpose: a key to repair
	affected := map[string]bool{}
	for _, is := range issues {
		for _, p := range is.Affects {
			affected[p] = true
		}
	}
	for _, p := range []string{"/size", "/mode", "/name", "/list/1", "/labels/Bad", "/sise", "/budget", "/inner/level", "/inner/levle"} { //nolint:misspell // "levle" misspells "level" on purpose: a key to repair
		if !affected[p] {
			t.Errorf("%s is not among the affected values %v", p, affected)
		}
	}
	for _, p := range []string{"/ratio", "/inner/mode", "/labels/ok", "/list/0", "/flag"} {
		if affected[p] {
			t.Errorf("%s is valid, yet affected", p)
		}
	}
	got, _ := json.Marshal(doc)
	want := `{"budget":{},"flag":false,"inner":{"level":2,"mode":"b"},"labels":{"ok":"2"},"list":["a",""],"mode":"Deny","name":"","ratio":0.5,"size":3}`
	if string(got) != want {
		t.Errorf("repaired document\n got %s\nwant %s", got, want)
	}
}

type oddError struct{}

func (oddError) Error() string { return "is odd" }

var errOdd = oddError{}

func TestClosest(t *testing.T) {
	fields := []string{"nodeCount", "emails", "version", "vmSize", "storageSize"}
	for word, want := range map[string]string{
		"nodeCuont": "nodeCount", "emial": "emails", "verison": "version", "VMsize": "vmSize", //nolint:misspell // misspellings on purpose
		"storage": "", "region": "", "x": "",
	} {
		if got := Closest(word, fields); got != want {
			t.Errorf("Closest(%q) = %q, want %q", word, got, want)
		}
	}
}

// A schema is read as strictly as a document: a key given twice would
// silently drop one of its definitions.
func TestCompileRefusesADuplicateKey(t *testing.T) {
	_, err := Compile("dup.json", []byte(`{"properties": {"a": {"type": "string"}, "a": {"type": "integer"}}}`), nil)
	if err == nil || !strings.Contains(err.Error(), `duplicate key: "a"`) {
		t.Fatalf("Compile = %v, want a duplicate key error", err)
	}
}
