package jsondoc

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	cases := []struct {
		name, data, want string
	}{
		{"duplicate key", "{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}}", "/b/c|duplicate key: \"c\" appears at line 2 and again at line 2"},
		{"duplicate key holding objects", "{\"a\": {\"c\": 1},\n \"a\": {\"c\": 2}}", "/a|duplicate key: \"a\" appears at line 1 and again at line 2"},
		{"invalid UTF-8", "{\"a\": \"caf\xe9\"}", "|not valid UTF-8: line 1, column 11: byte 0xe9"},
		{"syntax", "{\"a\": }", "|not valid JSON: line 1, column 7"},
		{"not an object", "[1]", "|the document must be a JSON object"},
	}
	for _, c := range cases {
		_, issues := Read([]byte(c.data))
		path, msg, _ := strings.Cut(c.want, "|")
		if len(issues) != 1 || issues[0].Path != path || !strings.Contains(issues[0].Message, msg) {
			t.Errorf("%s: %+v, want %s at %q", c.name, issues, msg, path)
		}
	}
	if doc, issues := Read([]byte(`{"a": {"b": 1}, "c": {"b": 2}}`)); len(issues) != 0 || doc == nil {
		t.Errorf("the same key in different objects: %+v", issues)
	}
}

func TestSchema(t *testing.T) {
	s, err := Compile("test.json", []byte(`{
	  "type": "object", "additionalProperties": false,
	  "properties": {
	    "size": {"type": "integer", "minimum": 1, "default": 3, "x-allowed": "a whole number, 1 or more"},
	    "inner": {"type": "object", "default": {}, "properties": {"mode": {"enum": ["a", "b"], "default": "a"}}},
	    "even": {"type": "integer", "format": "even"}
	  }}`), map[string]func(any) error{"even": func(v any) error {
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
	doc, _ := Read([]byte(`{}`))
	s.ApplyDefaults(doc)
	if issues, err := s.Validate(doc); err != nil || len(issues) != 0 {
		t.Fatalf("defaults: %v %v", issues, err)
	}
	if inner, _ := doc["inner"].(map[string]any); inner["mode"] != "a" || doc["size"] == nil {
		t.Errorf("defaults not applied: %v", doc)
	}
	doc, _ = Read([]byte(`{"size": 0, "inner": {"mode": "c"}, "extra": true, "even": 3}`))
	issues, err := s.Validate(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Issue{}
	for _, is := range issues {
		got[is.Path] = is
	}
	if is := got["/size"]; is.Value != "0" || !strings.Contains(is.Message, "allowed: a whole number, 1 or more") {
		t.Errorf("/size: %+v", is)
	}
	if is := got["/inner/mode"]; is.Value != `"c"` {
		t.Errorf("/inner/mode: %+v", is)
	}
	if _, ok := got[""]; !ok {
		t.Errorf("no issue for the extra property: %+v", issues)
	}
	// Custom formats are asserted.
	if is := got["/even"]; is.Value != "3" || !strings.Contains(is.Message, "is odd") {
		t.Errorf("/even: %+v", is)
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
