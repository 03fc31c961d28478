package kubelive

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// These tests start nothing; make ktest runs the control plane.

func TestControllerManagerArgs(t *testing.T) {
	args := kubeControllerManagerArgs("/tmp/kc", 2*time.Second)
	for _, want := range []string{
		"--kubeconfig=/tmp/kc",
		"--secure-port=0", // no port to collide with anything
		"--leader-elect=false",
		"--pvclaimbinder-sync-period=2s",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("args %q lack %s", args, want)
		}
	}
	var controllers string
	for _, a := range args {
		if c, ok := strings.CutPrefix(a, "--controllers="); ok {
			controllers = c
		}
	}
	// The binder binds the claim; without the protection controllers no
	// claim or volume can be deleted; without the namespace controller no
	// namespace.
	for _, want := range []string{"persistentvolume-binder-controller", "persistentvolumeclaim-protection-controller", "persistentvolume-protection-controller", "namespace-controller"} {
		if !slices.Contains(strings.Split(controllers, ","), want) {
			t.Errorf("controllers %q lack %s", controllers, want)
		}
	}
	if slices.ContainsFunc(kubeControllerManagerArgs("/tmp/kc", 0), func(a string) bool { return strings.HasPrefix(a, "--pvclaimbinder-sync-period") }) {
		t.Error("a zero sync period is passed on instead of left to the default")
	}
}

func TestKubeconfigHasOnlyTheLocalContext(t *testing.T) {
	c := clientcmdapi.NewConfig()
	c.Clusters["envtest"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:40000"}
	c.AuthInfos["envtest"] = &clientcmdapi.AuthInfo{Token: "t"}
	c.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "envtest"}
	c.CurrentContext = "envtest"
	raw, err := clientcmd.Write(*c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := writeKubeconfig(raw, path); err != nil {
		t.Fatal(err)
	}
	got, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Contexts) != 1 || got.Contexts[Context] == nil || got.CurrentContext != Context || got.Clusters[got.Contexts[Context].Cluster].Server != "https://127.0.0.1:40000" {
		t.Errorf("kubeconfig: contexts %v, current %q", got.Contexts, got.CurrentContext)
	}
}

func TestMissingBinaries(t *testing.T) {
	dir := t.TempDir()
	for _, b := range []string{"etcd", "kube-apiserver"} {
		if err := os.WriteFile(filepath.Join(dir, b), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Not executable.
	if err := os.WriteFile(filepath.Join(dir, "kube-controller-manager"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := missingBinaries(dir); !slices.Equal(got, []string{"kube-controller-manager"}) {
		t.Errorf("missing %q", got)
	}
}

func TestAdded(t *testing.T) {
	before := []string{"Namespace default", "ServiceAccount default/default"}
	after := []string{"Namespace default", "PersistentVolume perpetual-dev-ipfs-data", "ServiceAccount default/default"}
	if got := Added(before, after); !slices.Equal(got, []string{"PersistentVolume perpetual-dev-ipfs-data"}) {
		t.Errorf("added %q", got)
	}
}
