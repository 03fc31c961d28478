package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// provider-mirror.sh builds each provider of bindings/*.schema.json at the
// schema's version from the tag v<version> into the layout Terraform's
// filesystem mirror reads, writes a terraformrc for it, prints the variable
// to export, and does not build a provider twice. The providers here are
// tiny Go programs in local repositories tagged like the real ones.
func TestProviderMirror(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	if p, err := exec.LookPath("tar"); err != nil {
		t.Fatal(err)
	} else if err := os.Symlink(p, filepath.Join(e.bin, "tar")); err != nil {
		t.Fatal(err)
	}
	repos := t.TempDir()
	var args []string
	versions := map[string]string{}
	for _, name := range []string{"azurerm", "kubernetes"} {
		b, err := os.ReadFile(filepath.Join("..", "bindings", name+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`"registry.terraform.io/hashicorp/` + name + `":\s*"([0-9.]+)"`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("bindings/%s.schema.json: no provider_versions entry", name)
		}
		versions[name] = string(m[1])
		dir := filepath.Join(repos, name)
		files := map[string]string{
			"go.mod":  "module github.com/hashicorp/terraform-provider-" + name + "\n\ngo 1.22\n",
			"main.go": "package main\n\nfunc main() {}\n",
		}
		for f, body := range files {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.email=test@example.com", "-c", "user.name=test", "commit", "-q", "-m", "provider"}, {"tag", "v" + versions[name]}, {"tag", "v99.0.0"}} {
			if out, err := command(t, "git", append([]string{"-C", dir}, c...)...).CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", c, err, out)
			}
		}
		args = append(args, name+"="+dir)
	}
	mirror := t.TempDir()
	e.extra = append(e.extra, "PROVIDER_MIRROR="+mirror)

	out, code := e.run("provider-mirror.sh", args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	contains(t, out, "TF_CLI_CONFIG_FILE="+filepath.Join(mirror, "terraformrc"))
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for name, v := range versions {
		bin := filepath.Join(mirror, "registry.terraform.io", "hashicorp", name, v, platform, "terraform-provider-"+name+"_v"+v)
		if fi, err := os.Stat(bin); err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("%s: not an executable in the mirror (%v)", name, err)
		}
	}
	rc, err := os.ReadFile(filepath.Join(mirror, "terraformrc"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rc), "filesystem_mirror") || !strings.Contains(string(rc), `path    = "`+mirror+`"`) {
		t.Errorf("terraformrc does not name the mirror:\n%s", rc)
	}

	out, code = e.run("provider-mirror.sh", args...)
	if code != 0 || strings.Contains(out, "building") || !strings.Contains(out, "already in") {
		t.Errorf("second run: exit %d, built again?\n%s", code, out)
	}

	// NAME@VERSION builds another version than the schema's, for
	// make provider-schema VERSION=...; the other provider is there already.
	out, code = e.run("provider-mirror.sh", "kubernetes@99.0.0="+filepath.Join(repos, "kubernetes"))
	if code != 0 {
		t.Fatalf("kubernetes@99.0.0: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "kubernetes", "99.0.0", platform, "terraform-provider-kubernetes_v99.0.0")); err != nil {
		t.Errorf("kubernetes@99.0.0 is not in the mirror: %v\n%s", err, out)
	}
	contains(t, out, "azurerm "+versions["azurerm"]+": already in")

	for _, bad := range []string{"nosuch=" + repos, "kubernetes@9.9", "kubernetes:" + repos} {
		if out, code := e.run("provider-mirror.sh", bad); code != 2 || !strings.Contains(out, "is not NAME[@VERSION][=GITDIR]") {
			t.Errorf("%s: exit %d\n%s", bad, code, out)
		}
	}

	if out, code := e.run("provider-mirror.sh", "--help"); code != 0 || !strings.Contains(out, "Usage: scripts/provider-mirror.sh") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}
