// Package golden keeps generated text in the repository current: the tests
// of generated documentation compare it with what the code generates now,
// and rewrite it when asked. It depends on nothing but the standard library,
// so that any package's tests can use it (tools/synthtest, which also
// uses it, pulls in the jsii bindings).
package golden

import (
	"os"
	"strings"
	"testing"
)

// Updating reports whether golden snapshots should be rewritten: only when
// asked explicitly with UPDATE_SNAPSHOTS=1 (make golden, make docs). An
// environment variable rather than a -update flag, because `go test ./...
// -update` fails in every package that does not define the flag.
func Updating() bool { return os.Getenv("UPDATE_SNAPSHOTS") == "1" }

// Section checks that the file at path holds content between the markers
// begin and end, and rewrites that section when [Updating]. what names the
// section in messages ("configuration reference").
func Section(t testing.TB, path, begin, end, content, what string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q around the %s", path, begin, end, what)
	}
	want := doc[:i+len(begin)] + content + doc[j:]
	if want == doc {
		return
	}
	if Updating() {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s shows an outdated %s; run make golden and review it. Now:\n%s", path, what, content)
}
