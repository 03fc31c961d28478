package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goTestJSON is what go test -json printed for four packages: a fails
// (a test, and a subtest of another), b does not build, c passes, d has
// no tests.
const goTestJSON = `{"ImportPath":"example.com/m/b [example.com/m/b.test]","Action":"build-output","Output":"# example.com/m/b [example.com/m/b.test]\n"}
{"ImportPath":"example.com/m/b [example.com/m/b.test]","Action":"build-output","Output":"b/b_test.go:5:28: undefined: undefined\n"}
{"ImportPath":"example.com/m/b [example.com/m/b.test]","Action":"build-fail"}
{"Time":"2026-12-02T10:43:02.642599893Z","Action":"start","Package":"example.com/m/a"}
{"Time":"2026-12-02T10:43:02.705274283Z","Action":"run","Package":"example.com/m/a","Test":"TestOK"}
{"Time":"2026-12-02T10:43:02.705326262Z","Action":"output","Package":"example.com/m/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Time":"2026-12-02T10:43:02.714926635Z","Action":"output","Package":"example.com/m/a","Test":"TestOK","Output":"    a_test.go:9: quiet\n"}
{"Time":"2026-12-02T10:43:02.715246673Z","Action":"output","Package":"example.com/m/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Time":"2026-12-02T10:43:02.721334637Z","Action":"pass","Package":"example.com/m/a","Test":"TestOK","Elapsed":0}
{"Time":"2026-12-02T10:43:02.72138382Z","Action":"run","Package":"example.com/m/a","Test":"TestFail"}
{"Time":"2026-12-02T10:43:02.721388981Z","Action":"output","Package":"example.com/m/a","Test":"TestFail","Output":"=== RUN   TestFail\n"}
{"Time":"2026-12-02T10:43:02.721395152Z","Action":"output","Package":"example.com/m/a","Test":"TestFail","Output":"printed \"quoted\" \\ \u003ctag\u003e \u0026 tab\there\n"}
{"Time":"2026-12-02T10:43:02.721400382Z","Action":"output","Package":"example.com/m/a","Test":"TestFail","Output":"    a_test.go:12: boom: \"x\\\"}\"\n"}
{"Time":"2026-12-02T10:43:02.721419328Z","Action":"output","Package":"example.com/m/a","Test":"TestFail","Output":"--- FAIL: TestFail (0.00s)\n"}
{"Time":"2026-12-02T10:43:02.721423446Z","Action":"fail","Package":"example.com/m/a","Test":"TestFail","Elapsed":0}
{"Time":"2026-12-02T10:43:02.721427063Z","Action":"run","Package":"example.com/m/a","Test":"TestSub"}
{"Time":"2026-12-02T10:43:02.72143065Z","Action":"output","Package":"example.com/m/a","Test":"TestSub","Output":"=== RUN   TestSub\n"}
{"Time":"2026-12-02T10:43:02.721434437Z","Action":"run","Package":"example.com/m/a","Test":"TestSub/good"}
{"Time":"2026-12-02T10:43:02.721438335Z","Action":"output","Package":"example.com/m/a","Test":"TestSub/good","Output":"=== RUN   TestSub/good\n"}
{"Time":"2026-12-02T10:43:02.721442843Z","Action":"output","Package":"example.com/m/a","Test":"TestSub/good","Output":"--- PASS: TestSub/good (0.00s)\n"}
{"Time":"2026-12-02T10:43:02.72144647Z","Action":"pass","Package":"example.com/m/a","Test":"TestSub/good","Elapsed":0}
{"Time":"2026-12-02T10:43:02.721450127Z","Action":"run","Package":"example.com/m/a","Test":"TestSub/bad_one"}
{"Time":"2026-12-02T10:43:02.721465696Z","Action":"output","Package":"example.com/m/a","Test":"TestSub/bad_one","Output":"=== RUN   TestSub/bad_one\n"}
{"Time":"2026-12-02T10:43:02.721469334Z","Action":"output","Package":"example.com/m/a","Test":"TestSub/bad_one","Output":"    a_test.go:16: sub failed\n"}
{"Time":"2026-12-02T10:43:02.721473271Z","Action":"output","Package":"example.com/m/a","Test":"TestSub/bad_one","Output":"--- FAIL: TestSub/bad_one (0.00s)\n"}
{"Time":"2026-12-02T10:43:02.721477138Z","Action":"fail","Package":"example.com/m/a","Test":"TestSub/bad_one","Elapsed":0}
{"Time":"2026-12-02T10:43:02.721481045Z","Action":"output","Package":"example.com/m/a","Test":"TestSub","Output":"--- FAIL: TestSub (0.00s)\n"}
{"Time":"2026-12-02T10:43:02.721484823Z","Action":"fail","Package":"example.com/m/a","Test":"TestSub","Elapsed":0}
{"Time":"2026-12-02T10:43:02.721551239Z","Action":"output","Package":"example.com/m/a","Output":"FAIL\n"}
{"Time":"2026-12-02T10:43:02.729835795Z","Action":"output","Package":"example.com/m/a","Output":"FAIL\texample.com/m/a\t0.084s\n"}
{"Time":"2026-12-02T10:43:02.729966204Z","Action":"fail","Package":"example.com/m/a","Elapsed":0.087}
{"Time":"2026-12-02T10:43:02.748547428Z","Action":"start","Package":"example.com/m/b"}
{"Time":"2026-12-02T10:43:02.748631929Z","Action":"output","Package":"example.com/m/b","Output":"FAIL\texample.com/m/b [build failed]\n"}
{"Time":"2026-12-02T10:43:02.748644332Z","Action":"fail","Package":"example.com/m/b","Elapsed":0,"FailedBuild":"example.com/m/b [example.com/m/b.test]"}
{"Time":"2026-12-02T10:43:03.036847954Z","Action":"start","Package":"example.com/m/c"}
{"Time":"2026-12-02T10:43:03.13097505Z","Action":"run","Package":"example.com/m/c","Test":"TestC"}
{"Time":"2026-12-02T10:43:03.131063608Z","Action":"output","Package":"example.com/m/c","Test":"TestC","Output":"=== RUN   TestC\n"}
{"Time":"2026-12-02T10:43:03.131134583Z","Action":"output","Package":"example.com/m/c","Test":"TestC","Output":"    c_test.go:5: passing tests say nothing\n"}
{"Time":"2026-12-02T10:43:03.131150373Z","Action":"output","Package":"example.com/m/c","Test":"TestC","Output":"--- PASS: TestC (0.00s)\n"}
{"Time":"2026-12-02T10:43:03.131156304Z","Action":"pass","Package":"example.com/m/c","Test":"TestC","Elapsed":0}
{"Time":"2026-12-02T10:43:03.13119612Z","Action":"output","Package":"example.com/m/c","Output":"PASS\n"}
{"Time":"2026-12-02T10:43:03.131421609Z","Action":"output","Package":"example.com/m/c","Output":"ok  \texample.com/m/c\t0.094s\n"}
{"Time":"2026-12-02T10:43:03.131472336Z","Action":"pass","Package":"example.com/m/c","Elapsed":0.095}
{"Time":"2026-12-02T10:43:03.27177378Z","Action":"start","Package":"example.com/m/d"}
{"Time":"2026-12-02T10:43:03.271875494Z","Action":"output","Package":"example.com/m/d","Output":"?   \texample.com/m/d\t[no test files]\n"}
{"Time":"2026-12-02T10:43:03.271886555Z","Action":"skip","Package":"example.com/m/d","Elapsed":0}
`

// goTestText is what test.sh prints of goTestJSON: go test's own lines,
// and the output of the failed tests only.
const goTestText = "# example.com/m/b [example.com/m/b.test]\n" +
	"b/b_test.go:5:28: undefined: undefined\n" +
	"--- FAIL: TestFail (0.00s)\n" +
	"printed \"quoted\" \\ <tag> & tab\there\n" +
	"    a_test.go:12: boom: \"x\\\"}\"\n" +
	"--- FAIL: TestSub (0.00s)\n" +
	"--- FAIL: TestSub/bad_one (0.00s)\n" +
	"    a_test.go:16: sub failed\n" +
	"FAIL\n" +
	"FAIL\texample.com/m/a\t0.084s\n" +
	"FAIL\texample.com/m/b [build failed]\n" +
	"ok  \texample.com/m/c\t0.094s\n" +
	"?   \texample.com/m/d\t[no test files]\n"

// fakeGo stands for go test -json: it records its arguments, its $TMPDIR
// and what that held (go-tmpdir), prints $FAKE_GO_JSON, line by line,
// where a line "sleep N" waits N seconds, does what $FAKE_GO_DO says and
// exits with $FAKE_GO_EXIT.
// fakeGo records its calls; "go list" prints the lines of FAKE_GO_LIST
// (default example.com/m/a), or fails with FAKE_GO_LIST_FAIL; any other
// call prints the lines of $FAKE_GO_JSON (a line "sleep N" sleeps
// instead), after noting its $TMPDIR and what it holds in
// $FAKE_AZ_DIR/go-tmpdir, then runs FAKE_GO_DO and exits FAKE_GO_EXIT.
const fakeGo = `#!/usr/bin/env bash
echo "go $*" >> "$FAKE_LOG"
if [ "$1" = list ]; then
  [ -z "${FAKE_GO_LIST_FAIL:-}" ] || { echo "go: cannot list the packages" >&2; exit 1; }
  printf '%s\n' "${FAKE_GO_LIST:-example.com/m/a}"
  exit 0
fi
{ echo "$TMPDIR"; ls -A "$TMPDIR"; } > "$FAKE_AZ_DIR/go-tmpdir"
while IFS= read -r l; do
  case "$l" in
    "sleep "*) sleep "${l#sleep }" ;;
    *) printf '%s\n' "$l" ;;
  esac
done < "$FAKE_GO_JSON"
eval "${FAKE_GO_DO:-}"
exit "${FAKE_GO_EXIT:-0}"
`

// goTestEnv is a test environment where go is fakeGo, printing events,
// and sleep is the real one; $TMPDIR is a directory of the test's.
func goTestEnv(t *testing.T, events string, extra ...string) (*env, string) {
	t.Helper()
	e := newEnv(t, false)
	e.without("go")
	e.without("sleep")
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sleep, filepath.Join(e.bin, "sleep")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	json := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(json, []byte(events), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	e.extra = append([]string{"FAKE_GO_JSON=" + json, "TMPDIR=" + tmp, "TEST_BIN=" + testBin(e)}, extra...)
	return e, tmp
}

// TestTestPrintsWhatGoTestPrints: make test (test.sh) shows go test's
// lines and the failed tests' output, passes go test's arguments and exit
// status on, and runs every package by default, with go test's cache
// unless TEST_FRESH=1.
// testBin is where test.sh keeps test binaries in a goTestEnv.
func testBin(e *env) string { return filepath.Join(e.state, "testbin") }

func TestTestPrintsWhatGoTestPrints(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"1", "2"} {
		e, _ := goTestEnv(t, goTestJSON, "FAKE_GO_EXIT="+code)
		out, status := e.run("test.sh", "-run", "TestX", "./config")
		if out != goTestText || status != int(code[0]-'0') {
			t.Errorf("exit %d (go test's: %s)\n got:\n%s\nwant:\n%s", status, code, out, goTestText)
		}
		equal(t, "go test's arguments", e.callsOf("go"), []string{"go test -json -run TestX ./config"})
	}
	// Without arguments, every package runs from the kept test binaries,
	// in rounds of distinct binary names.
	list := "FAKE_GO_LIST=example.com/m/a\nexample.com/m/cmd/tool\nexample.com/m/tools/tool\nexample.com/m/x/tool\nexample.com/m/b"
	e, _ := goTestEnv(t, "", list)
	if out, status := e.run("test.sh"); status != 0 || out != "" {
		t.Errorf("exit %d\n%s", status, out)
	}
	bin := testBin(e)
	equal(t, "go test's default arguments", e.callsOf("go"), []string{
		"go list ./...",
		"go test -json -ldflags=-w -o " + bin + "/0/ example.com/m/a example.com/m/cmd/tool example.com/m/b",
		"go test -json -ldflags=-w -o " + bin + "/1/ example.com/m/tools/tool",
		"go test -json -ldflags=-w -o " + bin + "/2/ example.com/m/x/tool",
	})
	// By default the binaries are kept outside the checkout, in a
	// directory of its own under the user's cache.
	e, _ = goTestEnv(t, "", list)
	cache := t.TempDir()
	e.extra = append(slices.DeleteFunc(e.extra, func(kv string) bool { return strings.HasPrefix(kv, "TEST_BIN=") }), "XDG_CACHE_HOME="+cache)
	if out, status := e.run("test.sh"); status != 0 || len(e.callsOf("go")) != 4 || !strings.HasPrefix(e.callsOf("go")[1], "go test -json -ldflags=-w -o "+cache+"/perpetual-infra/testbin/") {
		t.Errorf("exit %d, calls %q\n%s", status, e.callsOf("go"), out)
	}
	// TEST_FRESH=1 runs every test again instead of reusing go test's
	// cached results.
	e, _ = goTestEnv(t, "", list, "TEST_FRESH=1")
	if out, status := e.run("test.sh"); status != 0 || len(e.callsOf("go")) != 4 || !strings.HasPrefix(e.callsOf("go")[1], "go test -json -count=1 -ldflags=-w -o ") {
		t.Errorf("exit %d, calls %q\n%s", status, e.callsOf("go"), out)
	}
	// A failed round's status is the run's, and the rounds after it still
	// run.
	e, _ = goTestEnv(t, "", list, "FAKE_GO_EXIT=1")
	if _, status := e.run("test.sh"); status != 1 || len(e.callsOf("go")) != 4 || !strings.Contains(e.callsOf("go")[3], "-o "+testBin(e)+"/2/ ") {
		t.Errorf("exit %d, calls %q", status, e.callsOf("go"))
	}
	// Packages that cannot be listed are not a run that passed.
	e, _ = goTestEnv(t, "", "FAKE_GO_LIST_FAIL=1")
	if out, status := e.run("test.sh"); status != 1 || !strings.Contains(out, "go: cannot list the packages") {
		t.Errorf("exit %d\n%s", status, out)
	}
	equal(t, "go calls when the list fails", e.callsOf("go"), []string{"go list ./..."})
}

// TestTestSaysWhatRuns: a package that runs longer than TEST_PROGRESS
// seconds gets a line saying so, and another each TEST_PROGRESS seconds,
// while it runs.
func TestTestSaysWhatRuns(t *testing.T) {
	t.Parallel()
	events := `{"Action":"start","Package":"example.com/m/slow"}
{"Action":"start","Package":"example.com/m/quick"}
{"Action":"output","Package":"example.com/m/quick","Output":"ok  \texample.com/m/quick\t0.01s\n"}
{"Action":"pass","Package":"example.com/m/quick","Elapsed":0.01}
sleep 3.5
{"Action":"output","Package":"example.com/m/slow","Output":"ok  \texample.com/m/slow\t3.50s\n"}
{"Action":"pass","Package":"example.com/m/slow","Elapsed":3.5}
`
	e, _ := goTestEnv(t, events, "TEST_PROGRESS=1")
	out, status := e.run("test.sh")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if status != 0 || len(lines) < 4 || lines[0] != "ok  \texample.com/m/quick\t0.01s" || lines[len(lines)-1] != "ok  \texample.com/m/slow\t3.50s" {
		t.Fatalf("exit %d\n%s", status, out)
	}
	for i, l := range lines[1 : len(lines)-1] {
		if want := "... \texample.com/m/slow\t"; !strings.HasPrefix(l, want) || !strings.HasSuffix(l, "s so far") {
			t.Errorf("line %d: %q, want %q...", i+2, l, want)
		}
	}
	e, _ = goTestEnv(t, events, "TEST_PROGRESS=20s")
	if out, status := e.run("test.sh"); status != 2 || !strings.Contains(out, "TEST_PROGRESS must be a number of seconds, not '20s'") {
		t.Errorf("exit %d\n%s", status, out)
	}
}

// TestTestFailsOnWhatIsLeftInTMPDIR: the tests get a $TMPDIR of their own,
// empty; anything left in it fails the run, named, and the directory is
// removed afterwards.
func TestTestFailsOnWhatIsLeftInTMPDIR(t *testing.T) {
	t.Parallel()
	passed := `{"Action":"start","Package":"example.com/m/c"}
{"Action":"output","Package":"example.com/m/c","Output":"ok  \texample.com/m/c\t0.094s\n"}
{"Action":"pass","Package":"example.com/m/c","Elapsed":0.095}
`
	e, tmp := goTestEnv(t, passed,
		`FAKE_GO_DO=mkdir "$TMPDIR/jsii-runtime.123" && : >"$TMPDIR/.hidden"`)
	out, status := e.run("test.sh")
	if status != 1 || !strings.Contains(out, "ok  \texample.com/m/c") || !strings.Contains(out, "FAIL: the tests left these in their $TMPDIR; a test, or a program it ran, does not clean up:\n  .hidden\n  jsii-runtime.123\n") {
		t.Errorf("exit %d\n%s", status, out)
	}
	b, err := os.ReadFile(filepath.Join(e.state, "go-tmpdir"))
	if err != nil {
		t.Fatal(err)
	}
	if dir, rest, _ := strings.Cut(string(b), "\n"); filepath.Dir(dir) != tmp || rest != "" {
		t.Errorf("go test ran with TMPDIR %q, holding %q: want an empty directory of its own in %s", dir, rest, tmp)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("test.sh left %v in %s", left, tmp)
	}
	// The next run gets the same directory (go test's cache compares
	// $TMPDIR), emptied of what an interrupted run left there.
	first, _, _ := strings.Cut(string(b), "\n")
	if err := os.MkdirAll(first, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(first, "interrupted"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	e.extra = slices.DeleteFunc(e.extra, func(kv string) bool { return strings.HasPrefix(kv, "FAKE_GO_DO=") })
	if out, status := e.run("test.sh"); status != 0 {
		t.Errorf("second run: exit %d\n%s", status, out)
	}
	if b, err := os.ReadFile(filepath.Join(e.state, "go-tmpdir")); err != nil || string(b) != first+"\n" {
		t.Errorf("second run: go test ran with TMPDIR and contents %q, want %q, empty", b, first)
	}
	// A failed go test keeps its exit status.
	e, _ = goTestEnv(t, "", `FAKE_GO_DO=: >"$TMPDIR/x"`, "FAKE_GO_EXIT=2")
	if out, status := e.run("test.sh"); status != 2 || !strings.Contains(out, "  x\n") {
		t.Errorf("exit %d\n%s", status, out)
	}
}
