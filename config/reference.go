package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/jsondoc"
)

// ReferenceTable is the README's configuration reference: one Markdown row
// per field of schema.json (dotted path, default, description), the one
// place a field is documented. A test keeps the README current (make golden).
func ReferenceTable() string {
	var b strings.Builder
	b.WriteString("| field | default | meaning |\n|---|---|---|\n")
	var walk func(node map[string]any, ptr, prefix string)
	walk = func(node map[string]any, ptr, prefix string) {
		props, _ := node["properties"].(map[string]any)
		required, _ := node["required"].([]any)
		for _, name := range propertyOrder()[ptr+"/properties"] {
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
	walk(schema().Doc(), "", "")
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

// propertyOrder lists, for each object of schema.json by its JSON pointer,
// its keys in the order the file declares them (decoded maps have none).
var propertyOrder = sync.OnceValue(func() map[string][]string {
	orders := map[string][]string{}
	err := jsondoc.Keys(SchemaJSON, func(k jsondoc.Key) {
		object := jsondoc.Pointer(k.Path[:len(k.Path)-1])
		orders[object] = append(orders[object], k.Path[len(k.Path)-1])
	})
	if err != nil {
		panic("config: schema.json: " + err.Error())
	}
	return orders
})
