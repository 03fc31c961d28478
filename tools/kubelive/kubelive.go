// Package kubelive runs a throwaway Kubernetes control plane on this
// machine, for the live tests of the in-cluster stacks: etcd and
// kube-apiserver started by envtest (sigs.k8s.io/controller-runtime/pkg/envtest),
// and kube-controller-manager with only the controllers those stacks rely
// on:
//
//   - persistentvolume-binder binds the static volume to its claim;
//   - persistentvolume-protection and persistentvolumeclaim-protection
//     remove the finalizers the API server puts on volumes and claims, so
//     that they can be deleted;
//   - namespace deletes a namespace's content and then the namespace;
//   - serviceaccount creates each namespace's default service account.
//
// The API server runs with the ServiceAccount admission plugin (envtest
// turns it off by default), as in AKS: a Pod is admitted only if its service
// account exists, and it inherits the account's image pull secrets.
//
// The binaries come from one directory in the envtest layout
// (KUBEBUILDER_ASSETS). etcd and kube-apiserver listen on free ports that
// envtest picks; kube-controller-manager serves no port at all. The control
// plane never touches a cluster of the caller's environment: envtest is told
// not to use an existing cluster, and the kubeconfig it writes names only
// the local API server.
package kubelive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
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

// Context is the name of the only context in the kubeconfig the control
// plane writes. Test files name it in their provider configuration, so that
// they can reach this control plane and nothing else.
const Context = "tfcheck-live"

// binaries are the executables the control plane needs in its assets
// directory. Upstream envtest archives (setup-envtest) hold the first two
// and kubectl, not kube-controller-manager.
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
	// Assets is the directory of the binaries (KUBEBUILDER_ASSETS). The
	// caller makes sure it is set (cmd/tfcheck says how).
	Assets string
	// Dir receives the kubeconfig and the components' logs. It is kept
	// after Stop, for reading the logs of a failed run.
	Dir string
	// BinderSyncPeriod is kube-controller-manager's
	// --pvclaimbinder-sync-period: how often the volume binder looks at every
	// volume and claim again, besides reacting to changes (0: its default,
	// 15s).
	BinderSyncPeriod time.Duration
}

// startTimeout bounds the start of each component.
const startTimeout = time.Minute

// ControlPlane is a running control plane. Stop it on every path.
type ControlPlane struct {
	// Kubeconfig is the path of a kubeconfig for an administrator of the
	// control plane, with the single context [Context].
	Kubeconfig string
	// Client talks to the API server as that administrator.
	Client kubernetes.Interface
	// Version is the API server's version (v1.35.4).
	Version string

	env     *envtest.Environment
	kcm     *exec.Cmd
	kcmDone chan struct{}
	kcmErr  error
	kcmLog  string
	logs    []*os.File
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

// Start starts etcd, kube-apiserver and kube-controller-manager, and
// returns once the controllers run. On error, whatever had started is
// stopped again.
func Start(ctx context.Context, o Options) (cp *ControlPlane, err error) {
	if missing := missingBinaries(o.Assets); len(missing) > 0 {
		return nil, fmt.Errorf("%s lacks %s", o.Assets, strings.Join(missing, ", "))
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	cp = &ControlPlane{Kubeconfig: filepath.Join(o.Dir, "kubeconfig")}
	defer func() {
		if err != nil {
			_ = cp.Stop() // the start error is the one to report
			cp = nil
		}
	}()

	etcdLog, err := cp.logFile(o.Dir, "etcd.log")
	if err != nil {
		return cp, err
	}
	apiLog, err := cp.logFile(o.Dir, "kube-apiserver.log")
	if err != nil {
		return cp, err
	}
	cp.env = &envtest.Environment{
		// Never a cluster of the caller's environment (USE_EXISTING_CLUSTER).
		UseExistingCluster:       ptr.To(false),
		BinaryAssetsDirectory:    o.Assets,
		ControlPlaneStartTimeout: startTimeout,
		ControlPlaneStopTimeout:  20 * time.Second,
	}
	cp.env.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(o.Assets, "etcd"), Out: etcdLog, Err: etcdLog}
	api := cp.env.ControlPlane.GetAPIServer()
	api.Path = filepath.Join(o.Assets, "kube-apiserver")
	api.Out, api.Err = apiLog, apiLog
	// envtest disables the ServiceAccount admission plugin because it runs
	// no controller that creates default service accounts; this one does.
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

	if err := cp.startControllers(o); err != nil {
		return cp, err
	}
	if err := cp.waitForControllers(ctx); err != nil {
		return cp, err
	}
	return cp, nil
}

func (cp *ControlPlane) logFile(dir, name string) (*os.File, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	cp.logs = append(cp.logs, f)
	return f, nil
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

// kubeControllerManagerArgs are the arguments of kube-controller-manager
// for a kubeconfig and a binder sync period (0: its default).
func kubeControllerManagerArgs(kubeconfig string, binderSync time.Duration) []string {
	args := []string{
		"--kubeconfig=" + kubeconfig,
		"--controllers=" + strings.Join(Controllers, ","),
		// One instance: no leader election; no HTTPS port to collide with
		// anything else on this machine.
		"--leader-elect=false",
		"--secure-port=0",
		"--use-service-account-credentials=false",
	}
	if binderSync > 0 {
		args = append(args, "--pvclaimbinder-sync-period="+binderSync.String())
	}
	return args
}

func (cp *ControlPlane) startControllers(o Options) error {
	log, err := cp.logFile(o.Dir, "kube-controller-manager.log")
	if err != nil {
		return err
	}
	cp.kcmLog = log.Name()
	cp.kcm = exec.Command(filepath.Join(o.Assets, "kube-controller-manager"), kubeControllerManagerArgs(cp.Kubeconfig, o.BinderSyncPeriod)...)
	cp.kcm.Stdout, cp.kcm.Stderr = log, log
	if err := cp.kcm.Start(); err != nil {
		return fmt.Errorf("starting kube-controller-manager: %w", err)
	}
	cp.kcmDone = make(chan struct{})
	go func() {
		cp.kcmErr = cp.kcm.Wait()
		close(cp.kcmDone)
	}()
	return nil
}

// waitForControllers waits, at most startTimeout, until the service account
// controller has created the default namespace's service account:
// kube-controller-manager is then connected and its controllers run.
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

// Objects names the objects that a test of the in-cluster stacks could
// leave behind, as "Kind namespace/name" (or "Kind name" for cluster-scoped
// kinds), sorted: namespaces and persistent volumes, and in every namespace
// the claims, pods, secrets, service accounts and config maps.
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
			if m.GetNamespace() == "" {
				out = append(out, l.kind+" "+m.GetName())
			} else {
				out = append(out, l.kind+" "+m.GetNamespace()+"/"+m.GetName())
			}
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
