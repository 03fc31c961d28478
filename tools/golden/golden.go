// Package golden keeps generated text in the repository current: tests
// compare it with what the code generates now and rewrite it when asked. It
// imports only the standard library, so any package's tests can use it
// without the jsii bindings that tools/synthtest pulls in.
package golden

import (
	"os"
	"strings"
	"testing"
)

// Updating reports whether golden snapshots should be rewritten, as
// UPDATE_SNAPSHOTS=1 asks (make golden, make docs): a -update flag would
// fail `go test ./... -update` in every package that does not define it.
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
