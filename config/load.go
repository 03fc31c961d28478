package config

import (
	"bytes"
	"cmp"
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
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/jsondoc"
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
	loc := cmp.Or(p.Path, "/")
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

// commonEnvironmentNames maps long environment names to their short forms.
var commonEnvironmentNames = map[string]string{
	"development": "dev", "develop": "dev", "production": "prod", "staging": "stage",
	"testing": "test", "integration": "int", "preproduction": "preprd", "preprod": "preprd",
	"sandbox": "sbx", "performance": "perf", "acceptance": "acc", "qualityassurance": "qa",
}

// suggestEnvironmentName returns a valid environment name close to name:
// its usual short form, else its lower-case letters and digits, cut to six.
func suggestEnvironmentName(name string) string {
	clean := strings.Map(func(r rune) rune {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, strings.ToLower(name))
	if short, ok := commonEnvironmentNames[clean]; ok {
		return short
	}
	clean = strings.TrimLeft(clean, "0123456789")
	if len(clean) < 2 {
		return "env1"
	}
	return clean[:min(len(clean), 6)]
}

// MaxFileSize is the largest configuration file read, in bytes: a few
// kilobytes are normal, and a mistaken path (a log, a link to /dev/zero)
// must not exhaust memory.
const MaxFileSize = 1 << 20

// IsEnvironmentFile reports whether a file name in the configuration
// directory is an environment file: <name>.json, except schema.json, hidden
// files and editors' files (Emacs .#dev.json, #dev.json#, dev.json~, Vim
// .dev.json.swp).
func IsEnvironmentFile(name string) bool {
	return strings.HasSuffix(name, ".json") && name != "schema.json" &&
		!strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "#")
}

// LoadDir loads every environment file in dir in name order. It returns an
// *Error with the problems of all files, or another error when the
// directory itself cannot be read.
func LoadDir(dir string) ([]*Config, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the configuration directory: %w", dir, err)
	}
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return !IsEnvironmentFile(e.Name()) })
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: no environment files (<environment>.json) found", dir)
	}
	var all Error
	var cfgs []*Config
	for _, e := range entries {
		cfg, err := Load(filepath.Join(dir, e.Name()))
		if cerr, ok := errors.AsType[*Error](err); ok {
			all.Problems = append(all.Problems, cerr.Problems...)
		} else if err != nil {
			return nil, err
		} else {
			cfgs = append(cfgs, cfg)
		}
	}
	all.Problems = append(all.Problems, sharedStateContainers(cfgs)...)
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
	return Parse(path, strings.TrimSuffix(filepath.Base(path), ".json"), data)
}

// readFile reads a regular file of at most MaxFileSize bytes. It opens
// without blocking (a named pipe with no writer must not stall synthesis)
// and refuses what it opened, after symbolic links, unless it is a regular
// file.
func readFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		// Drop the *PathError's path: the problem names the file already.
		return nil, fmt.Errorf("cannot read the file: %w", errors.Unwrap(err))
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("is %s, not a regular file; only regular files are read as configuration", describeMode(fi.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("is larger than %d bytes; a configuration file is a few kilobytes", MaxFileSize)
	}
	return data, nil
}

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

// Parse validates data as the configuration of environment env (see the
// package documentation); file is used in messages only.
func Parse(file, env string, data []byte) (*Config, error) {
	var problems []Problem
	if !environmentName.MatchString(env) {
		problems = append(problems, Problem{File: file, Message: fmt.Sprintf(
			"the file name gives the environment name %q; it must be 2 to 6 lower-case letters or digits, starting with a letter: it becomes part of Azure names with tight limits (the storage account st<prefix><environment> has at most 24 letters and digits, the Key Vault 24 characters); rename the file, for example to %s.json", env, suggestEnvironmentName(env))})
	}
	root, issues := jsondoc.Read(data)
	if root == nil {
		return nil, &Error{append(problems, asProblems(file, issues)...)}
	}
	credentials := findCredentials(root)
	schemaIssues, err := schema().Check(root)
	if err != nil {
		return nil, err
	}
	issues = append(issues, schemaIssues...)
	problems = append(problems, asProblems(file, issues)...)
	var invalid []string
	for _, is := range issues {
		invalid = append(invalid, is.Affects...)
	}

	// Check has made the document valid, so decoding fails only if the
	// schema and the Go types disagree (a test keeps them in step).
	completed, err := json.Marshal(root)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(completed))
	dec.DisallowUnknownFields()
	cfg := &Config{Environment: env, File: file}
	if err := dec.Decode(cfg); err != nil {
		return nil, &Error{append(problems, Problem{File: file, Message: "does not match the Go configuration types: " + err.Error()})}
	}
	problems = append(problems, cfg.validate(invalid, credentials)...)
	if len(problems) > 0 {
		// Values that look like credentials stay out of the messages.
		for i, p := range problems {
			if _, secret := credentials[p.Path]; secret {
				problems[i].Value = ""
			}
		}
		slices.SortStableFunc(problems, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
		return nil, &Error{problems}
	}
	return cfg, nil
}

// schema is the compiled schema of the configuration files.
var schema = sync.OnceValue(func() *jsondoc.Schema {
	s, err := jsondoc.Compile("config/schema.json", SchemaJSON, map[string]func(any) error{"cidr": validateCIDR})
	if err != nil {
		panic("config: " + err.Error())
	}
	return s
})

// validateCIDR is the "cidr" format: an IPv4 network without host bits
// (10.0.0.0/16, not 10.0.0.1/16); a single address is refused with its /32
// as the likely fix.
func validateCIDR(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		return fmt.Errorf("is an address, not a network; for this address alone write %q", s+"/32")
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return fmt.Errorf("is not an IPv4 network in CIDR notation, such as 10.0.0.0/16 or 198.51.100.7/32")
	}
	if p.Masked() != p {
		return fmt.Errorf("has host bits set: the network is %q, or for the address alone write %q", p.Masked().String(), p.Addr().String()+"/32")
	}
	return nil
}

func asProblems(file string, issues []jsondoc.Issue) []Problem {
	out := make([]Problem, len(issues))
	for i, is := range issues {
		out[i] = Problem{File: file, Path: is.Path, Value: is.Value, Message: is.Message}
	}
	return out
}
