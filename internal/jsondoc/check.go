package jsondoc

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Check completes doc with the schema's defaults, recursively, and returns
// one issue per violation, sorted by path. Then it repairs doc so that it
// decodes into types that follow the schema and checks of its valid values
// can go on: every value an issue affects (a missing property too) becomes
// its default or its type's zero value, and unknown properties are taken
// out. The error is the validator's own failure, not the document's.
func (s *Schema) Check(doc map[string]any) ([]Issue, error) {
	filled := map[string]bool{}
	applyDefaults(s.doc, doc, nil, filled)
	var issues []Issue
	err := s.compiled.Validate(doc)
	if verr, ok := errors.AsType[*jsonschema.ValidationError](err); ok {
		issues = s.issues(doc, verr, filled)
	} else if err != nil {
		return nil, err
	}
	s.repair(doc, issues)
	sort.SliceStable(issues, func(i, j int) bool { return issues[i].Path < issues[j].Path })
	return issues, nil
}

// applyDefaults fills in, recursively, the "default" of every property the
// object at path leaves out, recording their pointers in filled (an object
// defaulting to {} is then completed from its own properties).
func applyDefaults(schema map[string]any, doc map[string]any, path []string, filled map[string]bool) {
	props, _ := schema["properties"].(map[string]any)
	for name, raw := range props {
		ps, _ := raw.(map[string]any)
		at := append(slices.Clip(path), name)
		if _, present := doc[name]; !present {
			if def, ok := ps["default"]; ok {
				doc[name] = deepCopy(def)
				filled[Pointer(at)] = true
			}
		}
		if child, ok := doc[name].(map[string]any); ok {
			applyDefaults(ps, child, at, filled)
		}
	}
}

// deepCopy copies a decoded JSON value, numbers as json.Number.
func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	c, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	return c
}

// repair makes doc decode as the schema says: members the issues remove
// are taken out, and every value they affect is replaced (see Check).
func (s *Schema) repair(doc map[string]any, issues []Issue) {
	for _, is := range issues {
		if is.remove {
			tokens := parsePointer(is.Path)
			if parent, ok := valueAt(doc, tokens[:len(tokens)-1]).(map[string]any); ok {
				delete(parent, tokens[len(tokens)-1])
			}
		}
	}
	for _, is := range issues {
		for _, p := range is.Affects {
			if is.remove && p == is.Path {
				continue
			}
			tokens := parsePointer(p)
			sub := s.schemaAt(tokens)
			if sub == nil {
				continue
			}
			replacement := deepCopy(cmp.Or(sub["default"], zeroValues[sub["type"]]))
			if obj, ok := replacement.(map[string]any); ok {
				applyDefaults(sub, obj, tokens, map[string]bool{})
			}
			setAt(doc, tokens, replacement)
		}
	}
}

// zeroValues are the schema types' zero values, as decoded documents hold them.
var zeroValues = map[any]any{
	"string": "", "integer": json.Number("0"), "number": json.Number("0"), "boolean": false,
	"object": map[string]any{}, "array": []any{},
}

// schemaAt returns the subschema, through "properties", "items" and
// "additionalProperties", of the document location tokens, or nil.
func (s *Schema) schemaAt(tokens []string) map[string]any {
	node := s.doc
	for _, tok := range tokens {
		if props, ok := node["properties"].(map[string]any); ok {
			if sub, ok := props[tok].(map[string]any); ok {
				node = sub
				continue
			}
		}
		if items, ok := node["items"].(map[string]any); ok {
			if _, err := strconv.Atoi(tok); err == nil {
				node = items
				continue
			}
		}
		if extra, ok := node["additionalProperties"].(map[string]any); ok {
			node = extra
			continue
		}
		return nil
	}
	return node
}

func parsePointer(p string) []string {
	if p == "" {
		return nil
	}
	tokens := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range tokens {
		tokens[i] = unescapeToken.Replace(t)
	}
	return tokens
}

// valueAt returns the value at the location, or nil.
func valueAt(doc any, tokens []string) any {
	v := doc
	for _, tok := range tokens {
		switch c := v.(type) {
		case map[string]any:
			v = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// setAt sets the value at the location, whose parent must exist.
func setAt(doc map[string]any, tokens []string, v any) {
	if len(tokens) == 0 {
		return
	}
	switch parent := valueAt(doc, tokens[:len(tokens)-1]).(type) {
	case map[string]any:
		parent[tokens[len(tokens)-1]] = v
	case []any:
		if i, err := strconv.Atoi(tokens[len(tokens)-1]); err == nil && i >= 0 && i < len(parent) {
			parent[i] = v
		}
	}
}

// scalarAt returns the JSON text of the scalar at the location, or "".
func scalarAt(doc any, tokens []string) string {
	switch v := valueAt(doc, tokens); v.(type) {
	case map[string]any, []any, nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}
