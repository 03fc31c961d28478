package config

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/testinputs"
)

// documentationPrefixes are the address ranges reserved for examples
// (RFC 5737, RFC 3849): an example value from them can never be someone's
// real network.
var documentationPrefixes = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// exampleDomain matches the domains reserved for examples (RFC 2606).
var exampleDomain = regexp.MustCompile(`(?i)(^|\.)example\.(com|org|net)$`)

// TestShippedExamplesUseDocumentationValues: the environment files a clone
// ships (config/) and the fixtures the tests and goldens are built from
// (testdata/config/) hold only example e-mail addresses (example.com,
// .org, .net) and, for networks, private ranges (the VNet, pods, services)
// or the documentation ranges: never a real mailbox or someone's public
// address, which a newcomer would copy.
func TestShippedExamplesUseDocumentationValues(t *testing.T) {
	files, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Glob(filepath.Join("..", "testdata", "config", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, fixtures...)
	checked := 0
	for _, f := range files {
		if filepath.Base(f) == "schema.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		checked++
		for _, s := range jsonStrings(doc) {
			for _, problem := range exampleProblems(s) {
				t.Errorf("%s: %q: %s", f, s, problem)
			}
		}
	}
	if checked < 4 {
		t.Fatalf("checked %d environment files, want config/dev.json, config/prod.json and their fixtures", checked)
	}
}

// The check itself: real-looking values are caught, documentation and
// private ones pass.
func TestExampleProblems(t *testing.T) {
	for _, bad := range []string{"admin@mimisbrunnr.com", "ops@example.com.evil.org", "8.8.8.8", "20.10.0.0/16", "2a00:1450::/32"} {
		if len(exampleProblems(bad)) == 0 {
			t.Errorf("%q passes", bad)
		}
	}
	for _, good := range []string{"ops@example.com", "Team@Sub.Example.org", "203.0.113.0/24", "198.51.100.7", "192.0.2.1/32", "10.0.1.0/24", "172.16.0.10", "2001:db8::1", "perpetual", "1.35", "PT5M"} {
		if p := exampleProblems(good); len(p) != 0 {
			t.Errorf("%q: %v", good, p)
		}
	}
}

// exampleProblems says what in s is not an example value: an e-mail
// address outside the example domains, or an address or network that is
// neither private nor from a documentation range.
func exampleProblems(s string) []string {
	var problems []string
	if at := strings.LastIndex(s, "@"); at > 0 && !strings.ContainsAny(s, " /:") {
		if !exampleDomain.MatchString(s[at+1:]) {
			problems = append(problems, "an e-mail address outside example.com, example.org and example.net")
		}
		return problems
	}
	var addr netip.Addr
	var bits int
	if p, err := netip.ParsePrefix(s); err == nil {
		addr, bits = p.Addr(), p.Bits()
	} else if a, err := netip.ParseAddr(s); err == nil {
		addr, bits = a, a.BitLen()
	} else {
		return nil
	}
	if addr.IsPrivate() || addr.IsLoopback() {
		return nil
	}
	for _, d := range documentationPrefixes {
		if d.Contains(addr) && bits >= d.Bits() {
			return nil
		}
	}
	return append(problems, "an address outside the private and documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32)")
}

// jsonStrings lists every string value of a decoded JSON document.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}

// TestNothingRefersOutsideTheRepository: no tracked text file names a
// place that only its author's machine has (a sibling directory of the
// clone, or the build machine's work tree); a clone must work from what
// it holds.
func TestNothingRefersOutsideTheRepository(t *testing.T) {
	// Spelled in parts, so that this file does not find itself.
	outside := []string{"../" + "shared", "/" + "work/"}
	out, err := exec.Command("git", "-C", "..", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout)", err)
	}
	// The list comes from git's index, which go test's cache does not
	// see (the files themselves this test opens).
	testinputs.Paths(filepath.Join("..", ".git", "index"))
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	if len(files) < 100 {
		t.Fatalf("git ls-files lists %d files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree, not yet committed
			}
			t.Fatal(err)
		}
		if bytes.IndexByte(b, 0) >= 0 {
			continue // binary
		}
		for _, o := range outside {
			if i := bytes.Index(b, []byte(o)); i >= 0 {
				line := bytes.Count(b[:i], []byte("\n")) + 1
				t.Errorf("%s:%d refers to %s, which a clone does not have", f, line, o)
			}
		}
	}
}
