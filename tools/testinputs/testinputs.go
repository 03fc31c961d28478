// Package testinputs declares to go test's result cache what a test
// package's child processes read, so that a cached result is reused only
// while those inputs are unchanged.
//
// go test reuses a package's last result when its test binary and the
// inputs the test process itself consulted (files it opened, variables it
// read; "go help testflag") are unchanged. A program the tests start
// (a script, the cdktf CLI, Node.js for jsii, go list) reads files and
// variables that the test process never sees. A package whose tests start
// programs calls these functions from the tests, or the helpers they
// share, that start them: each opens a file or directory, or reads a
// variable, which go test records and checks on the next run. go test
// records only while the tests run (inside m.Run): what TestMain does
// before m.Run is not seen, so a declaration there is lost. An opened
// directory stands for the size, mode and modification time of each of
// its entries.
//
// Files outside the module (installed tools, $TMPDIR, the kept test
// binaries) are not checked by go test; the variables (PATH among them)
// are.
package testinputs

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// programVars are variables that change what this project's programs and
// tools do when they are set; Env declares them set or not.
var programVars = []string{
	"PATH", "HOME", "TMPDIR", "SHELL", "LANG", "LC_ALL", "TZ", "BASH_ENV", "ENV", "CDPATH",
	"GOFLAGS", "GOTOOLCHAIN", "GOPROXY", "GOCACHE", "GOMODCACHE", "CGO_ENABLED",
	"NODE_OPTIONS", "NODE_PATH", "NODE_EXTRA_CA_CERTS", "NODE_DISABLE_COMPILE_CACHE", "NODE_COMPILE_CACHE",
	"JSII_RUNTIME", "JSII_NODE", "JSII_DEBUG", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION",
	"CDKTF_OUTDIR", "CDKTF_LOG_LEVEL", "CDKTF_CONTEXT_JSON", "CHECKPOINT_DISABLE",
	"TF_CLI_CONFIG_FILE", "TF_DATA_DIR", "TF_LOG", "TF_PLUGIN_CACHE_DIR", "TF_INPUT",
	"KUBEBUILDER_ASSETS", "TEST_BIN", "CMD_BIN",
}

// Env declares the environment: every variable set now, with its value,
// and the variables the project's programs read when they are set.
func Env() {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		os.Getenv(name)
	}
	for _, name := range programVars {
		os.Getenv(name)
	}
}

// Paths declares files and directories (a directory: its entries, not
// what is below them); a path that does not exist is declared absent.
func Paths(paths ...string) {
	for _, p := range paths {
		if f, err := os.Open(p); err == nil {
			_ = f.Close()
		}
	}
}

// Trees declares each directory given and every directory below it, so
// that any file added, removed or changed under them counts; a root that
// does not exist is declared absent.
func Trees(roots ...string) {
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				Paths(p) // an absent or unreadable one as it is
			}
			return nil
		})
	}
}
