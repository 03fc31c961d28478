package jsondoc

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Messages: one issue per leaf of the validator's error tree, saying in
// plain words what is wrong and what would be right; unknown keywords keep
// the validator's text.

var printer = message.NewPrinter(language.English)

// issues flattens a validation error tree into issues. A missing required
// property that an unknown one probably misspells is reported only as the
// unknown one ("did you mean").
func (s *Schema) issues(doc any, verr *jsonschema.ValidationError, filled map[string]bool) []Issue {
	var out []Issue
	misspelt := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		// A property name's violation is reported at the name, not as its
		// causes (about the name as a document of its own).
		if _, names := e.ErrorKind.(*kind.PropertyNames); len(e.Causes) > 0 && !names {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		for _, is := range s.describe(doc, e, filled) {
			if is.remove && len(is.Affects) > 1 {
				misspelt[is.Affects[1]] = true
			}
			out = append(out, is)
		}
	}
	walk(verr)
	return slices.DeleteFunc(out, func(is Issue) bool { return is.required && misspelt[is.Path] })
}

// describe turns one violation into issues (several for a keyword that
// names several properties).
func (s *Schema) describe(doc any, e *jsonschema.ValidationError, filled map[string]bool) []Issue {
	loc := e.InstanceLocation
	path := Pointer(loc)
	hint, _ := s.at(e.SchemaURL)["x-allowed"].(string)
	allowed := ""
	if hint != "" {
		allowed = "; allowed: " + hint
	}
	plain := func(msg string) []Issue {
		return []Issue{{Path: path, Value: scalarAt(doc, loc), Message: msg, Affects: []string{path}}}
	}
	leaf := func(msg string) []Issue { return plain(msg + allowed) }
	member := func(name string) (string, []string) {
		at := append(slices.Clip(loc), name)
		return Pointer(at), at
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		return leaf(typeMessage(k, valueAt(doc, loc)))
	case *kind.Enum:
		return leaf(enumMessage(k.Got, k.Want))
	case *kind.Const:
		return leaf("must be " + jsonText(k.Want))
	case *kind.Format:
		if s.formats[k.Want] != nil {
			return leaf(k.Err.Error())
		}
		return leaf(fmt.Sprintf("is not %s (%s)", formatNoun(k.Want), k.Err.Error()))
	case *kind.Pattern:
		if hint != "" {
			return plain("must be " + hint)
		}
		return leaf("must match the regular expression " + strconv.Quote(k.Want))
	case *kind.Minimum:
		return leaf("must be at least " + number(k.Want))
	case *kind.Maximum:
		return leaf("must be at most " + number(k.Want))
	case *kind.ExclusiveMinimum:
		return leaf("must be more than " + number(k.Want))
	case *kind.ExclusiveMaximum:
		return leaf("must be less than " + number(k.Want))
	case *kind.MultipleOf:
		return leaf("must be a multiple of " + number(k.Want))
	// scalarAt gives no Value for the lists and objects of the last four.
	case *kind.MinLength:
		return plain(sized("has", k.Got, "at least %s needed", k.Want, "character"))
	case *kind.MaxLength:
		return plain(sized("has", k.Got, "at most %s allowed", k.Want, "character"))
	case *kind.MinItems:
		return plain(sized("lists", k.Got, "at least %s needed", k.Want, "entry"))
	case *kind.MaxItems:
		return plain(sized("lists", k.Got, "at most %s allowed", k.Want, "entry"))
	case *kind.MinProperties:
		return plain(sized("has", k.Got, "at least %s needed", k.Want, "field"))
	case *kind.MaxProperties:
		return plain(sized("has", k.Got, "at most %s allowed", k.Want, "field"))
	case *kind.UniqueItems:
		first, _ := member(strconv.Itoa(k.Duplicates[0]))
		at, tokens := member(strconv.Itoa(k.Duplicates[1]))
		return []Issue{{Path: at, Value: scalarAt(doc, tokens), Message: fmt.Sprintf("repeats %s; list each value once", first), Affects: []string{at}}}
	case *kind.Required:
		var out []Issue
		for _, name := range k.Missing {
			at, tokens := member(name)
			out = append(out, Issue{Path: at, Message: s.requiredMessage(tokens, name), Affects: []string{at}, required: true})
		}
		return out
	case *kind.AdditionalProperties:
		props, _ := s.at(e.SchemaURL)["properties"].(map[string]any)
		known := slices.Sorted(maps.Keys(props))
		var out []Issue
		for _, name := range k.Properties {
			at, tokens := member(name)
			is := Issue{Path: at, Value: scalarAt(doc, tokens), Affects: []string{at}, remove: true}
			if best := Closest(name, known); best != "" {
				is.Message = fmt.Sprintf("unknown field; did you mean %q?", best)
				if target, tokens := member(best); filled[target] || valueAt(doc, tokens) == nil {
					// The document leaves the field out, and what it
					// meant for it is unknown.
					is.Affects = append(is.Affects, target)
				}
			} else {
				is.Message = "unknown field; the fields here are " + strings.Join(known, ", ")
			}
			out = append(out, is)
		}
		return out
	case *kind.PropertyNames:
		// The validator (v6.0.3) reports this keyword at a location that
		// later validation overwrites: find the object instead.
		at := Pointer(append(s.locate(doc, strings.TrimSuffix(e.SchemaURL, "/propertyNames"), k.Property), k.Property))
		msg := fmt.Sprintf("%q is not an allowed name", k.Property) + allowed
		return []Issue{{Path: at, Message: msg, Affects: []string{at}, remove: true}}
	}
	return leaf(e.ErrorKind.LocalizedString(printer))
}

// sized says "has 3 characters; at most 2 allowed": verb got, then bound
// (a format for the count of want).
func sized(verb string, got int, bound string, want int, noun string) string {
	return verb + " " + count(got, noun) + "; " + fmt.Sprintf(bound, count(want, noun))
}

// locate returns the location of the object in doc that the subschema at
// url describes and that has the key.
func (s *Schema) locate(doc any, url, key string) []string {
	want := s.at(url)
	var found []string
	var walk func(v any, loc []string)
	walk = func(v any, loc []string) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v[key]; ok && found == nil && sameSchema(s.schemaAt(loc), want) {
				found = slices.Clone(loc)
			}
			for _, k := range slices.Sorted(maps.Keys(v)) {
				walk(v[k], append(loc, k))
			}
		case []any:
			for i, e := range v {
				walk(e, append(loc, strconv.Itoa(i)))
			}
		}
	}
	walk(doc, nil)
	return found
}

// sameSchema reports whether two subschemas are the same node of the
// schema document (not merely equal).
func sameSchema(a, b map[string]any) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// typeNames name JSON Schema types as a person would.
var typeNames = map[string]string{
	"string": "a string (text in quotes)", "integer": "a whole number", "number": "a number",
	"boolean": "true or false", "object": "an object ({...})", "array": "a list ([...])", "null": "null",
}

func typeName(t string) string { return cmp.Or(typeNames[t], t) }

func typeMessage(k *kind.Type, v any) string {
	want := make([]string, len(k.Want))
	for i, t := range k.Want {
		want[i] = typeName(t)
	}
	msg := "must be " + strings.Join(want, " or ")
	if k.Got != "number" || !slices.Equal(k.Want, []string{"integer"}) {
		msg += ", not " + typeName(k.Got)
	}
	// A number or a boolean in quotes.
	if s, ok := v.(string); ok {
		_, isNumber := new(big.Rat).SetString(s)
		if (isNumber && slices.ContainsFunc(k.Want, func(t string) bool { return t == "integer" || t == "number" })) ||
			((s == "true" || s == "false") && slices.Contains(k.Want, "boolean")) {
			msg += fmt.Sprintf("; write %s without quotes", s)
		}
	}
	return msg
}

func enumMessage(got any, want []any) string {
	texts := make([]string, len(want))
	var words []string
	for i, w := range want {
		texts[i] = jsonText(w)
		if s, ok := w.(string); ok {
			words = append(words, s)
		}
	}
	msg := "must be " + texts[0]
	if len(texts) > 1 {
		msg = "must be one of " + strings.Join(texts, ", ")
	}
	// Only a slip of one letter or of case ("1.28" is no misspelling of
	// "1.35").
	if s, ok := got.(string); ok {
		if best := Closest(s, words); best != "" && distance(strings.ToLower(s), strings.ToLower(best)) <= 1 {
			msg += fmt.Sprintf(" (did you mean %q?)", best)
		}
	}
	return msg
}

// formatNames describe the standard formats with an example.
var formatNames = map[string]string{
	"email":     "an e-mail address such as ops@example.com",
	"ipv4":      "an IPv4 address such as 192.0.2.10",
	"ipv6":      "an IPv6 address such as 2001:db8::10",
	"uuid":      "a UUID such as 00000000-0000-0000-0000-000000000000 (8-4-4-4-12 hexadecimal digits)",
	"hostname":  "a host name such as www.example.com",
	"date":      "a date such as 2026-01-31",
	"time":      "a time such as 14:30:00Z",
	"date-time": "a date and time such as 2026-01-31T14:30:00Z",
	"duration":  "an ISO 8601 duration such as PT5M",
	"uri":       "a URI such as https://example.com/",
}

func formatNoun(f string) string { return cmp.Or(formatNames[f], "a valid "+f) }

// requiredMessage says what a missing property is (its schema's
// description) and shows one (its "examples", else its "x-allowed" hint).
func (s *Schema) requiredMessage(tokens []string, name string) string {
	sub := s.schemaAt(tokens)
	msg := "missing; it is required"
	if desc, _ := sub["description"].(string); desc != "" {
		msg += ": " + lowerFirst(strings.TrimSuffix(strings.TrimSpace(desc), "."))
	}
	if examples, _ := sub["examples"].([]any); len(examples) > 0 {
		return msg + fmt.Sprintf("; add for example %q: %s", name, jsonText(examples[0]))
	}
	if hint, _ := sub["x-allowed"].(string); hint != "" {
		return msg + "; add " + hint
	}
	return msg
}

// lowerFirst lower-cases a sentence's first letter, unless the first word
// is an acronym or a name in code ("AKS", "`x`").
func lowerFirst(s string) string {
	word, _, _ := strings.Cut(s, " ")
	if len(word) < 2 || strings.ToUpper(word) == word || word[1] < 'a' || word[1] > 'z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// number prints a schema's bound as JSON would.
func number(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// count says "1 entry", "3 entries".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// jsonText renders a value as JSON, with a blank after each colon and
// comma, as a person types it.
func jsonText(v any) string {
	switch v := v.(type) {
	case map[string]any:
		parts := make([]string, 0, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, strconv.Quote(k)+": "+jsonText(v[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = jsonText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
