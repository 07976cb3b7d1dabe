// Command vcsim serves govmomi's vCenter simulator with exactly the inventory a scenario file
// describes, for fleetreport's tests. See README.md in this directory.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

type manifestVM struct {
	Name         string            `json:"name"`
	Moid         string            `json:"moid"`
	Datacenter   string            `json:"datacenter"`
	Cluster      string            `json:"cluster"`
	Host         string            `json:"host"`
	HostMoid     string            `json:"host_moid"`
	Folder       string            `json:"folder"`
	FolderMoid   string            `json:"folder_moid"`
	ResourcePool *string           `json:"resource_pool"`
	PoolMoid     *string           `json:"resource_pool_moid"`
	Snapshots    map[string]string `json:"snapshots,omitempty"`
	VApp         string            `json:"vapp,omitempty"`
	VAppMoid     string            `json:"vapp_moid,omitempty"`
	ConfigUnset  bool              `json:"config_unset,omitempty"`
}

type manifest struct {
	URL            string            `json:"url"`
	CAFile         *string           `json:"ca_file"`
	InstanceUUID   string            `json:"instance_uuid"`
	VCenterName    string            `json:"vcenter_name"`
	About          map[string]string `json:"about"`
	Scenario       string            `json:"scenario"`
	VMs            map[string]string `json:"vms"`
	VMList         []manifestVM      `json:"vm_list"`
	Hosts          map[string]string `json:"hosts"`
	Clusters       map[string]string `json:"clusters"`
	ComputeRes     map[string]string `json:"standalone_compute_resources"`
	Datacenters    map[string]string `json:"datacenters"`
	Folders        map[string]string `json:"folders"`
	ResourcePools  map[string]string `json:"resource_pools"`
	VApps          map[string]string `json:"vapps"`
	Datastores     map[string]string `json:"datastores"`
	Alarms         map[string]string `json:"alarms"`
	CustomFields   map[string]int32  `json:"custom_fields"`
	PageSize       int               `json:"page_size"`
	DelayMs        int               `json:"delay_ms"`
	PID            int               `json:"pid"`
	StartupSeconds float64           `json:"startup_seconds"`
}

type methodDelays map[string]int

func (m methodDelays) String() string { return fmt.Sprint(map[string]int(m)) }

func (m methodDelays) Set(v string) error {
	for _, item := range strings.Split(v, ",") {
		if item == "" {
			continue
		}
		kv := strings.SplitN(item, "=", 2)
		if len(kv) != 2 {
			return fmt.Errorf("want Method=milliseconds, got %q", item)
		}
		n, err := strconv.Atoi(kv[1])
		if err != nil || n < 0 {
			return fmt.Errorf("bad delay in %q", item)
		}
		m[kv[0]] = n
	}
	return nil
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("vcsim ")
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: error:", err)
		os.Exit(1)
	}
}

func run() error {
	start := time.Now()
	var (
		scenarioPath = flag.String("scenario", "", "scenario JSON file (required)")
		manifestPath = flag.String("manifest", "", "write the manifest JSON here (atomically) once serving")
		certDir      = flag.String("cert-dir", "", "write ca.pem here (default: a temporary directory removed at exit)")
		dsDir        = flag.String("datastore-dir", "", "directory for the datastores' files (default: a temporary directory removed at exit)")
		username     = flag.String("username", "fleetreport@vsphere.local", "the only user name that can log in")
		password     = flag.String("password", "fleetreport-test-password", "the only password that can log in")
		listen       = flag.String("listen", "127.0.0.1:0", "listen address (loopback only)")
		delayMs      = flag.Int("delay-ms", 0, "delay every SOAP call by this many milliseconds")
		jitter       = flag.Float64("delay-jitter", 0, "delay jitter, as a coefficient of variation (stddev/mean)")
		pageSize     = flag.Int("page-size", 0, "largest RetrievePropertiesEx page (0 = only RetrieveOptions.maxObjects limits it)")
		statsLevel   = flag.Int("stats-level", 1, "statistics level of every historical interval (vCenter's default: 1)")
		maxMetrics   = flag.Int("max-query-metrics", 256, "most metrics one QueryPerf may ask for (vpxd.stats.maxQueryMetrics; 0 = no limit)")
		noTLS        = flag.Bool("no-tls", false, "serve plain http")
		exitOnEOF    = flag.Bool("exit-on-stdin-eof", false, "shut down when standard input closes")
		sessionIdle  = flag.Duration("session-idle-timeout", 0, "expire sessions idle this long (0 = never)")
		trace        = flag.Bool("trace", false, "write SOAP traffic to stderr")
		check        = flag.Bool("check", false, "only load and validate the scenario, then exit")
		removeDS     = flag.Bool("remove-datastore-dir", false, "remove the -datastore-dir directory at exit")
	)
	delays := methodDelays{}
	flag.Var(delays, "method-delay", "extra delay per method, e.g. RetrievePropertiesEx=200,Login=50 (repeatable)")
	flag.Parse()
	if flag.NArg() != 0 {
		return fmt.Errorf("unexpected arguments: %v", flag.Args())
	}
	if *scenarioPath == "" {
		return fmt.Errorf("-scenario is required")
	}
	if *delayMs < 0 || *pageSize < 0 {
		return fmt.Errorf("-delay-ms and -page-size must be >= 0")
	}
	if host, _, err := net.SplitHostPort(*listen); err != nil {
		return fmt.Errorf("-listen: %v", err)
	} else if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-listen: %q is not a loopback address", *listen)
	}

	sc, _, err := loadScenario(*scenarioPath)
	if err != nil {
		return err
	}
	vms, err := sc.expandVMs()
	if err != nil {
		return err
	}
	if err := sc.validate(vms); err != nil {
		return err
	}
	if *check {
		fmt.Printf("ok: %d datacenters, %d VMs\n", len(sc.Datacenters), len(vms))
		return nil
	}

	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()
	tempDir := func(pattern string) (string, error) {
		d, err := os.MkdirTemp("", pattern)
		if err == nil {
			cleanups = append(cleanups, func() { _ = os.RemoveAll(d) })
		}
		return d, err
	}

	dsRoot := *dsDir
	if dsRoot == "" {
		// tmpfs if there is one: creating 10,000 VMs' files on an overlay fs is 2-4x slower
		parent := ""
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			parent = "/dev/shm"
		}
		d, err := os.MkdirTemp(parent, "fleetreport-vcsim-ds-")
		if err != nil && parent != "" {
			d, err = os.MkdirTemp("", "fleetreport-vcsim-ds-")
		}
		if err != nil {
			return err
		}
		dsRoot = d
		cleanups = append(cleanups, func() { _ = os.RemoveAll(d) })
	} else {
		if err := os.MkdirAll(dsRoot, 0o700); err != nil {
			return err
		}
		if *removeDS {
			cleanups = append(cleanups, func() { _ = os.RemoveAll(dsRoot) })
		}
	}

	simulator.Trace = *trace
	simulator.SessionIdleTimeout = *sessionIdle

	// An empty vCenter: VPX service content, no DC0/H0/VM0 inventory.
	m := simulator.VPX()
	m.Autostart = false
	m.Datacenter, m.Portgroup, m.PortgroupNSX, m.OpaqueNetwork = 0, 0, 0, 0
	m.Host, m.Cluster, m.ClusterHost, m.Pool, m.Datastore = 0, 0, 0, 0, 0
	m.Machine, m.Folder, m.App, m.Pod = 0, 0, 0, 0
	if err := m.Create(); err != nil {
		return fmt.Errorf("simulator: %v", err)
	}
	cleanups = append(cleanups, m.Remove)

	ctx := context.Background()
	b, err := newBuilder(ctx, m.Service, sc, dsRoot)
	if err != nil {
		return err
	}
	if err := b.build(vms); err != nil {
		return err
	}
	setServiceVersionsAPI(m.Service, sc.VCenter.APIVersion)
	installPagingCollector(*pageSize)
	installSearchIndex()
	level := int32(*statsLevel)
	if sc.VCenter.StatsLevel != nil {
		level = *sc.VCenter.StatsLevel
	}
	installPerformanceManager(b.hostPowerSeries(), b.vmCPUSeries(), level, *maxMetrics)

	// Delays apply from now on (Model.Create already pointed the Service at m.DelayConfig).
	m.DelayConfig.Delay = *delayMs
	m.DelayConfig.DelayJitter = *jitter
	if len(delays) > 0 {
		m.DelayConfig.MethodDelay = delays
	}

	m.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}
	var caFile *string
	if !*noTLS {
		dir := *certDir
		if dir == "" {
			if dir, err = tempDir("fleetreport-vcsim-cert-"); err != nil {
				return err
			}
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		ca, err := filepath.Abs(filepath.Join(dir, "ca.pem"))
		if err != nil {
			return err
		}
		cert, err := makeCertificates(ca)
		if err != nil {
			return fmt.Errorf("certificates: %v", err)
		}
		caFile = &ca
		m.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	srv := m.Service.NewServer()

	u := *srv.URL
	u.User = nil
	u.RawQuery = ""
	mf := b.manifest(u.String(), caFile, *scenarioPath)
	mf.PageSize = *pageSize
	mf.DelayMs = *delayMs
	mf.PID = os.Getpid()
	mf.StartupSeconds = time.Since(start).Seconds()
	if *manifestPath != "" {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(mf); err != nil {
			return err
		}
		if err := writeFileAtomic(*manifestPath, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("manifest: %v", err)
		}
	}
	log.Printf("serving %s (%d VMs, %d hosts) after %.2fs", u.String(), len(mf.VMList), len(mf.Hosts), mf.StartupSeconds)

	stop := make(chan string, 2)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() { stop <- (<-sigs).String() }()
	if *exitOnEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop <- "stdin closed"
		}()
	}
	why := <-stop
	log.Printf("shutting down (%s)", why)
	signal.Stop(sigs)
	done := make(chan struct{})
	go func() {
		srv.CloseClientConnections()
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		log.Printf("some requests were still running after 5s; exiting anyway")
	}
	return nil
}

func (b *builder) manifest(rawURL string, caFile *string, scenarioPath string) *manifest {
	abs, _ := filepath.Abs(scenarioPath)
	vc := b.sc.VCenter
	mf := &manifest{
		URL:          rawURL,
		CAFile:       caFile,
		InstanceUUID: vc.InstanceUUID,
		VCenterName:  vc.Name,
		About: map[string]string{
			"name": vc.AboutName, "full_name": vc.FullName, "version": vc.Version,
			"build": vc.Build, "api_version": vc.APIVersion, "instance_uuid": vc.InstanceUUID,
		},
		Scenario:      abs,
		VMs:           map[string]string{},
		VMList:        make([]manifestVM, 0, len(b.vms)),
		Hosts:         map[string]string{},
		Clusters:      map[string]string{},
		ComputeRes:    map[string]string{},
		Datacenters:   map[string]string{},
		Folders:       map[string]string{},
		ResourcePools: map[string]string{},
		VApps:         map[string]string{},
		Datastores:    map[string]string{},
		Alarms:        map[string]string{},
		CustomFields:  map[string]int32{},
	}
	for _, dc := range b.dcs {
		name := dc.spec.Name
		mf.Datacenters[name] = dc.ref.Value
		for p, ref := range dc.folders {
			key := name
			if p != "" {
				key = name + "/" + p
			}
			mf.Folders[key] = ref.Value
		}
		for hn, h := range dc.hosts {
			mf.Hosts[hn] = h.ref.Value
		}
		crs := []*crState{}
		for cn, cr := range dc.clusters {
			mf.Clusters[cn] = cr.ref.Value
			crs = append(crs, cr)
		}
		for hn, cr := range dc.standalone {
			mf.ComputeRes[hn] = cr.ref.Value
			crs = append(crs, cr)
		}
		for _, cr := range crs {
			for p, ref := range cr.pools {
				key := cr.name
				if p != "" {
					key = cr.name + "/" + p
				}
				mf.ResourcePools[key] = ref.Value
			}
		}
		for _, ds := range dc.datastores {
			mf.Datastores[name+"/"+ds.name] = ds.ref.Value
		}
	}
	for name, ref := range b.alarms {
		mf.Alarms[name] = ref.Value
	}
	for name, app := range b.vapps {
		mf.VApps[name] = app.ref.Value
	}
	for _, def := range b.fieldDef {
		mf.CustomFields[def.Name] = def.Key
	}
	for _, vm := range b.vms {
		if _, dup := mf.VMs[vm.spec.Name]; !dup {
			mf.VMs[vm.spec.Name] = vm.ref.Value
		}
		entry := manifestVM{
			Name:       vm.spec.Name,
			Moid:       vm.ref.Value,
			Datacenter: vm.dc.spec.Name,
			Cluster:    vm.cr.name,
			Host:       vm.host.spec.Name,
			HostMoid:   vm.host.ref.Value,
			Folder:     vm.folder,
			FolderMoid: vm.dc.folders[vm.folder].Value,
		}
		if vm.vapp != nil {
			entry.VApp = vm.vapp.name
			entry.VAppMoid = vm.vapp.ref.Value
		}
		entry.ConfigUnset = vm.spec.ConfigUnset
		if !(vm.spec.Template != nil && *vm.spec.Template) {
			pool := vm.pool
			moid := vm.poolRef.Value
			entry.ResourcePool = &pool
			entry.PoolMoid = &moid
		}
		if len(vm.snapshots) > 0 {
			entry.Snapshots = map[string]string{}
			for _, s := range vm.snapshots {
				if _, dup := entry.Snapshots[s.path]; !dup {
					entry.Snapshots[s.path] = s.ref.Value
				}
			}
		}
		mf.VMList = append(mf.VMList, entry)
	}
	return mf
}
