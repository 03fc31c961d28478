package bindings

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// generated is the import path of the generated bindings module.
const generated = "github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/"

// imported returns, by provider, the binding packages that the project's Go
// code imports (the provider's own package, provider, included).
func imported(t *testing.T) map[string][]string {
	t.Helper()
	seen := map[string]map[string]bool{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != ".." && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			rest, ok := strings.CutPrefix(path, generated)
			if !ok {
				continue
			}
			provider, pkg, _ := strings.Cut(rest, "/")
			if seen[provider] == nil {
				seen[provider] = map[string]bool{}
			}
			seen[provider][pkg] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for provider, pkgs := range seen {
		out[provider] = slices.Sorted(maps.Keys(pkgs))
	}
	return out
}

// Every kept type is used: each one generated costs generation time and
// synthesis time (jsii loads the whole assembly). A type the code uses but
// the schema lacks fails the build instead.
func TestEveryKeptTypeIsUsed(t *testing.T) {
	providers, err := Providers()
	if err != nil {
		t.Fatal(err)
	}
	used := imported(t)
	for _, p := range providers {
		kept := map[string]string{"provider": "the provider"}
		for _, r := range p.Resources {
			kept[p.Package(r, false)] = r
		}
		for _, d := range p.DataSources {
			kept[p.Package(d, true)] = "data." + d
		}
		for _, pkg := range used[p.Name] {
			delete(kept, pkg)
		}
		for _, pkg := range slices.Sorted(maps.Keys(kept)) {
			t.Errorf("bindings/%s.schema.json keeps %s, which no Go code imports (%s%s/%s): drop it with `node bindings/bindings.js refresh %s --remove %s`",
				p.Name, kept[pkg], generated, p.Name, pkg, p.Name, kept[pkg])
		}
	}
	for provider := range used {
		if _, err := Lookup(provider); err != nil {
			t.Errorf("the code imports bindings of %s, which has no schema: %v", provider, err)
		}
	}
}

func TestProviders(t *testing.T) {
	providers, err := Providers()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range providers {
		names = append(names, p.Name)
		if p.Source != "hashicorp/"+p.Name || p.Version == "" || len(p.Resources) == 0 {
			t.Errorf("%+v", p)
		}
	}
	if want := []string{"azurerm", "kubernetes"}; !slices.Equal(names, want) {
		t.Errorf("providers %v, want %v", names, want)
	}
	for _, c := range []struct {
		provider, typ string
		data          bool
		want          string
	}{
		{"azurerm", "azurerm_key_vault", false, "keyvault"},
		{"azurerm", "azurerm_client_config", true, "dataazurermclientconfig"},
		{"kubernetes", "kubernetes_secret_v1", false, "secretv1"},
	} {
		p, err := Lookup(c.provider)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Package(c.typ, c.data); got != c.want {
			t.Errorf("Package(%s) = %s, want %s", c.typ, got, c.want)
		}
		if _, err := os.Stat(filepath.Join("..", ".gen", "providers", c.provider, c.want)); err != nil {
			t.Errorf("no generated package for %s: %v (make setup)", c.typ, err)
		}
	}
}
