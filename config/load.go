package config

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaJSON is the JSON Schema of the configuration files.
//
//go:embed schema.json
var SchemaJSON []byte

// Problem is one thing wrong with a configuration file.
type Problem struct {
	File string
	// Path is the JSON pointer of the offending value ("" for the document).
	Path string
	// Value is the offending value as JSON, or "" when it is an object or
	// array, or missing.
	Value string
	// Message says what is wrong and what is allowed.
	Message string
}

func (p Problem) String() string {
	loc := p.Path
	if loc == "" {
		loc = "/"
	}
	if p.Value != "" {
		return fmt.Sprintf("%s: %s = %s: %s", p.File, loc, p.Value, p.Message)
	}
	return fmt.Sprintf("%s: %s: %s", p.File, loc, p.Message)
}

// Error lists every problem found in one or more configuration files.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

var environmentName = regexp.MustCompile(`^[a-z][a-z0-9]{1,5}$`)

// MaxFileSize is the largest configuration file read, in bytes. An
// environment file is a few kilobytes; the bound keeps a mistaken path (a
// log, a device, a symbolic link to /dev/zero) from exhausting memory.
const MaxFileSize = 1 << 20

// IsEnvironmentFile reports whether a file name in the configuration
// directory is an environment file: <name>.json, except schema.json, hidden
// files and what editors leave next to the files they edit (Emacs lock files
// .#dev.json and autosaves #dev.json#, backups dev.json~, Vim swap files
// .dev.json.swp), which are not configuration.
func IsEnvironmentFile(name string) bool {
	return strings.HasSuffix(name, ".json") && name != "schema.json" &&
		!strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "#")
}

// LoadDir loads every environment file in dir (see [IsEnvironmentFile]),
// in name order. It returns an *Error with the problems of all files, or
// another error when the directory itself cannot be read.
func LoadDir(dir string) ([]*Config, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the configuration directory: %w", dir, err)
	}
	var paths []string
	for _, e := range entries {
		if IsEnvironmentFile(e.Name()) {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no environment files (<environment>.json) found", dir)
	}
	sort.Strings(paths)
	var all Error
	var cfgs []*Config
	for _, p := range paths {
		cfg, err := Load(p)
		var cerr *Error
		switch {
		case errors.As(err, &cerr):
			all.Problems = append(all.Problems, cerr.Problems...)
		case err != nil:
			return nil, err
		default:
			cfgs = append(cfgs, cfg)
		}
	}
	if len(all.Problems) > 0 {
		return nil, &all
	}
	return cfgs, nil
}

// Load reads, completes and validates one configuration file. The
// environment name is the file's base name without ".json".
func Load(path string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, &Error{[]Problem{{File: path, Message: err.Error()}}}
	}
	env := strings.TrimSuffix(filepath.Base(path), ".json")
	return Parse(path, env, data)
}

// readFile reads a regular file of at most MaxFileSize bytes. It opens
// without blocking, so that a named pipe with no writer cannot stall
// synthesis, and checks what it opened (after symbolic links) before
// reading, so that devices and directories are refused rather than read.
func readFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		// The message names the file already.
		var perr *fs.PathError
		if errors.As(err, &perr) {
			err = perr.Err
		}
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("is %s, not a regular file; only regular files are read as configuration", describeMode(fi.Mode()))
	}
	tooBig := fmt.Errorf("is larger than %d bytes; a configuration file is a few kilobytes", MaxFileSize)
	if fi.Size() > MaxFileSize {
		return nil, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, tooBig
	}
	return data, nil
}

// describeMode names the kind of file a mode describes.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return "a special file"
	}
}

// Parse validates data as the configuration of environment env; file is
// used in messages only.
func Parse(file, env string, data []byte) (*Config, error) {
	if !environmentName.MatchString(env) {
		return nil, &Error{[]Problem{{File: file, Message: fmt.Sprintf(
			"the file name gives the environment name %q; it must be 2 to 6 lower-case letters or digits, starting with a letter (it becomes part of Azure resource names)", env)}}}
	}
	if !utf8.Valid(data) {
		return nil, &Error{[]Problem{{File: file, Message: "not valid UTF-8: " + describeInvalidUTF8(data) + "; save the file as UTF-8"}}}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{[]Problem{{File: file, Message: "not valid JSON: " + describeSyntaxError(data, err)}}}
	}
	if problems := duplicateKeys(file, data); len(problems) > 0 {
		return nil, &Error{problems}
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, &Error{[]Problem{{File: file, Message: "the document must be a JSON object"}}}
	}
	applyDefaults(schemaDoc(), root)
	if err := compiledSchema().Validate(root); err != nil {
		var verr *jsonschema.ValidationError
		if !errors.As(err, &verr) {
			return nil, err
		}
		return nil, &Error{schemaProblems(file, root, verr)}
	}

	// The document is valid against the schema, so decoding can only fail
	// if the schema and the Go types disagree (a test keeps them in step).
	completed, err := json.Marshal(root)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(completed))
	dec.DisallowUnknownFields()
	cfg := &Config{}
	if err := dec.Decode(cfg); err != nil {
		return nil, &Error{[]Problem{{File: file, Message: "does not match the Go configuration types: " + err.Error()}}}
	}
	cfg.Environment = env
	cfg.File = file
	if problems := cfg.Validate(); len(problems) > 0 {
		return nil, &Error{problems}
	}
	return cfg, nil
}

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
// depth. encoding/json (and the schema validator's decoder) keep the last
// value silently, so "production": true followed by "production": false
// would make production a development environment. data must be valid
// JSON.
func duplicateKeys(file string, data []byte) []Problem {
	type frame struct {
		object    bool
		seen      map[string]int // key -> line of its first appearance
		expectKey bool
		key       string // the current member's key (objects)
		index     int    // the current element's index (arrays)
	}
	var (
		stack    []*frame
		problems []Problem
	)
	path := func(last string) []string {
		var tokens []string
		for _, f := range stack[:len(stack)-1] {
			if f.object {
				tokens = append(tokens, f.key)
			} else {
				tokens = append(tokens, strconv.Itoa(f.index))
			}
		}
		return append(tokens, last)
	}
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.object {
			top.expectKey = true
		} else {
			top.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			// io.EOF, or a syntax error the parser has reported already.
			return problems
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
			if key, ok := tok.(string); ok {
				top := stack[n-1]
				line, _ := position(data, int(dec.InputOffset()))
				if first, dup := top.seen[key]; dup {
					problems = append(problems, Problem{File: file, Path: pointer(path(key)), Message: fmt.Sprintf(
						"duplicate key: %q appears at line %d and again at line %d of the same object; JSON readers keep only one of them silently, so give each key once", key, first, line)})
				} else {
					top.seen[key] = line
				}
				top.key, top.expectKey = key, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, seen: map[string]int{}, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

// describeSyntaxError turns a decoding error into "line L, column C: ...".
func describeSyntaxError(data []byte, err error) string {
	var serr *json.SyntaxError
	var terr *json.UnmarshalTypeError
	offset := int64(-1)
	switch {
	case errors.As(err, &serr):
		offset = serr.Offset
	case errors.As(err, &terr):
		offset = terr.Offset
	}
	if offset < 0 {
		return err.Error()
	}
	// The offset counts the offending byte; report that byte's position.
	line, col := position(data, int(offset)-1)
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

const schemaURL = "config/schema.json"

// schemaDoc is the schema as plain JSON, for defaults and hints.
var schemaDoc = sync.OnceValue(func() map[string]any {
	var doc map[string]any
	if err := json.Unmarshal(SchemaJSON, &doc); err != nil {
		panic("config: schema.json is not valid JSON: " + err.Error())
	}
	return doc
})

// compiledSchema is the schema compiled for validation. Formats are
// asserted, and "cidr" is an IPv4 network.
var compiledSchema = sync.OnceValue(func() *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		panic("config: schema.json is not valid JSON: " + err.Error())
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "cidr", Validate: validateCIDR})
	if err := c.AddResource(schemaURL, doc); err != nil {
		panic("config: " + err.Error())
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		panic("config: schema.json does not compile: " + err.Error())
	}
	return sch
})

// validateCIDR accepts an IPv4 network in CIDR notation whose address is the
// network address itself (10.0.0.0/16, not 10.0.0.1/16).
func validateCIDR(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return fmt.Errorf("is not an IPv4 CIDR such as 10.0.0.0/16")
	}
	if p.Masked() != p {
		return fmt.Errorf("has host bits set; the network is %s", p.Masked())
	}
	return nil
}

// applyDefaults fills in, recursively, the "default" of every property the
// document leaves out. Objects whose default is {} are created and then
// completed from their own properties' defaults.
func applyDefaults(schema map[string]any, doc map[string]any) {
	props, _ := schema["properties"].(map[string]any)
	for name, raw := range props {
		ps, _ := raw.(map[string]any)
		if _, present := doc[name]; !present {
			if def, ok := ps["default"]; ok {
				doc[name] = deepCopy(def)
			}
		}
		if child, ok := doc[name].(map[string]any); ok {
			applyDefaults(ps, child)
		}
	}
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = deepCopy(e)
		}
		return s
	case float64:
		// The schema is decoded with encoding/json; the document with
		// json.Number. Keep numbers of one kind for the validator.
		return json.Number(strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return v
	}
}

var printer = message.NewPrinter(language.English)

// schemaProblems flattens a validation error tree into one problem per leaf.
func schemaProblems(file string, doc any, verr *jsonschema.ValidationError) []Problem {
	var out []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		p := Problem{
			File:    file,
			Path:    pointer(e.InstanceLocation),
			Value:   scalarAt(doc, e.InstanceLocation),
			Message: e.ErrorKind.LocalizedString(printer),
		}
		if hint := allowedHint(e.SchemaURL); hint != "" {
			p.Message += "; allowed: " + hint
		}
		out = append(out, p)
	}
	walk(verr)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// scalarAt returns the JSON text of the scalar at the location, or "".
func scalarAt(doc any, loc []string) string {
	v := doc
	for _, tok := range loc {
		switch c := v.(type) {
		case map[string]any:
			v = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return ""
			}
			v = c[i]
		default:
			return ""
		}
	}
	switch v.(type) {
	case map[string]any, []any, nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// allowedHint returns the "x-allowed" text of the subschema at url, if any.
func allowedHint(url string) string {
	_, frag, ok := strings.Cut(url, "#")
	if !ok {
		return ""
	}
	var v any = schemaDoc()
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[tok]
	}
	m, _ := v.(map[string]any)
	hint, _ := m["x-allowed"].(string)
	return hint
}
