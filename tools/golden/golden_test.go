package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSectionRewritesOnlyBetweenTheMarkers: with UPDATE_SNAPSHOTS=1 the
// section is replaced and the rest of the file kept; then it is current.
func TestSectionRewritesOnlyBetweenTheMarkers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.md")
	if err := os.WriteFile(path, []byte("intro\n<!-- begin -->\nold\n<!-- end -->\noutro\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("UPDATE_SNAPSHOTS", "1")
	Section(t, path, "<!-- begin -->\n", "<!-- end -->", "new\n", "section")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n<!-- begin -->\nnew\n<!-- end -->\noutro\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	t.Setenv("UPDATE_SNAPSHOTS", "")
	Section(t, path, "<!-- begin -->\n", "<!-- end -->", "new\n", "section")
}
