package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/jsondoc"
)

// ReferenceTable is the README's configuration reference: one Markdown row
// per field of schema.json (dotted path, default, description), the one
// place a field is documented. A test keeps the README current (make golden).
func ReferenceTable() string {
	doc := schema().Doc()
	// The keys of each object by its pointer, in the order schema.json
	// declares them (decoded maps have none). schema() read the file: Keys
	// cannot fail.
	order := map[string][]string{}
	_ = jsondoc.Keys(SchemaJSON, func(k jsondoc.Key) {
		object := jsondoc.Pointer(k.Path[:len(k.Path)-1])
		order[object] = append(order[object], k.Path[len(k.Path)-1])
	})
	var b strings.Builder
	b.WriteString("| field | default | meaning |\n|---|---|---|\n")
	var walk func(node map[string]any, ptr, prefix string)
	walk = func(node map[string]any, ptr, prefix string) {
		props, _ := node["properties"].(map[string]any)
		required, _ := node["required"].([]any)
		for _, name := range order[ptr+"/properties"] {
			if name == "$schema" {
				continue
			}
			prop, _ := props[name].(map[string]any)
			path := prefix + name
			if _, nested := prop["properties"]; nested && prop["type"] == "object" {
				walk(prop, ptr+jsondoc.Pointer([]string{"properties", name}), path+".")
				continue
			}
			desc, _ := prop["description"].(string)
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", path, defaultText(prop, slices.Contains(required, any(name))), desc)
		}
	}
	walk(doc, "", "")
	return b.String()
}

// defaultText renders a field's default as the reference shows it.
func defaultText(prop map[string]any, required bool) string {
	def, ok := prop["default"]
	switch {
	case !ok && required:
		return "required"
	case !ok:
		return "none"
	}
	// Empty values fall through to JSON: `""`, `[]`, `{}`.
	switch v := def.(type) {
	case string:
		if v != "" {
			return "`" + v + "`"
		}
	case []any:
		if len(v) > 0 {
			items := make([]string, len(v))
			for i, e := range v {
				items[i] = "`" + fmt.Sprint(e) + "`"
			}
			return strings.Join(items, ", ")
		}
	}
	raw, _ := json.Marshal(def)
	return "`" + string(raw) + "`"
}
