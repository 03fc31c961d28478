package config

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/testinputs"
)

// TestReadingConfigurationNeedsNoJSII: the configuration, the guardrails'
// rules and the commands that only read configuration build without jsii
// and cdktf, so they start in milliseconds, need no Node.js and cannot
// reach the JavaScript side. Dependencies point down: the stacks use the
// configuration, never the other way round.
func TestReadingConfigurationNeedsNoJSII(t *testing.T) {
	pkgs := []string{"./config", "./guardrails", "./cmd/envinfo"}
	cmd := exec.Command("go", append([]string{"list", "-deps", "-f", "{{.ImportPath}} {{.Dir}}"}, pkgs...)...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	heavy := regexp.MustCompile(`jsii|cdktf|constructs-go`)
	var deps []string
	for line := range strings.Lines(string(out)) {
		path, dir, _ := strings.Cut(strings.TrimSpace(line), " ")
		deps = append(deps, path)
		// go list read the packages' sources, which go test's cache
		// does not see; their directories are this result's inputs.
		testinputs.Paths(dir)
	}
	if len(deps) < 10 {
		t.Fatalf("go list -deps %v listed only %v", pkgs, deps)
	}
	for _, dep := range deps {
		if heavy.MatchString(dep) {
			t.Errorf("%v depend on %s; keep jsii and cdktf in stacks/ and constructs/", pkgs, dep)
		}
	}
}
