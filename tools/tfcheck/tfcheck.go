// Package tfcheck runs the real Terraform and providers on the synthesized
// stacks, without Azure credentials: `terraform validate`, and `terraform
// test` with mocked providers (every resource planned and applied through
// the provider's own validation) or with the kubernetes provider on a real
// API server (tools/kubelive).
//
// Each stack runs in its own working directory under Runner.Work: a copy of
// its cdk.tf.json, the test files of its sets (tftest/<set>/*.tftest.hcl),
// the shared mocks (tftest/mocks) and helper modules (tftest/modules). The
// stack's directory in cdktf.out is never touched, so its lock file and
// .terraform stay those of the registry providers that deploy it.
package tfcheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
)

// Stack is one synthesized stack to check.
type Stack struct {
	Name   string
	Config string   // the synthesized Terraform JSON (cdk.tf.json)
	Sets   []string // the test directories under the tests root that run against it
	// DataResources are the addresses of the resources that hold data. For
	// each, a generated test applies the stack and plans the resource's
	// replacement, which production must refuse (lifecycle.prevent_destroy)
	// and other environments must plan.
	DataResources  []string
	Production     bool
	ExpectedErrors []ExpectedError // runs that must end in an error
	// Override, when not empty, is written next to the configuration as
	// OverrideFile, whose blocks replace the same arguments in every run.
	Override []byte
	// Variants are other configurations of the stack, by name: test runs
	// reach each as the module ./variants/<name> and, with state_key =
	// "main", apply it to the stack's own state (as a deploy of another
	// version, or a change outside Terraform, would).
	Variants map[string][]byte
}

// OverrideFile is the name of the override file of Stack.Override.
const OverrideFile = "tfcheck_override.tf.json"

// ExpectedError is a run that must fail with a provider's error while
// applying, which expect_failures (custom conditions only) cannot expect:
// its status must be error, and one of its errors must come from Address
// and match Message. An error ends its test file, so such a run is the
// file's last.
type ExpectedError struct {
	Run     string
	Address string
	Message *regexp.Regexp
}

// MockSecrets are the values of the stacks' secret variables in tests, set
// by the runner so that no real secret from the caller's environment
// (TF_VAR_github_token, ...) reaches a test.
var MockSecrets = map[string]string{
	"github_username":  "mock-user",
	"github_token":     "ghp_mockmockmockmockmockmockmockmockmock",
	"ipfs_private_key": "CAESQmockmockmockmock",
}

// Runner runs Terraform on stacks.
type Runner struct {
	Terraform string // the terraform executable
	// Work holds one working directory per stack, kept between runs so that
	// `terraform init` finds its providers in place.
	Work  string
	Tests string // the root of the test sets and of mocks/
	// Env is added to the environment of every terraform command, which
	// otherwise is the caller's less the Kubernetes client settings
	// (clientFreeEnviron).
	Env []string
	Log io.Writer // progress and, on failure, Terraform's output
}

// MinVersion is the oldest Terraform the stacks support: write-only
// attributes and ephemeral variables need 1.11.
var MinVersion = [3]int{1, 11, 0}

// Version returns the version of r.Terraform.
func (r *Runner) Version() ([3]int, error) {
	out, err := exec.Command(r.Terraform, "version", "-json").Output()
	if err != nil {
		return [3]int{}, fmt.Errorf("%s version: %w", r.Terraform, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return [3]int{}, fmt.Errorf("%s version -json: %w", r.Terraform, err)
	}
	return ParseVersion(v.Version)
}

// ParseVersion parses "1.11.4" (a pre-release suffix is ignored).
func ParseVersion(s string) ([3]int, error) {
	var v [3]int
	if _, err := fmt.Sscanf(s, "%d.%d.%d", &v[0], &v[1], &v[2]); err != nil {
		return [3]int{}, fmt.Errorf("unexpected Terraform version %q", s)
	}
	return v, nil
}

// Less reports whether version a is older than b.
func Less(a, b [3]int) bool { return slices.Compare(a[:], b[:]) < 0 }

// prepare fills the stack's working directory and runs terraform init.
func (r *Runner) prepare(ctx context.Context, s Stack) (string, error) {
	dir := filepath.Join(r.Work, s.Name)
	// Tests and mocks of an earlier run go: a removed test must not run.
	for _, old := range []string{"tests", "mocks", "modules", "variants", "cdk.tf.json", OverrideFile} {
		if err := os.RemoveAll(filepath.Join(dir, old)); err != nil {
			return "", err
		}
	}
	config, err := os.ReadFile(s.Config)
	if err != nil {
		return "", err
	}
	files := map[string][]byte{"cdk.tf.json": config} // by path in dir
	if len(s.Override) > 0 {
		files[OverrideFile] = s.Override
	}
	for name, b := range s.Variants {
		files[filepath.Join("variants", name, "cdk.tf.json")] = b
	}
	for _, set := range s.Sets {
		tests, _ := filepath.Glob(filepath.Join(r.Tests, set, "*.tftest.hcl")) // a well-formed pattern
		if len(tests) == 0 {
			return "", fmt.Errorf("%s: no test files in %s", s.Name, filepath.Join(r.Tests, set))
		}
		for _, f := range tests {
			b, err := os.ReadFile(f)
			if err != nil {
				return "", err
			}
			// Prefixed with the set: two sets may have files of the same name.
			files[filepath.Join("tests", set+"-"+filepath.Base(f))] = b
		}
	}
	if len(s.DataResources) > 0 {
		providers, err := requiredProviders(s.Name, config)
		if err != nil {
			return "", err
		}
		for i, addr := range s.DataResources {
			files[filepath.Join("tests", fmt.Sprintf("keep-%02d.tftest.hcl", i+1))] = []byte(keepTest(addr, providers))
		}
	}
	for name, b := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.CopyFS(filepath.Join(dir, "mocks"), os.DirFS(filepath.Join(r.Tests, "mocks"))); err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(r.Tests, "modules")); err == nil {
		if err := os.CopyFS(filepath.Join(dir, "modules"), os.DirFS(filepath.Join(r.Tests, "modules"))); err != nil {
			return "", err
		}
	}
	if _, err := r.run(ctx, dir, "init", "-backend=false", "-input=false", "-no-color"); err != nil {
		return "", fmt.Errorf("%s: terraform init: %w", s.Name, err)
	}
	return dir, nil
}

// KeepRun is the name of the generated run that plans the replacement of a
// data resource.
const KeepRun = "replace"

// keepTest is the generated test file for one data resource: apply the
// stack, with a mock of each provider it requires, then plan the resource's
// replacement.
func keepTest(addr string, providers []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by tfcheck: may %s be replaced?\n\n", addr)
	for _, p := range providers {
		fmt.Fprintf(&b, "mock_provider %q {\n  source = \"./mocks/%s\"\n}\n\n", p, p)
	}
	b.WriteString("run \"apply\" {\n  command = apply\n}\n\n")
	fmt.Fprintf(&b, "run %q {\n  command = plan\n  plan_options {\n    replace = [%s]\n  }\n}\n", KeepRun, addr)
	return b.String()
}

// requiredProviders lists the local names of the providers a stack's
// configuration requires. A test file may mock only those: Terraform 1.15
// refuses a mock_provider the configuration does not use ("unknown
// provider"), which 1.11 let through.
func requiredProviders(name string, config []byte) ([]string, error) {
	st, err := stackjson.Parse(name, config)
	if err != nil {
		return nil, err
	}
	req, _ := st.Terraform().Get("required_providers")
	m, _ := req.(map[string]any)
	return slices.Sorted(maps.Keys(m)), nil
}

// Validate runs terraform init and validate on a stack.
func (r *Runner) Validate(ctx context.Context, s Stack) error {
	dir, err := r.prepare(ctx, s)
	if err != nil {
		return err
	}
	if _, err := r.run(ctx, dir, "validate", "-no-color"); err != nil {
		return fmt.Errorf("%s: terraform validate: %w", s.Name, err)
	}
	return nil
}

// Test runs terraform test on a stack, keeps its output as test.json in the
// working directory and checks its report ([Report.Check]).
func (r *Runner) Test(ctx context.Context, s Stack) (*Report, error) {
	dir, err := r.prepare(ctx, s)
	if err != nil {
		return nil, err
	}
	out, err := r.run(ctx, dir, "test", "-json", "-no-color")
	log := filepath.Join(dir, "test.json")
	if werr := os.WriteFile(log, out, 0o644); werr != nil {
		return nil, werr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: terraform test (output in %s): %w", s.Name, log, err)
	}
	rep, err := ParseReport(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("%s: reading terraform test output (%s): %w", s.Name, log, err)
	}
	if problems := rep.Check(s); len(problems) > 0 {
		return rep, fmt.Errorf("%s: terraform test (output in %s):\n  %s", s.Name, log, strings.Join(problems, "\n  "))
	}
	return rep, nil
}

// run runs terraform in dir and returns its standard output; an error
// carries the output, to show what Terraform said. When ctx ends, terraform
// gets an interrupt, and is killed 30 seconds later if still running.
func (r *Runner) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.Terraform, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	cmd.Dir = dir
	cmd.Env = append(clientFreeEnviron(), r.Env...)
	for k, v := range MockSecrets {
		cmd.Env = append(cmd.Env, "TF_VAR_"+k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if r.Log != nil {
		fmt.Fprintf(r.Log, "  terraform %s (%s, %.1fs)\n", strings.Join(args, " "), filepath.Base(dir), time.Since(start).Seconds())
	}
	if ctx.Err() != nil {
		return stdout.Bytes(), fmt.Errorf("terraform %s interrupted: %w", args[0], context.Cause(ctx))
	}
	if err != nil && args[0] != "test" {
		return stdout.Bytes(), fmt.Errorf("%w\n%s%s", err, stdout.String(), stderr.String())
	}
	// terraform test exits 1 whenever a run fails; the report says why.
	return stdout.Bytes(), nil
}

// clientFreeEnviron is the caller's environment without the settings that
// point Kubernetes clients at a cluster (KUBECONFIG, KUBE_*), so that no
// test reaches one of the caller's.
func clientFreeEnviron() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "KUBE_") || strings.HasPrefix(kv, "KUBECONFIG=")
	})
}

// Report is what `terraform test -json` said about one stack.
type Report struct {
	Passed    int                 // runs passed, from the test summary
	Runs      map[string]string   // "file/run" to status (pass, fail, error, skip)
	RunErrors map[string][]string // "file/run" to the errors reported while it ran
	// Refused maps "file/run" to the addresses whose destruction
	// lifecycle.prevent_destroy refused in that run.
	Refused map[string][]string
	// TeardownRefused are the addresses Terraform refused to destroy when
	// cleaning up after the tests; TeardownErrors every other cleanup error.
	TeardownRefused []string
	TeardownErrors  []string
	Summary         bool // false when the output ended without a test summary
	// Timings are how long each run and each file's cleanup took, in the
	// order they ended (empty when the output has no timestamps).
	Timings []Timing
}

// Timing is the duration of a run ("file/run") or of the cleanup of a file
// ("file/cleanup").
type Timing struct {
	Key     string
	Elapsed time.Duration
}

var preventDestroyDetail = regexp.MustCompile(`^Resource (\S+) has lifecycle\.prevent_destroy set`)

// ParseReport reads the machine-readable output of `terraform test -json`.
func ParseReport(r io.Reader) (*Report, error) {
	rep := &Report{Runs: map[string]string{}, RunErrors: map[string][]string{}, Refused: map[string][]string{}}
	teardown := map[string]bool{} // files whose cleanup has started
	started := map[string]time.Time{}
	timing := func(key string, at time.Time, begin bool) {
		switch {
		case at.IsZero():
		case begin:
			started[key] = at
		case !started[key].IsZero():
			rep.Timings = append(rep.Timings, Timing{key, at.Sub(started[key])})
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 || line[0] != '{' {
			continue
		}
		var m struct {
			Type      string    `json:"type"`
			Timestamp time.Time `json:"@timestamp"`
			TestFile  string    `json:"@testfile"`
			TestRun   string    `json:"@testrun"`
			File      *struct {
				Path     string `json:"path"`
				Progress string `json:"progress"`
			} `json:"test_file"`
			Run *struct {
				Path     string `json:"path"`
				Run      string `json:"run"`
				Progress string `json:"progress"`
				Status   string `json:"status"`
			} `json:"test_run"`
			Summary *struct {
				Passed int
			} `json:"test_summary"`
			Diagnostic *struct {
				Severity string `json:"severity"`
				Summary  string `json:"summary"`
				Detail   string `json:"detail"`
				Address  string `json:"address"`
			} `json:"diagnostic"`
		}
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, fmt.Errorf("%w: %.200s", err, line)
		}
		switch {
		case m.Type == "test_file" && m.File != nil && m.File.Progress == "teardown":
			teardown[m.TestFile] = true
			timing(m.File.Path+"/cleanup", m.Timestamp, true)
		case m.Type == "test_file" && m.File != nil && m.File.Progress == "complete":
			timing(m.File.Path+"/cleanup", m.Timestamp, false)
		case m.Type == "test_run" && m.Run != nil && m.Run.Progress == "starting":
			timing(m.Run.Path+"/"+m.Run.Run, m.Timestamp, true)
		case m.Type == "test_run" && m.Run != nil && m.Run.Progress == "complete":
			rep.Runs[m.Run.Path+"/"+m.Run.Run] = m.Run.Status
			timing(m.Run.Path+"/"+m.Run.Run, m.Timestamp, false)
		case m.Type == "test_summary" && m.Summary != nil:
			rep.Summary = true
			rep.Passed = m.Summary.Passed
		case m.Diagnostic != nil && m.Diagnostic.Severity == "error":
			refused := preventDestroyDetail.FindStringSubmatch(m.Diagnostic.Detail)
			msg := strings.TrimSuffix(strings.TrimSpace(m.Diagnostic.Summary+": "+m.Diagnostic.Detail), ":")
			if m.Diagnostic.Address != "" {
				msg = m.Diagnostic.Address + ": " + msg
			}
			key := m.TestFile + "/" + m.TestRun
			switch {
			case teardown[m.TestFile] && refused != nil:
				rep.TeardownRefused = append(rep.TeardownRefused, refused[1])
			case teardown[m.TestFile]:
				rep.TeardownErrors = append(rep.TeardownErrors, key+": "+msg)
			case refused != nil:
				rep.Refused[key] = append(rep.Refused[key], refused[1])
			default:
				rep.RunErrors[key] = append(rep.RunErrors[key], msg)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.Sort(rep.TeardownRefused)
	rep.TeardownRefused = slices.Compact(rep.TeardownRefused)
	return rep, nil
}

// Check returns what is wrong with the report of stack s:
//   - every run of the test sets passes;
//   - each generated replacement of a data resource is refused by
//     prevent_destroy (for that resource only) in production, and planned
//     elsewhere;
//   - each expected error (Stack.ExpectedErrors) happened, in its run;
//   - cleanup destroys everything, except in production, where it may only
//     be refused for data resources.
func (rep *Report) Check(s Stack) []string {
	var problems []string
	if !rep.Summary {
		problems = append(problems, "no test summary (did terraform test crash?)")
	}
	if len(rep.Runs) == 0 {
		problems = append(problems, "no test ran")
	}
	runs := slices.Sorted(maps.Keys(rep.Runs))
	for _, k := range runs {
		i := strings.LastIndex(k, "/")
		file, run := k[:i], k[i+1:]
		keep := strings.HasPrefix(filepath.Base(file), "keep-") && run == KeepRun
		status, errs := rep.Runs[k], rep.RunErrors[k]
		expected := slices.IndexFunc(s.ExpectedErrors, func(e ExpectedError) bool { return e.Run == run })
		switch {
		case expected >= 0:
			e := s.ExpectedErrors[expected]
			if status != "error" || !slices.ContainsFunc(errs, e.matches) {
				problems = append(problems, fmt.Sprintf("run %s: expected an error of %s matching %q, got status %s, errors %q", k, e.Address, e.Message, status, errs))
			}
		case keep && s.Production:
			addr := keepAddress(file, s.DataResources)
			if status == "pass" || !slices.Equal(rep.Refused[k], []string{addr}) || len(errs) > 0 {
				problems = append(problems, fmt.Sprintf("%s: replacing %s was not refused by prevent_destroy (status %s, refused %q, errors %q)", k, addr, status, rep.Refused[k], errs))
			}
		case keep:
			if status != "pass" {
				problems = append(problems, fmt.Sprintf("%s: replacing %s failed in a non-production stack (status %s, refused %q, errors %q)", k, keepAddress(file, s.DataResources), status, rep.Refused[k], errs))
			}
		case status != "pass":
			detail := slices.Clone(errs)
			for _, addr := range rep.Refused[k] {
				detail = append(detail, "refused to destroy "+addr)
			}
			problems = append(problems, fmt.Sprintf("run %s: %s: %s", k, status, strings.Join(detail, "; ")))
		}
	}
	for _, e := range s.ExpectedErrors {
		if !slices.ContainsFunc(runs, func(k string) bool { return strings.HasSuffix(k, "/"+e.Run) }) {
			problems = append(problems, fmt.Sprintf("run %s, which must fail, did not run", e.Run))
		}
	}
	problems = append(problems, rep.TeardownErrors...)
	for _, addr := range rep.TeardownRefused {
		if !s.Production || !slices.Contains(s.DataResources, addr) {
			problems = append(problems, fmt.Sprintf("cleanup: Terraform refused to destroy %s, which is not a production data resource", addr))
		}
	}
	return problems
}

// matches reports whether msg, an error of the report, is the expected one.
func (e ExpectedError) matches(msg string) bool {
	return strings.HasPrefix(msg, e.Address+": ") && e.Message.MatchString(msg)
}

// keepAddress returns the data resource of a generated test file
// (keep-NN.tftest.hcl, numbered from 1 in the order of addrs).
func keepAddress(file string, addrs []string) string {
	var n int
	if _, err := fmt.Sscanf(filepath.Base(file), "keep-%02d.tftest.hcl", &n); err != nil || n < 1 || n > len(addrs) {
		return "?"
	}
	return addrs[n-1]
}
