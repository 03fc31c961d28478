// Package kubelive runs a throwaway Kubernetes control plane on this
// machine for the live tests of the in-cluster stacks: etcd and
// kube-apiserver started by envtest (sigs.k8s.io/controller-runtime/pkg/envtest),
// and kube-controller-manager with only the controllers the stacks rely on:
//
//   - persistentvolume-binder binds the static volume to its claim;
//   - persistentvolume-protection and persistentvolumeclaim-protection
//     remove the finalizers the API server puts on volumes and claims, so
//     they can be deleted;
//   - namespace deletes a namespace's content, then the namespace;
//   - serviceaccount creates each namespace's default service account.
//
// As in AKS, the API server runs the ServiceAccount admission plugin: a Pod
// is admitted only if its service account exists, and inherits the
// account's image pull secrets.
//
// The binaries come from one directory in the envtest layout
// (KUBEBUILDER_ASSETS). etcd and kube-apiserver listen on free ports envtest
// picks; kube-controller-manager serves none. The caller's clusters are
// never touched: envtest is told not to use an existing cluster, and the
// kubeconfig it writes names only the local API server.
package kubelive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Context is the only context of the kubeconfig the control plane writes;
// test files name it in their provider configuration to reach nothing else.
const Context = "tfcheck-live"

// binaries are the executables the assets directory must hold (upstream
// envtest archives lack kube-controller-manager).
var binaries = []string{"etcd", "kube-apiserver", "kube-controller-manager"}

// Controllers are the kube-controller-manager controllers that run.
var Controllers = []string{
	"persistentvolume-binder-controller",
	"persistentvolume-protection-controller",
	"persistentvolumeclaim-protection-controller",
	"namespace-controller",
	"serviceaccount-controller",
}

// Options configure [Start].
type Options struct {
	Assets string // the directory of the binaries (KUBEBUILDER_ASSETS)
	Dir    string // for the kubeconfig and the logs, kept after Stop
	// BinderSyncPeriod is kube-controller-manager's
	// --pvclaimbinder-sync-period: how often the volume binder looks at
	// every volume and claim again besides reacting to changes (0: 15s).
	BinderSyncPeriod time.Duration
}

// startTimeout bounds the start of each component.
const startTimeout = time.Minute

// ControlPlane is a running control plane. Stop it on every path.
type ControlPlane struct {
	Kubeconfig string               // an administrator's kubeconfig, with the single context [Context]
	Client     kubernetes.Interface // the API server as that administrator
	Version    string               // the API server's version (v1.35.4)

	env     *envtest.Environment
	kcm     *exec.Cmd
	kcmDone chan struct{}
	kcmErr  error
	kcmLog  string
	logs    map[string]*os.File // by binary
}

// missingBinaries returns the [binaries] that dir lacks.
func missingBinaries(dir string) []string {
	var missing []string
	for _, b := range binaries {
		if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, b)
		}
	}
	return missing
}

// Start starts etcd, kube-apiserver and kube-controller-manager and returns
// once the controllers run; on error it stops whatever had started.
func Start(ctx context.Context, o Options) (cp *ControlPlane, err error) {
	if missing := missingBinaries(o.Assets); len(missing) > 0 {
		return nil, fmt.Errorf("%s lacks %s", o.Assets, strings.Join(missing, ", "))
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	cp = &ControlPlane{Kubeconfig: filepath.Join(o.Dir, "kubeconfig"), logs: map[string]*os.File{}}
	defer func() {
		if err != nil {
			_ = cp.Stop() // the start error is the one to report
			cp = nil
		}
	}()

	for _, b := range binaries {
		if cp.logs[b], err = os.Create(filepath.Join(o.Dir, b+".log")); err != nil {
			return cp, err
		}
	}
	etcdLog, apiLog, kcmLog := cp.logs["etcd"], cp.logs["kube-apiserver"], cp.logs["kube-controller-manager"]
	cp.env = &envtest.Environment{
		UseExistingCluster:       ptr.To(false), // whatever USE_EXISTING_CLUSTER says
		BinaryAssetsDirectory:    o.Assets,
		ControlPlaneStartTimeout: startTimeout,
		ControlPlaneStopTimeout:  20 * time.Second,
	}
	cp.env.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(o.Assets, "etcd"), Out: etcdLog, Err: etcdLog}
	api := cp.env.ControlPlane.GetAPIServer()
	api.Path = filepath.Join(o.Assets, "kube-apiserver")
	api.Out, api.Err = apiLog, apiLog
	// envtest disables the ServiceAccount admission plugin, having no
	// controller that creates default service accounts; this one has.
	api.Configure().Disable("disable-admission-plugins")
	cfg, err := cp.env.Start()
	if err != nil {
		return cp, fmt.Errorf("starting etcd and kube-apiserver (logs in %s): %w", o.Dir, err)
	}

	if err := writeKubeconfig(cp.env.KubeConfig, cp.Kubeconfig); err != nil {
		return cp, err
	}
	if cp.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		return cp, err
	}
	v, err := cp.Client.Discovery().ServerVersion()
	if err != nil {
		return cp, fmt.Errorf("reading the API server's version: %w", err)
	}
	cp.Version = v.GitVersion

	cp.kcmLog = kcmLog.Name()
	cp.kcm = exec.Command(filepath.Join(o.Assets, "kube-controller-manager"), kubeControllerManagerArgs(cp.Kubeconfig, o.BinderSyncPeriod)...)
	cp.kcm.Stdout, cp.kcm.Stderr = kcmLog, kcmLog
	if err := cp.kcm.Start(); err != nil {
		return cp, fmt.Errorf("starting kube-controller-manager: %w", err)
	}
	cp.kcmDone = make(chan struct{})
	go func() {
		cp.kcmErr = cp.kcm.Wait()
		close(cp.kcmDone)
	}()
	return cp, cp.waitForControllers(ctx)
}

// writeKubeconfig writes envtest's kubeconfig with its context renamed to
// [Context].
func writeKubeconfig(raw []byte, path string) error {
	c, err := clientcmd.Load(raw)
	if err != nil {
		return fmt.Errorf("reading envtest's kubeconfig: %w", err)
	}
	if len(c.Contexts) != 1 {
		return fmt.Errorf("envtest's kubeconfig has %d contexts, want 1", len(c.Contexts))
	}
	for name, kctx := range c.Contexts {
		delete(c.Contexts, name)
		c.Contexts[Context] = kctx
	}
	c.CurrentContext = Context
	return clientcmd.WriteToFile(*c, path)
}

// kubeControllerManagerArgs are kube-controller-manager's arguments.
func kubeControllerManagerArgs(kubeconfig string, binderSync time.Duration) []string {
	args := []string{
		"--kubeconfig=" + kubeconfig,
		"--controllers=" + strings.Join(Controllers, ","),
		// One instance: no leader election, no HTTPS port to collide.
		"--leader-elect=false",
		"--secure-port=0",
		"--use-service-account-credentials=false",
	}
	if binderSync > 0 {
		args = append(args, "--pvclaimbinder-sync-period="+binderSync.String())
	}
	return args
}

// waitForControllers waits, at most startTimeout, until the default
// namespace's service account exists, which shows kube-controller-manager
// connected and its controllers running.
func (cp *ControlPlane) waitForControllers(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		_, err := cp.Client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		if err == nil {
			return nil
		}
		if !apierrors.IsNotFound(err) && ctx.Err() == nil {
			return fmt.Errorf("waiting for kube-controller-manager: %w", err)
		}
		select {
		case <-cp.kcmDone:
			return fmt.Errorf("kube-controller-manager exited (%w):\n%s", cp.kcmErr, tail(cp.kcmLog, 20))
		case <-ctx.Done():
			return fmt.Errorf("kube-controller-manager did not create the default service account within %s (log %s):\n%s", startTimeout, cp.kcmLog, tail(cp.kcmLog, 20))
		case <-tick.C:
		}
	}
}

// Stop stops kube-controller-manager, kube-apiserver and etcd and removes
// their data. It may be called more than once.
func (cp *ControlPlane) Stop() error {
	var errs []error
	if cp.kcm != nil && cp.kcm.Process != nil {
		select {
		case <-cp.kcmDone:
		default:
			_ = cp.kcm.Process.Signal(syscall.SIGTERM)
			select {
			case <-cp.kcmDone:
			case <-time.After(10 * time.Second):
				_ = cp.kcm.Process.Kill()
				<-cp.kcmDone
			}
		}
		cp.kcm = nil
	}
	if cp.env != nil {
		if err := cp.env.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stopping etcd and kube-apiserver: %w", err))
		}
		cp.env = nil
	}
	for _, f := range cp.logs {
		_ = f.Close()
	}
	cp.logs = nil
	return errors.Join(errs...)
}

// Objects names, sorted, the objects a test of the in-cluster stacks could
// leave behind, as "Kind namespace/name" ("Kind name" if cluster-scoped).
func (cp *ControlPlane) Objects(ctx context.Context) ([]string, error) {
	core := cp.Client.CoreV1()
	all, lo := metav1.NamespaceAll, metav1.ListOptions{}
	lists := []struct {
		kind string
		list func() (runtime.Object, error)
	}{
		{"Namespace", func() (runtime.Object, error) { return core.Namespaces().List(ctx, lo) }},
		{"PersistentVolume", func() (runtime.Object, error) { return core.PersistentVolumes().List(ctx, lo) }},
		{"PersistentVolumeClaim", func() (runtime.Object, error) { return core.PersistentVolumeClaims(all).List(ctx, lo) }},
		{"Pod", func() (runtime.Object, error) { return core.Pods(all).List(ctx, lo) }},
		{"Secret", func() (runtime.Object, error) { return core.Secrets(all).List(ctx, lo) }},
		{"ServiceAccount", func() (runtime.Object, error) { return core.ServiceAccounts(all).List(ctx, lo) }},
		{"ConfigMap", func() (runtime.Object, error) { return core.ConfigMaps(all).List(ctx, lo) }},
	}
	var out []string
	for _, l := range lists {
		list, err := l.list()
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", l.kind, err)
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			m, err := meta.Accessor(it)
			if err != nil {
				return nil, err
			}
			out = append(out, l.kind+" "+path.Join(m.GetNamespace(), m.GetName()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// Added returns the entries of after that before lacks.
func Added(before, after []string) []string {
	return slices.DeleteFunc(slices.Clone(after), func(o string) bool { return slices.Contains(before, o) })
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
