// Package synthtest is the test harness of this project: it synthesizes
// stacks and looks things up in the resulting Terraform JSON, with failure
// messages that say what was looked for and what was there.
//
// jsii runs one Node.js process per Go process and loading a provider costs
// seconds, so a test package builds all the stacks it needs once, with
// [Once] (or in TestMain when it needs a full app on disk), and its tests
// share the results. Never call jsii from parallel goroutines: no
// t.Parallel around synthesis.
//
// Every package whose tests synthesize runs them through [Main], from its
// TestMain: it ends jsii's Node.js process and removes what the syntheses
// put in $TMPDIR, so that a test run leaves nothing there.
package synthtest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataazurermclientconfig"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/provider"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"
	kubeprovider "github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/provider"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/jsiiproc"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/testinputs"
)

// inMain is set while [Main] runs the tests; tmp is the directory it
// removes at the end, where [TempDir] makes directories.
var (
	inMain bool
	tmp    string
)

// Main runs a test package's tests with run (m.Run, or a function that
// prepares what the tests share and then calls m.Run), then ends jsii's
// Node.js process (through jsiiproc, which also removes the runtime jsii
// unpacked into $TMPDIR when the package's binary started) and removes
// the output directories of [Once]'s testing apps, and exits with run's
// status:
//
//	func TestMain(m *testing.M) { synthtest.Main(m.Run) }
func Main(run func() int) {
	os.Exit(runMain(run))
}

func runMain(run func() int) int {
	stop, err := jsiiproc.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	if tmp, err = os.MkdirTemp("", "synthtest-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	inMain = true
	return run()
}

// StackJSON returns the stack's Terraform JSON as cdktf holds it before
// writing it, without running validations: with the "//" metadata that
// names each resource's construct path, as the guardrails read it.
func StackJSON(tb testing.TB, stack cdktf.TerraformStack) *stackjson.Stack {
	tb.Helper()
	testinputs.Env() // Node.js synthesizes, as in Once
	raw, err := json.Marshal(stack.ToTerraform())
	if err != nil {
		tb.Fatal(err)
	}
	s, err := stackjson.Parse(*stack.Node().Id(), raw)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Stacks are the synthesized stacks of a test package, by stack name.
type Stacks map[string]*Doc

// Once returns the synthesis of a test package: its first call makes a
// testing app, lets build add stacks to it, and synthesizes every stack
// (with validations); every call returns that same result, and a failed
// synthesis fails each test that asks. Declare it as a package variable,
// and run the package's tests through [Main], which removes the app's
// output directory:
//
//	var synth = synthtest.Once(func(app cdktf.App) { ... })
//	func TestX(t *testing.T) { doc := synth(t)["stack"] }
func Once(build func(app cdktf.App)) func(tb testing.TB) Stacks {
	result := sync.OnceValues(func() (stacks Stacks, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("synthesis failed: %v", r)
			}
		}()
		// Node.js synthesizes: its variables, and PATH, which finds it,
		// are the results' inputs for go test's cache.
		testinputs.Env()
		// In a directory of Main's: cdktf's own default is a new
		// cdktf.outdir.* in $TMPDIR that nothing removes.
		outdir, err := TempDir("app-")
		if err != nil {
			return nil, err
		}
		app := cdktf.Testing_App(&cdktf.TestingAppConfig{Outdir: jsii.String(outdir)})
		build(app)
		stacks = Stacks{}
		for _, c := range *app.Node().Children() {
			if !*cdktf.TerraformStack_IsStack(c) {
				continue
			}
			// In memory, with validations: no "//" metadata, sorted keys.
			raw := cdktf.Testing_Synth(c.(cdktf.TerraformStack), jsii.Bool(true))
			s, err := stackjson.Parse(*c.Node().Id(), []byte(*raw))
			if err != nil {
				return nil, err
			}
			stacks[s.Name] = &Doc{s}
		}
		return stacks, nil
	})
	return func(tb testing.TB) Stacks {
		tb.Helper()
		stacks, err := result()
		if err != nil {
			tb.Fatal(err)
		}
		return stacks
	}
}

// TempDir returns a new directory, named with prefix, in the one [Main]
// removes when the tests have run: for a synthesis that the tests of a
// package share, which t.TempDir would remove with the first of them.
func TempDir(prefix string) (string, error) {
	if !inMain {
		return "", fmt.Errorf("synthtest needs the package's tests run through synthtest.Main: func TestMain(m *testing.M) { synthtest.Main(m.Run) }")
	}
	return os.MkdirTemp(tmp, prefix)
}

// NewAzureStack returns a stack of a testing app with an azurerm provider,
// for constructs that create Azure resources.
func NewAzureStack(app cdktf.App, id string) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(app, jsii.String(id))
	provider.NewAzurermProvider(stack, jsii.String("azurerm"), &provider.AzurermProviderConfig{
		Features: &[]*provider.AzurermProviderFeatures{{}},
	})
	return stack
}

// Placement creates a resource group "rg" in eastus in stack and returns
// the placement of construct tests: that group, eastus, tag project=p.
func Placement(stack cdktf.TerraformStack) azure.Placement {
	rg := resourcegroup.NewResourceGroup(stack, jsii.String("rg"), &resourcegroup.ResourceGroupConfig{
		Name: jsii.String("rg"), Location: jsii.String("eastus"),
	})
	return azure.Placement{ResourceGroup: rg, Location: "eastus", Tags: map[string]string{"project": "p"}}
}

// Client adds the data source azurerm_client_config "current" to stack: the
// tenant and the principal running Terraform, for constructs that take
// them.
func Client(stack cdktf.TerraformStack) dataazurermclientconfig.DataAzurermClientConfig {
	return dataazurermclientconfig.NewDataAzurermClientConfig(stack, jsii.String("current"), &dataazurermclientconfig.DataAzurermClientConfigConfig{})
}

// NewKubernetesStack returns a stack of a testing app with a kubernetes
// provider, for constructs that create Kubernetes objects.
func NewKubernetesStack(app cdktf.App, id string) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(app, jsii.String(id))
	kubeprovider.NewKubernetesProvider(stack, jsii.String("kubernetes"), &kubeprovider.KubernetesProviderConfig{})
	return stack
}

// App is a synthesized app: the output directory and every stack in it.
type App struct {
	Dir    string
	Stacks map[string]*Doc
}

// SynthApp calls build with a new app writing into dir, synthesizes it, and
// reads every stack the manifest lists.
func SynthApp(dir string, build func(app cdktf.App)) (app *App, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synthesis failed: %v", r)
		}
	}()
	testinputs.Env() // Node.js synthesizes, as in Once
	a := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(dir), StackTraces: jsii.Bool(false)})
	build(a)
	a.Synth()
	stacks, err := stackjson.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	app = &App{Dir: dir, Stacks: map[string]*Doc{}}
	for name, s := range stacks {
		app.Stacks[name] = &Doc{s}
	}
	return app, nil
}

// ReadTree reads every file under root, keyed by its slash-separated path
// relative to root.
func ReadTree(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	tree := os.DirFS(root)
	err := fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[p], err = fs.ReadFile(tree, p)
		return err
	})
	return files, err
}
