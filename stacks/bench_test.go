package stacks

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/provider"
	kubeprovider "github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/synthtest"
)

// BenchmarkSynthesis times, in the same run, the synthesis of every stack
// of config/ and the floor: an app whose only stacks are empty but declare
// the same providers, so that the same bindings are loaded. It reports both
// per iteration and their ratio (make bench).
func BenchmarkSynthesis(b *testing.B) {
	dir := b.TempDir()
	floor := func(app cdktf.App) {
		for _, name := range []string{"azure", "kubernetes"} {
			stack := cdktf.NewTerraformStack(app, jsii.String(name))
			provider.NewAzurermProvider(stack, jsii.String("azurerm"), &provider.AzurermProviderConfig{Features: &[]*provider.AzurermProviderFeatures{{}}})
			kubeprovider.NewKubernetesProvider(stack, jsii.String("kubernetes"), &kubeprovider.KubernetesProviderConfig{})
		}
	}
	all := func(app cdktf.App) { Build(app, cfgs) }
	run := func(build func(cdktf.App), i int, kind string) time.Duration {
		start := time.Now()
		out := filepath.Join(dir, fmt.Sprintf("%s-%d", kind, i))
		if _, err := synthtest.SynthApp(out, build); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		if err := os.RemoveAll(out); err != nil {
			b.Fatal(err)
		}
		return d
	}
	var allTotal, floorTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		floorTotal += run(floor, i, "floor")
		allTotal += run(all, i, "all")
	}
	n := float64(b.N)
	allMs := float64(allTotal.Milliseconds()) / n
	floorMs := float64(floorTotal.Milliseconds()) / n
	b.ReportMetric(allMs, "ms-all-stacks/op")
	b.ReportMetric(floorMs, "ms-empty-floor/op")
	if floorMs > 0 {
		b.ReportMetric(allMs/floorMs, "ratio")
	}
}
