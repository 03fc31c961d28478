package calendar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/bindings"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/golden"
)

// The tests below fail when the calendar and the repository's pins drift
// apart: a pin changed without its deadline being looked up again.

const root = "../.."

// pinned returns the entries about one pin.
func pinned(t *testing.T, name string) []Entry {
	t.Helper()
	var es []Entry
	for _, e := range entries(t) {
		if e.Pin.Name == name {
			es = append(es, e)
		}
	}
	return es
}

// onlyVersion is the one version the entries about a pin name.
func onlyVersion(t *testing.T, name string, es []Entry) string {
	t.Helper()
	versions := map[string]bool{}
	for _, e := range es {
		versions[e.Pin.Version] = true
	}
	if len(versions) != 1 {
		t.Fatalf("the %s entries name %d versions, want one: %v", name, len(versions), versions)
	}
	for v := range versions {
		return v
	}
	return ""
}

// workflowFiles are the workflows and the composite actions.
func workflowFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, pattern := range []string{".github/workflows/*.yml", ".github/actions/*/action.yml"} {
		paths, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			files[rel] = string(b)
		}
	}
	if len(files) < 3 {
		t.Fatalf("found %d workflow files under %s/.github", len(files), root)
	}
	return files
}

// values collects the first group of re in every workflow file, with
// where each was found.
func values(t *testing.T, re *regexp.Regexp) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	for path, text := range workflowFiles(t) {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(found[m[1]], path) {
				found[m[1]] = append(found[m[1]], path)
			}
		}
	}
	for _, where := range found {
		slices.Sort(where)
	}
	return found
}

// foundIn reports whether values found something in the file path.
func foundIn(found map[string][]string, path string) bool {
	for _, where := range found {
		if slices.Contains(where, filepath.FromSlash(path)) {
			return true
		}
	}
	return false
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEveryAllowedKubernetesVersionHasItsEndOfSupport: the Kubernetes
// minors config/schema.json allows are exactly those with an AKS end of
// life here.
func TestEveryAllowedKubernetesVersionHasItsEndOfSupport(t *testing.T) {
	var schema struct {
		Properties struct {
			Kubernetes struct {
				Properties struct {
					Version struct {
						Enum []string `json:"enum"`
					} `json:"version"`
				} `json:"properties"`
			} `json:"kubernetes"`
		} `json:"properties"`
	}
	if err := json.Unmarshal([]byte(readFile(t, "config/schema.json")), &schema); err != nil {
		t.Fatal(err)
	}
	allowed := schema.Properties.Kubernetes.Properties.Version.Enum
	if len(allowed) == 0 {
		t.Fatal("config/schema.json: no enum at properties.kubernetes.properties.version")
	}
	var listed []string
	for _, e := range pinned(t, PinKubernetes) {
		listed = append(listed, e.Pin.Version)
	}
	for _, v := range allowed {
		if !slices.Contains(listed, v) {
			t.Errorf("config/schema.json allows Kubernetes %s, which has no end-of-support entry in tools/calendar (AKS release calendar)", v)
		}
	}
	for _, v := range listed {
		if !slices.Contains(allowed, v) {
			t.Errorf("tools/calendar lists the end of Kubernetes %s, which config/schema.json no longer allows: remove the entry", v)
		}
	}
}

// TestNodeEntryNamesTheToolingsMajor: the Node.js major of the calendar is
// the one the workflows install and the README asks for.
func TestNodeEntryNamesTheToolingsMajor(t *testing.T) {
	major := onlyVersion(t, PinNode, pinned(t, PinNode))
	found := values(t, regexp.MustCompile(`(?m)^\s*node-version:\s*"?([^"\s]+)"?`))
	if !foundIn(found, ".github/actions/setup/action.yml") || !foundIn(found, ".github/workflows/ci.yml") {
		t.Fatalf("node-version found only in %v: the pattern no longer matches the setup action and ci.yml", found)
	}
	for v, where := range found {
		if v != major {
			t.Errorf("%v install Node.js %s, the calendar's Node.js entry is for %s", where, v, major)
		}
	}
	if readme := readFile(t, "README.md"); !strings.Contains(readme, "Node.js "+major+" ") {
		t.Errorf("README.md does not ask for Node.js %s", major)
	}
}

// TestTerraformEntryNamesThePipelinesTerraform: the Terraform of the
// calendar is the one every job installs.
func TestTerraformEntryNamesThePipelinesTerraform(t *testing.T) {
	version := onlyVersion(t, PinTerraform, pinned(t, PinTerraform))
	// terraform_version: "1.15.9" in a job, and the setup action's input
	// terraform-version with its default on a following line.
	found := values(t, regexp.MustCompile(`(?m)^\s*terraform_version:\s*"([^"]+)"`))
	for k, v := range values(t, regexp.MustCompile(`(?m)^\s*terraform-version:\s*\n(?:\s+\w+:.*\n)*?\s+default:\s*"([^"]+)"`)) {
		found[k] = append(found[k], v...)
	}
	if !foundIn(found, ".github/actions/setup/action.yml") || !foundIn(found, ".github/workflows/ci.yml") {
		t.Fatalf("Terraform versions found only in %v: the patterns no longer match the setup action and ci.yml", found)
	}
	for v, where := range found {
		if v != version {
			t.Errorf("%v install Terraform %s, the calendar's Terraform entry is for %s", where, v, version)
		}
	}
}

// TestGoEntryNamesGoMod: the Go of the calendar is go.mod's toolchain.
func TestGoEntryNamesGoMod(t *testing.T) {
	version := onlyVersion(t, PinGo, pinned(t, PinGo))
	m := regexp.MustCompile(`(?m)^toolchain go(\d+\.\d+)`).FindStringSubmatch(readFile(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no toolchain directive")
	}
	if m[1] != version {
		t.Errorf("go.mod's toolchain is go %s, the calendar's Go entry is for %s", m[1], version)
	}
}

// TestRunnerEntryNamesEveryJobsImage: every job runs on the image the
// calendar watches.
func TestRunnerEntryNamesEveryJobsImage(t *testing.T) {
	image := onlyVersion(t, PinRunner, pinned(t, PinRunner))
	found := values(t, regexp.MustCompile(`(?m)^\s*runs-on:\s*(\S+)`))
	if len(found) == 0 {
		t.Fatal("no runs-on in the workflows")
	}
	for v, where := range found {
		if v != image {
			t.Errorf("%v run on %s, the calendar watches %s", where, v, image)
		}
	}
}

// TestEveryPinnedActionIsListed: the actions the workflows pin are exactly
// those of Actions, at the same commits and tags, and each declares the
// runtime that clears the Node.js 20 removal.
func TestEveryPinnedActionIsListed(t *testing.T) {
	var cleared string
	for _, e := range pinned(t, PinActions) {
		if e.ClearedBy != nil {
			cleared = e.ClearedBy.Version
		}
	}
	if cleared == "" {
		t.Fatal("no cleared entry about the actions' runtime")
	}
	used := values(t, regexp.MustCompile(`(?m)^\s*(?:-\s*)?uses:\s*([^.\s][^\s@]*@\S+(?:\s+#\s*\S+)?)`))
	listed := map[string]ActionPin{}
	for _, a := range Actions {
		listed[a.Repo+"@"+a.Commit] = a
		if a.Runtime != cleared {
			t.Errorf("%s@%s (%s) declares %s, not %s", a.Repo, a.Tag, a.Commit, a.Runtime, cleared)
		}
	}
	seen := map[string]bool{}
	for use, where := range used {
		ref, tag, _ := strings.Cut(use, "#")
		ref, tag = strings.TrimSpace(ref), strings.TrimSpace(tag)
		a, ok := listed[ref]
		switch {
		case !ok:
			t.Errorf("%v use %s, which tools/calendar's Actions does not list: check that its action.yml declares %s at that commit and add it", where, ref, cleared)
		case tag != a.Tag:
			t.Errorf("%v name %s %q, the calendar lists it as %s", where, ref, tag, a.Tag)
		}
		seen[ref] = true
	}
	for key := range listed {
		if !seen[key] {
			t.Errorf("tools/calendar lists %s, which no workflow uses: remove it", key)
		}
	}
}

// TestPriceEntryFollowsTheTable: every price table has its review entry,
// checked on the table's "transcribed" date and due a year later.
func TestPriceEntryFollowsTheTable(t *testing.T) {
	tables, err := filepath.Glob(filepath.Join(root, "tools/cost/prices-*.json"))
	if err != nil || len(tables) == 0 {
		t.Fatalf("no price table: %v", err)
	}
	reviews := map[string]Entry{}
	for _, e := range pinned(t, PinPrices) {
		reviews[e.Pin.Version] = e
	}
	for _, path := range tables {
		region := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "prices-"), ".json")
		var table struct {
			Transcribed string `json:"transcribed"`
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &table); err != nil {
			t.Fatal(err)
		}
		e, ok := reviews[region]
		if !ok {
			t.Errorf("%s has no review entry: add %q to PriceRegions", path, region)
			continue
		}
		if e.Checked != table.Transcribed {
			t.Errorf("the %s review was checked %s, the table was transcribed %s", region, e.Checked, table.Transcribed)
		}
		if want := mustDay(table.Transcribed).AddDate(1, 0, 0).Format(DateLayout); e.Date != want {
			t.Errorf("the %s review is due %s, want %s (a year after %s)", region, e.Date, want, table.Transcribed)
		}
		delete(reviews, region)
	}
	for region := range reviews {
		t.Errorf("a review of the %s price table, which does not exist", region)
	}
}

// TestProvidersAreThoseTheCalendarWasWrittenFor: the calendar was written
// for the provider versions the stacks pin (bindings/*.schema.json), and
// the entries cleared by a provider are cleared by that version.
func TestProvidersAreThoseTheCalendarWasWrittenFor(t *testing.T) {
	providers, err := bindings.Providers()
	if err != nil {
		t.Fatal(err)
	}
	pinned := map[string]string{}
	for _, p := range providers {
		pinned[p.Name] = p.Version
	}
	if errs := CheckProviders(entries(t), pinned); len(errs) != 0 {
		t.Error(joined(errs))
	}
	for _, e := range entries(t) {
		if _, ok := WrittenFor[e.Pin.Name]; ok && e.Pin.Version != WrittenFor[e.Pin.Name] {
			t.Errorf("%s %s concerns %s %s, the calendar is written for %s", e.Date, e.Headline, e.Pin.Name, e.Pin.Version, WrittenFor[e.Pin.Name])
		}
	}
}

// TestDocsShowTheCalendar keeps docs/calendar.md's tables generated from
// the entries: UPDATE_SNAPSHOTS=1 (make docs, make golden) rewrites them.
func TestDocsShowTheCalendar(t *testing.T) {
	doc := filepath.Join(root, "docs/calendar.md")
	golden.Section(t, doc, "<!-- calendar.Table: begin -->\n", "<!-- calendar.Table: end -->", Table(entries(t)), "calendar")
	golden.Section(t, doc, "<!-- calendar.APITable: begin -->\n", "<!-- calendar.APITable: end -->", APITable(APIs), "Azure API versions")
	golden.Section(t, doc, "<!-- calendar.ActionTable: begin -->\n", "<!-- calendar.ActionTable: end -->", ActionTable(Actions), "pinned actions")
}
