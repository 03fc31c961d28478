package cost

import (
	"bytes"
	"strings"
	"testing"
)

func TestRenderDiff(t *testing.T) {
	base, err := EstimateAll(golden(t))
	if err != nil {
		t.Fatal(err)
	}
	changed := golden(t)
	changed["dev"] = bytes.Replace(changed["dev"], []byte(`"vm_size": "Standard_B2als_v2"`), []byte(`"vm_size": "Standard_D2s_v5"`), 1)
	delete(changed, "prod-k8s")
	head, err := EstimateAll(changed)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	RenderDiff(&out, base, head)
	for _, want := range []string{
		"Stack dev: $66.72 -> $109.35 a month (+42.63)",
		"~ Nodes (system pool)  Standard_B2als_v2 x 1 -> Standard_D2s_v5 x 1  $27.45 -> $70.08",
		"Stack prod-k8s (removed)",
		"Unchanged: dev-k8s, prod\n",
		"All stacks: $177.59 -> $220.22 a month (+42.63)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
	out.Reset()
	RenderDiff(&out, base, base)
	if !strings.Contains(out.String(), "Unchanged: dev, dev-k8s, prod, prod-k8s") || strings.Contains(out.String(), "Stack ") {
		t.Errorf("no change, yet:\n%s", out.String())
	}
}
