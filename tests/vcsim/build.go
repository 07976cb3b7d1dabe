package main

// Builds the scenario's inventory inside govmomi's simulator.
//
// Structure (datacenters, folders, clusters, hosts, resource pools, VMs, snapshots, custom
// fields) is created through the simulator's own SOAP methods, called in-process through a
// vim25.Client whose RoundTripper is the simulator Service (this is what simulator.Model.Create
// does). Datastores are assembled directly (see addDatastore). The final per-object state is then
// written straight into the simulator's objects, last, so that nothing the simulator does on
// the way (power operations, CreateVM defaults, snapshot timestamps) can overwrite it.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

var serviceInstanceRef = vim25.ServiceInstance

// Defaults (documented in README.md).
const (
	defaultVCVersion   = "7.0.3"
	defaultVCBuild     = "21477706"
	defaultHostVersion = "7.0.3"
	defaultHostBuild   = "21424296"
	defaultDatastore   = "datastore1"
	defaultGuestID     = "otherGuest64"
	defaultHWVersion   = "vmx-19"
	defaultToolsVer    = "12352"
	defaultNumCPU      = 2
	defaultMemoryMB    = 4096
)

var guestFullNames = map[string]string{
	"otherGuest":                 "Other (32-bit)",
	"otherGuest64":               "Other (64-bit)",
	"windows9Guest":              "Microsoft Windows 10 (32-bit)",
	"windows9_64Guest":           "Microsoft Windows 10 (64-bit)",
	"windows11_64Guest":          "Microsoft Windows 11 (64-bit)",
	"windows7_64Guest":           "Microsoft Windows 7 (64-bit)",
	"windows8_64Guest":           "Microsoft Windows 8.x (64-bit)",
	"windows9Server64Guest":      "Microsoft Windows Server 2016 or later (64-bit)",
	"windows2019srv_64Guest":     "Microsoft Windows Server 2019 (64-bit)",
	"windows2019srvNext_64Guest": "Microsoft Windows Server 2022 (64-bit)",
	"rhel7_64Guest":              "Red Hat Enterprise Linux 7 (64-bit)",
	"rhel8_64Guest":              "Red Hat Enterprise Linux 8 (64-bit)",
	"rhel9_64Guest":              "Red Hat Enterprise Linux 9 (64-bit)",
	"ubuntu64Guest":              "Ubuntu Linux (64-bit)",
	"centos7_64Guest":            "CentOS 7 (64-bit)",
	"debian11_64Guest":           "Debian GNU/Linux 11 (64-bit)",
	"other4xLinux64Guest":        "Other 4.x or later Linux (64-bit)",
	"vmwarePhoton64Guest":        "VMware Photon OS (64-bit)",
}

// toolsVersionStatus (the deprecated, coarser property) derived from toolsVersionStatus2.
var toolsStatus2To1 = map[string]string{
	"guestToolsCurrent":      "guestToolsCurrent",
	"guestToolsSupportedNew": "guestToolsCurrent",
	"guestToolsTooNew":       "guestToolsCurrent",
	"guestToolsNeedUpgrade":  "guestToolsNeedUpgrade",
	"guestToolsSupportedOld": "guestToolsNeedUpgrade",
	"guestToolsTooOld":       "guestToolsNeedUpgrade",
	"guestToolsBlacklisted":  "guestToolsNeedUpgrade",
	"guestToolsNotInstalled": "guestToolsNotInstalled",
	"guestToolsUnmanaged":    "guestToolsUnmanaged",
}

var safeFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$`)

type hostState struct {
	spec    HostSpec
	ref     types.ManagedObjectReference
	cr      *crState
	dc      *dcState
	vmCount int
}

// crState is a cluster, or the ComputeResource of a standalone host.
type crState struct {
	name       string
	ref        types.ManagedObjectReference
	standalone bool
	rootPool   types.ManagedObjectReference
	pools      map[string]types.ManagedObjectReference // path under the root pool -> pool
	hosts      []*hostState
	rr         int
	spec       *ClusterSpec // nil for a standalone host's ComputeResource
}

// vappState is a vApp: a child resource pool of a cluster, listed in a VM folder.
type vappState struct {
	name      string
	ref       types.ManagedObjectReference
	dc        *dcState
	cr        *crState
	folder    string
	folderRef types.ManagedObjectReference
}

type dsState struct {
	name string
	ref  types.ManagedObjectReference
	dir  string
	spec DatastoreSpec
}

type dcState struct {
	spec       DatacenterSpec
	ref        types.ManagedObjectReference
	vmFolder   types.ManagedObjectReference
	hostFolder types.ManagedObjectReference
	folders    map[string]types.ManagedObjectReference // path under the vm folder -> folder
	clusters   map[string]*crState
	standalone map[string]*crState // by host name
	hosts      map[string]*hostState
	datastores []*dsState
}

type snapRecord struct {
	path string
	ref  types.ManagedObjectReference
}

type vmState struct {
	spec      *VMSpec
	index     int
	ref       types.ManagedObjectReference
	dc        *dcState
	cr        *crState
	host      *hostState
	folder    string
	pool      string
	poolRef   types.ManagedObjectReference
	folderRef types.ManagedObjectReference
	vapp      *vappState
	vmxPath   string
	snapshots []snapRecord
}

type builder struct {
	ctx        context.Context
	c          *vim25.Client
	sc         *Scenario
	dsRoot     string
	dcs        []*dcState
	dcByName   map[string]*dcState
	vapps      map[string]*vappState
	vms        []*vmState
	fields     map[string]int32 // custom field name (for VMs) -> key
	fieldDef   []types.CustomFieldDef
	alarms     map[string]types.ManagedObjectReference // alarm name -> its definition
	alarmOrder []string
}

func newBuilder(ctx context.Context, svc *simulator.Service, sc *Scenario, dsRoot string) (*builder, error) {
	c, err := vim25.NewClient(ctx, svc)
	if err != nil {
		return nil, fmt.Errorf("in-process simulator client: %v", err)
	}
	return &builder{ctx: ctx, c: c, sc: sc, dsRoot: dsRoot, dcByName: map[string]*dcState{}, vapps: map[string]*vappState{}, fields: map[string]int32{},
		alarms: map[string]types.ManagedObjectReference{}}, nil
}

// taskResult returns the result of a simulator task. Simulator tasks run synchronously, so the
// task is complete when the *_Task method returns; we read it from the registry instead of
// waiting through a PropertyCollector (much faster for 10,000 VMs).
func taskResult(what string, ref types.ManagedObjectReference, err error) (types.AnyType, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	t, ok := simulator.Map.Get(ref).(*simulator.Task)
	if !ok {
		return nil, fmt.Errorf("%s: task %s not found", what, ref)
	}
	if t.Info.State != types.TaskInfoStateSuccess {
		if t.Info.Error != nil {
			return nil, fmt.Errorf("%s: %T %s", what, t.Info.Error.Fault, t.Info.Error.LocalizedMessage)
		}
		return nil, fmt.Errorf("%s: task ended in state %s", what, t.Info.State)
	}
	return t.Info.Result, nil
}

func (b *builder) build(vms []VMSpec) error {
	b.applyAbout()
	for i := range b.sc.Datacenters {
		if err := b.buildDatacenter(i); err != nil {
			return err
		}
	}
	for i := range vms {
		if err := b.placeVM(i, &vms[i]); err != nil {
			return err
		}
	}
	for _, vm := range b.vms {
		if err := b.createVM(vm); err != nil {
			return err
		}
	}
	if err := b.customFields(); err != nil {
		return err
	}
	for _, dc := range b.dcs {
		for _, name := range sortedHostNames(dc) {
			b.applyHostState(dc.hosts[name])
		}
	}
	for _, vm := range b.vms {
		if err := b.applyVMState(vm); err != nil {
			return err
		}
	}
	// Last, so that none of it shifts the moids of what came before.
	return b.applyHealth()
}

func sortedHostNames(dc *dcState) []string {
	names := make([]string, 0, len(dc.hosts))
	for n := range dc.hosts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ---------------------------------------------------------------------------------------------
// ServiceContent.about

func defaultInstanceUUID(name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("fleetreport-vcsim:vcenter:"+name)).String()
}

func apiVersionFor(version string) string {
	parts := strings.Split(version, ".")
	if len(parts) == 3 {
		return version + ".0" // 7.0.3 -> 7.0.3.0, 8.0.2 -> 8.0.2.0 (what vCenter reports)
	}
	return version
}

func (b *builder) applyAbout() {
	vc := &b.sc.VCenter
	if vc.Name == "" {
		vc.Name = "vcsim.example.test"
	}
	if vc.Version == "" {
		vc.Version = defaultVCVersion
	}
	if vc.Build == "" {
		vc.Build = defaultVCBuild
	}
	if vc.InstanceUUID == "" {
		vc.InstanceUUID = defaultInstanceUUID(vc.Name)
	}
	if vc.FullName == "" {
		vc.FullName = fmt.Sprintf("VMware vCenter Server %s build-%s", vc.Version, vc.Build)
	}
	if vc.AboutName == "" {
		vc.AboutName = "VMware vCenter Server"
	}
	if vc.APIVersion == "" {
		vc.APIVersion = apiVersionFor(vc.Version)
	}
	si := simulator.Map.Get(serviceInstanceRef).(*simulator.ServiceInstance)
	about := &si.Content.About
	about.Name = vc.AboutName
	about.FullName = vc.FullName
	about.Version = vc.Version
	about.Build = vc.Build
	about.InstanceUuid = vc.InstanceUUID
	about.ApiVersion = vc.APIVersion

	// The vCenter's own host name, where vCenter keeps it.
	om := simulator.Map.OptionManager()
	om.Setting = append(om.Setting,
		&types.OptionValue{Key: "VirtualCenter.FQDN", Value: vc.Name},
		&types.OptionValue{Key: "VirtualCenter.InstanceName", Value: vc.Name},
	)
}

// setServiceVersionsAPI makes /sdk/vimServiceVersions.xml report our apiVersion. The simulator
// serves it from the ServiceContent that its private in-process client fetched at start-up
// (Service.client, unexported), so we update that copy through reflection.
func setServiceVersionsAPI(svc *simulator.Service, apiVersion string) {
	f := reflect.ValueOf(svc).Elem().FieldByName("client")
	if !f.IsValid() {
		return
	}
	v := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	if c, ok := v.Interface().(*vim25.Client); ok && c != nil {
		c.ServiceContent.About.ApiVersion = apiVersion
	}
}

// ---------------------------------------------------------------------------------------------
// Datacenters, folders, clusters, hosts, pools, datastores

func (b *builder) buildDatacenter(i int) error {
	spec := b.sc.Datacenters[i]
	root := object.NewRootFolder(b.c)
	dcObj, err := root.CreateDatacenter(b.ctx, spec.Name)
	if err != nil {
		return fmt.Errorf("datacenter %q: %v", spec.Name, err)
	}
	sdc := simulator.Map.Get(dcObj.Reference()).(*simulator.Datacenter)
	dc := &dcState{
		spec:       spec,
		ref:        dcObj.Reference(),
		vmFolder:   sdc.VmFolder,
		hostFolder: sdc.HostFolder,
		folders:    map[string]types.ManagedObjectReference{"": sdc.VmFolder},
		clusters:   map[string]*crState{},
		standalone: map[string]*crState{},
		hosts:      map[string]*hostState{},
	}
	b.dcs = append(b.dcs, dc)
	b.dcByName[spec.Name] = dc

	for _, f := range spec.Folders {
		if _, err := b.folder(dc, f); err != nil {
			return err
		}
	}

	hostFolder := object.NewFolder(b.c, dc.hostFolder)
	for ci, cs := range spec.Clusters {
		cl, err := hostFolder.CreateCluster(b.ctx, cs.Name, types.ClusterConfigSpecEx{})
		if err != nil {
			return fmt.Errorf("cluster %q: %v", cs.Name, err)
		}
		scl := simulator.Map.Get(cl.Reference()).(*simulator.ClusterComputeResource)
		cr := &crState{
			spec:     &spec.Clusters[ci],
			name:     cs.Name,
			ref:      cl.Reference(),
			rootPool: *scl.ResourcePool,
			pools:    map[string]types.ManagedObjectReference{"": *scl.ResourcePool},
		}
		dc.clusters[cs.Name] = cr
		for _, hs := range cs.Hosts {
			task, err := cl.AddHost(b.ctx, types.HostConnectSpec{HostName: hs.Name}, true, nil, nil)
			var ref types.ManagedObjectReference
			if task != nil {
				ref = task.Reference()
			}
			res, err := taskResult(fmt.Sprintf("host %q", hs.Name), ref, err)
			if err != nil {
				return err
			}
			h := &hostState{spec: hs, ref: res.(types.ManagedObjectReference), cr: cr, dc: dc}
			cr.hosts = append(cr.hosts, h)
			dc.hosts[hs.Name] = h
		}
		for _, p := range cs.ResourcePools {
			if _, err := b.pool(cr, p); err != nil {
				return err
			}
		}
		for _, as := range cs.VApps {
			if err := b.createVApp(dc, cr, as); err != nil {
				return err
			}
		}
	}
	for _, hs := range spec.Hosts {
		task, err := hostFolder.AddStandaloneHost(b.ctx, types.HostConnectSpec{HostName: hs.Name}, true, nil, nil)
		var ref types.ManagedObjectReference
		if task != nil {
			ref = task.Reference()
		}
		res, err := taskResult(fmt.Sprintf("standalone host %q", hs.Name), ref, err)
		if err != nil {
			return err
		}
		href := res.(types.ManagedObjectReference)
		sh := simulator.Map.Get(href).(*simulator.HostSystem)
		crObj := simulator.Map.Get(*sh.Parent)
		crRef := crObj.Reference()
		rootPool := *computeResourcePool(crObj)
		cr := &crState{name: hs.Name, ref: crRef, standalone: true, rootPool: rootPool,
			pools: map[string]types.ManagedObjectReference{"": rootPool}}
		h := &hostState{spec: hs, ref: href, cr: cr, dc: dc}
		cr.hosts = []*hostState{h}
		dc.standalone[hs.Name] = cr
		dc.hosts[hs.Name] = h
	}

	specs := spec.Datastores
	if len(specs) == 0 {
		specs = []DatastoreSpec{{Name: defaultDatastore}}
	}
	var hosts []*hostState
	for _, n := range sortedHostNames(dc) {
		hosts = append(hosts, dc.hosts[n])
	}
	for j, dspec := range specs {
		name := dspec.Name
		if strings.ContainsAny(name, "[]") {
			return fmt.Errorf("datacenter %q: datastore name %q must not contain [ or ]", spec.Name, name)
		}
		dir := filepath.Join(b.dsRoot, fmt.Sprintf("dc%d-ds%d", i, j))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		ds, err := b.addDatastore(dc, name, dir, hosts)
		if err != nil {
			return err
		}
		ds.spec = dspec
		dc.datastores = append(dc.datastores, ds)
	}
	return nil
}

func computeResourcePool(obj interface{}) *types.ManagedObjectReference {
	v := reflect.ValueOf(obj)
	for v.Kind() == reflect.Ptr {
		v = v.Elem()
	}
	f := v.FieldByName("ResourcePool")
	if f.IsValid() {
		if ref, ok := f.Interface().(*types.ManagedObjectReference); ok && ref != nil {
			return ref
		}
	}
	panic(fmt.Sprintf("compute resource %T has no resource pool", obj))
}

// folder returns (creating as needed) the folder at path under the datacenter's VM folder.
func (b *builder) folder(dc *dcState, path string) (types.ManagedObjectReference, error) {
	parts, err := splitPath("folder", path)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	cur := ""
	ref := dc.vmFolder
	for _, part := range parts {
		next := part
		if cur != "" {
			next = cur + "/" + part
		}
		if r, ok := dc.folders[next]; ok {
			ref = r
		} else {
			f, err := object.NewFolder(b.c, ref).CreateFolder(b.ctx, part)
			if err != nil {
				return ref, fmt.Errorf("datacenter %q: folder %q: %v", dc.spec.Name, next, err)
			}
			ref = f.Reference()
			dc.folders[next] = ref
		}
		cur = next
	}
	return ref, nil
}

// createVApp creates a vApp with CreateVApp in the cluster's pool and lists it in its VM folder,
// as vCenter does (the simulator records the folder as parentFolder but does not list it there).
func (b *builder) createVApp(dc *dcState, cr *crState, spec VAppSpec) error {
	poolRef, err := b.pool(cr, spec.ResourcePool)
	if err != nil {
		return err
	}
	folder := strings.Trim(spec.Folder, "/")
	folderRef, err := b.folder(dc, folder)
	if err != nil {
		return err
	}
	config := types.VAppConfigSpec{}
	config.Annotation = spec.Annotation
	app, err := object.NewResourcePool(b.c, poolRef).CreateVApp(b.ctx, spec.Name, types.DefaultResourceConfigSpec(),
		config, object.NewFolder(b.c, folderRef))
	if err != nil {
		return fmt.Errorf("%s: vApp %q: %v", cr.name, spec.Name, err)
	}
	sf := simulator.Map.Get(folderRef).(*simulator.Folder)
	if simulator.FindReference(sf.ChildEntity, app.Reference()) == nil {
		sf.ChildEntity = append(sf.ChildEntity, app.Reference())
	}
	b.vapps[spec.Name] = &vappState{name: spec.Name, ref: app.Reference(), dc: dc, cr: cr, folder: folder, folderRef: folderRef}
	return nil
}

// pool returns (creating as needed) the resource pool at path under the root pool.
func (b *builder) pool(cr *crState, path string) (types.ManagedObjectReference, error) {
	parts, err := splitPath("resource_pool", path)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	cur := ""
	ref := cr.rootPool
	for _, part := range parts {
		next := part
		if cur != "" {
			next = cur + "/" + part
		}
		if r, ok := cr.pools[next]; ok {
			ref = r
		} else {
			p, err := object.NewResourcePool(b.c, ref).Create(b.ctx, part, types.DefaultResourceConfigSpec())
			if err != nil {
				return ref, fmt.Errorf("%s: resource pool %q: %v", cr.name, next, err)
			}
			ref = p.Reference()
			cr.pools[next] = ref
		}
		cur = next
	}
	return ref, nil
}

// addDatastore assembles a local datastore mounted on every given host, the way
// HostDatastoreSystem.CreateLocalDatastore does for one host, but once per datacenter and with
// an ordinary "datastore-N" moref (CreateLocalDatastore uses "<path>@<folder>" as the moid and
// adds the datastore to the folder again for every host).
func (b *builder) addDatastore(dc *dcState, name, dir string, hosts []*hostState) (*dsState, error) {
	sdc := simulator.Map.Get(dc.ref).(*simulator.Datacenter)
	folder := simulator.Map.Get(sdc.DatastoreFolder).(*simulator.Folder)

	ds := &simulator.Datastore{}
	ds.Name = name
	ds.Info = &types.LocalDatastoreInfo{
		DatastoreInfo: types.DatastoreInfo{Name: name, Url: dir},
		Path:          dir,
	}
	ds.Summary.Name = name
	ds.Summary.Url = dir
	ds.Summary.Type = string(types.HostFileSystemVolumeFileSystemTypeVMFS)
	ds.Summary.MaintenanceMode = string(types.DatastoreSummaryMaintenanceModeStateNormal)
	ds.Summary.Accessible = true
	ds.Capability = types.DatastoreCapability{
		DirectoryHierarchySupported:      true,
		PerFileThinProvisioningSupported: true,
		StorageIORMSupported:             types.NewBool(true),
		NativeSnapshotSupported:          types.NewBool(false),
		TopLevelDirectoryCreateSupported: types.NewBool(true),
		SeSparseSupported:                types.NewBool(true),
	}
	simulator.Map.PutEntity(folder, ds)
	folder.ChildEntity = append(folder.ChildEntity, ds.Self)
	ds.Summary.Datastore = &ds.Self
	sdc.Datastore = append(sdc.Datastore, ds.Self)

	browser := &simulator.HostDatastoreBrowser{}
	browser.Datastore = []types.ManagedObjectReference{ds.Self}
	ds.Browser = simulator.Map.Put(browser).Reference()

	for _, h := range hosts {
		sh := simulator.Map.Get(h.ref).(*simulator.HostSystem)
		dss := simulator.Map.Get(*sh.ConfigManager.DatastoreSystem).(*simulator.HostDatastoreSystem)
		dss.Datastore = append(dss.Datastore, ds.Self)
		sh.Datastore = dss.Datastore
		crObj := simulator.Map.Get(h.cr.ref)
		switch cr := crObj.(type) {
		case *simulator.ClusterComputeResource:
			if simulator.FindReference(cr.Datastore, ds.Self) == nil {
				cr.Datastore = append(cr.Datastore, ds.Self)
			}
		default:
			v := reflect.ValueOf(crObj).Elem().FieldByName("Datastore")
			if v.IsValid() {
				refs := v.Interface().([]types.ManagedObjectReference)
				if simulator.FindReference(refs, ds.Self) == nil {
					v.Set(reflect.ValueOf(append(refs, ds.Self)))
				}
			}
		}
		ds.Host = append(ds.Host, types.DatastoreHostMount{
			Key: h.ref,
			MountInfo: types.HostMountInfo{
				Path:       dir,
				AccessMode: string(types.HostMountModeReadWrite),
				Mounted:    types.NewBool(true),
				Accessible: types.NewBool(true),
			},
		})
	}
	_ = ds.RefreshDatastore(&types.RefreshDatastore{This: ds.Self})
	return &dsState{name: name, ref: ds.Self, dir: dir}, nil
}

// ---------------------------------------------------------------------------------------------
// VMs

func (b *builder) placeVM(i int, spec *VMSpec) error {
	what := fmt.Sprintf("vm %q", trunc(spec.Name))
	var dc *dcState
	if spec.Datacenter != "" {
		dc = b.dcByName[spec.Datacenter]
		if dc == nil {
			return fmt.Errorf("%s: unknown datacenter %q", what, spec.Datacenter)
		}
	} else if len(b.dcs) == 1 {
		dc = b.dcs[0]
	} else {
		return fmt.Errorf("%s: datacenter is required when the scenario has more than one", what)
	}
	vm := &vmState{spec: spec, index: i, dc: dc}
	if spec.VApp != "" {
		vm.vapp = b.vapps[spec.VApp]
		if vm.vapp.dc != dc {
			return fmt.Errorf("%s: vApp %q is not in datacenter %q", what, spec.VApp, dc.spec.Name)
		}
		if spec.Cluster != "" && spec.Cluster != vm.vapp.cr.name {
			return fmt.Errorf("%s: vApp %q is in cluster %q, not %q", what, spec.VApp, vm.vapp.cr.name, spec.Cluster)
		}
		spec.Cluster = vm.vapp.cr.name
	}

	var host *hostState
	if spec.Host != "" {
		host = dc.hosts[spec.Host]
		if host == nil {
			return fmt.Errorf("%s: host %q is not in datacenter %q", what, spec.Host, dc.spec.Name)
		}
	}
	var cr *crState
	switch {
	case spec.Cluster != "":
		cr = dc.clusters[spec.Cluster]
		if cr == nil {
			return fmt.Errorf("%s: unknown cluster %q in datacenter %q", what, spec.Cluster, dc.spec.Name)
		}
		if host != nil && host.cr != cr {
			return fmt.Errorf("%s: host %q is not in cluster %q", what, spec.Host, spec.Cluster)
		}
	case host != nil:
		cr = host.cr
	case len(dc.clusters) == 1 && len(dc.standalone) == 0:
		for _, c := range dc.clusters {
			cr = c
		}
	default:
		return fmt.Errorf("%s: say which cluster (or host) in datacenter %q", what, dc.spec.Name)
	}
	if host == nil {
		if len(cr.hosts) == 0 {
			return fmt.Errorf("%s: cluster %q has no hosts to run the VM", what, cr.name)
		}
		if spec.roundRobin {
			host = cr.hosts[cr.rr%len(cr.hosts)]
			cr.rr++
		} else {
			host = cr.hosts[0]
		}
	}
	vm.cr = cr
	vm.host = host
	vm.folder = strings.Trim(spec.Folder, "/")
	vm.pool = strings.Trim(spec.ResourcePool, "/")
	if vm.vapp != nil {
		vm.folder = vm.vapp.folder // where the vApp is listed; the VM itself has no parent folder
	}
	if spec.Template != nil && *spec.Template {
		vm.pool = "" // templates are registered against the root pool, and then have none
	}
	b.vms = append(b.vms, vm)
	return nil
}

func (b *builder) datastoreFor(vm *vmState) (*dsState, error) {
	if len(vm.dc.datastores) == 0 {
		return nil, fmt.Errorf("datacenter %q has no datastore", vm.dc.spec.Name)
	}
	if vm.spec.Datastore == "" {
		return vm.dc.datastores[0], nil
	}
	for _, ds := range vm.dc.datastores {
		if ds.name == vm.spec.Datastore {
			return ds, nil
		}
	}
	return nil, fmt.Errorf("vm %q: unknown datastore %q in datacenter %q", trunc(vm.spec.Name), vm.spec.Datastore, vm.dc.spec.Name)
}

func (b *builder) createVM(vm *vmState) error {
	spec := vm.spec
	what := fmt.Sprintf("vm %q", trunc(spec.Name))
	folderRef, err := b.folder(vm.dc, vm.folder)
	if err != nil {
		return err
	}
	poolRef, err := b.pool(vm.cr, vm.pool)
	if err != nil {
		return err
	}
	if vm.vapp != nil {
		poolRef = vm.vapp.ref // CreateVM_Task into a vApp, as VirtualApp.CreateChildVM_Task does
	}
	vm.poolRef = poolRef
	vm.folderRef = folderRef
	ds, err := b.datastoreFor(vm)
	if err != nil {
		return err
	}
	// The simulator names the VM's directory (and files) after the VM. Names that are not safe
	// as file names (slashes, 2,000 characters, markup, ...) are created under a placeholder and
	// renamed in applyVMState.
	createName := spec.Name
	if !safeFileName.MatchString(createName) {
		createName = fmt.Sprintf("vm-%06d", vm.index)
	}
	config := types.VirtualMachineConfigSpec{
		Name:     createName,
		GuestId:  "otherGuest64",
		NumCPUs:  defaultNumCPU,
		MemoryMB: defaultMemoryMB,
		Files:    &types.VirtualMachineFileInfo{VmPathName: "[" + ds.name + "]"},
	}
	host := vm.host.ref
	res, err := methods.CreateVM_Task(b.ctx, b.c, &types.CreateVM_Task{
		This:   folderRef,
		Config: config,
		Pool:   poolRef,
		Host:   &host,
	})
	var tref types.ManagedObjectReference
	if res != nil {
		tref = res.Returnval
	}
	out, err := taskResult(what, tref, err)
	if err != nil {
		return err
	}
	vm.ref = out.(types.ManagedObjectReference)
	vm.host.vmCount++
	if svm, ok := simulator.Map.Get(vm.ref).(*simulator.VirtualMachine); ok && svm.Config != nil {
		vm.vmxPath = svm.Config.Files.VmPathName
	}
	if len(spec.Snapshots) > 0 {
		if err := b.createSnapshots(vm); err != nil {
			return err
		}
	}
	return nil
}

// createSnapshots creates the snapshot tree with CreateSnapshot_Task; the parent of each new
// snapshot is chosen by pointing snapshot.currentSnapshot at it first (the simulator, like
// vSphere, makes a new snapshot a child of the current one).
func (b *builder) createSnapshots(vm *vmState) error {
	svm := simulator.Map.Get(vm.ref).(*simulator.VirtualMachine)
	var current *types.ManagedObjectReference
	var walk func(prefix string, list []SnapshotSpec, parent *types.ManagedObjectReference) error
	walk = func(prefix string, list []SnapshotSpec, parent *types.ManagedObjectReference) error {
		for i := range list {
			sn := &list[i]
			if svm.Snapshot != nil {
				svm.Snapshot.CurrentSnapshot = parent
			}
			res, err := methods.CreateSnapshot_Task(b.ctx, b.c, &types.CreateSnapshot_Task{
				This:        vm.ref,
				Name:        sn.Name,
				Description: sn.Description,
				Memory:      false,
				Quiesce:     sn.Quiesced != nil && *sn.Quiesced,
			})
			var tref types.ManagedObjectReference
			if res != nil {
				tref = res.Returnval
			}
			out, err := taskResult(fmt.Sprintf("vm %q snapshot %q", trunc(vm.spec.Name), sn.Name), tref, err)
			if err != nil {
				return err
			}
			ref := out.(types.ManagedObjectReference)
			path := sn.Name
			if prefix != "" {
				path = prefix + "/" + sn.Name
			}
			vm.snapshots = append(vm.snapshots, snapRecord{path: path, ref: ref})
			if sn.Current != nil && *sn.Current {
				r := ref
				current = &r
			}
			if err := walk(path, sn.Children, &ref); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("", vm.spec.Snapshots, nil); err != nil {
		return err
	}
	if current == nil && len(vm.snapshots) > 0 {
		last := vm.snapshots[len(vm.snapshots)-1].ref
		current = &last
	}
	svm.Snapshot.CurrentSnapshot = current
	return nil
}

func (b *builder) customFields() error {
	if len(b.sc.CustomFields) == 0 {
		return nil
	}
	cfm := object.NewCustomFieldsManager(b.c)
	setFirstCustomFieldKey(simulator.Map.CustomFieldsManager(), firstCustomFieldKey)
	for _, f := range b.sc.CustomFields {
		def, err := cfm.Add(b.ctx, f.Name, f.MoType, nil, nil)
		if err != nil {
			return fmt.Errorf("custom field %q: %v", f.Name, err)
		}
		b.fieldDef = append(b.fieldDef, *def)
		if f.MoType == "VirtualMachine" || f.MoType == "" {
			if _, dup := b.fields[f.Name]; !dup || f.MoType == "VirtualMachine" {
				b.fields[f.Name] = def.Key
			}
		}
	}
	fixCustomFieldTypes()
	for _, vm := range b.vms {
		if len(vm.spec.CustomValues) == 0 {
			continue
		}
		// In custom_fields order, so customValue comes back in a stable order.
		for _, def := range b.fieldDef {
			if b.fields[def.Name] != def.Key {
				continue
			}
			v, ok := vm.spec.CustomValues[def.Name]
			if !ok {
				continue
			}
			if err := cfm.Set(b.ctx, vm.ref, def.Key, v); err != nil {
				return fmt.Errorf("vm %q: custom value %q: %v", trunc(vm.spec.Name), def.Name, err)
			}
		}
	}
	return nil
}

// firstCustomFieldKey: vCenter's custom field keys start well above 0; the simulator's start at
// 0, and a key of 0 would hide client bugs such as "if key:". CustomFieldsManager.nextKey is
// unexported, so it is set through reflection.
const firstCustomFieldKey = 101

func setFirstCustomFieldKey(m *simulator.CustomFieldsManager, key int32) {
	f := reflect.ValueOf(m).Elem().FieldByName("nextKey")
	if !f.IsValid() || f.Kind() != reflect.Int32 {
		return
	}
	p := (*int32)(unsafe.Pointer(f.UnsafeAddr()))
	if *p < key {
		*p = key
	}
}

// fixCustomFieldTypes sets CustomFieldDef.type to "string", as vCenter reports it. The
// simulator copies the managed object type there, which is empty for a global field, and
// pyVmomi rejects an empty (required) type.
func fixCustomFieldTypes() {
	cfm := simulator.Map.CustomFieldsManager()
	for i := range cfm.Field {
		cfm.Field[i].Type = "string"
	}
	for _, e := range simulator.Map.All("") {
		fields := e.Entity().AvailableField
		for i := range fields {
			fields[i].Type = "string"
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Final state, written directly into the simulator's objects.

func (b *builder) applyHostState(h *hostState) {
	sh := simulator.Map.Get(h.ref).(*simulator.HostSystem)
	spec := h.spec
	version := spec.Version
	if version == "" {
		version = defaultHostVersion
	}
	build := spec.Build
	if build == "" {
		build = defaultHostBuild
	}
	fullName := spec.FullName
	if fullName == "" {
		fullName = fmt.Sprintf("VMware ESXi %s build-%s", version, build)
	}
	// summary.config.product is a pointer shared with the simulator's ESX template: copy it.
	var product types.AboutInfo
	if sh.Summary.Config.Product != nil {
		product = *sh.Summary.Config.Product
	}
	product.Version = version
	product.Build = build
	product.FullName = fullName
	sh.Summary.Config.Product = &product
	if sh.Config != nil {
		sh.Config.Product.Version = version
		sh.Config.Product.Build = build
		sh.Config.Product.FullName = fullName
	}
	sh.Runtime.ConnectionState = types.HostSystemConnectionState(orDefault(spec.ConnectionState, "connected"))
	sh.Runtime.PowerState = types.HostSystemPowerState(orDefault(spec.PowerState, "poweredOn"))
	sh.Runtime.InMaintenanceMode = spec.InMaintenanceMode != nil && *spec.InMaintenanceMode
	sh.Summary.Runtime = &sh.Runtime
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func deterministicUUID(kind string, vm *vmState) string {
	key := fmt.Sprintf("fleetreport-vcsim:%s:%s:%s:%s:%d", kind, vm.dc.spec.Name, vm.folder, vm.spec.Name, vm.index)
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(key)).String()
}

func mustTime(v string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		panic(err) // validated earlier
	}
	return &t
}

func (b *builder) applyVMState(vm *vmState) error {
	svm := simulator.Map.Get(vm.ref).(*simulator.VirtualMachine)
	spec := vm.spec

	template := spec.Template != nil && *spec.Template
	defaultPower := "poweredOn"
	if template {
		defaultPower = "poweredOff"
	}
	power := spec.PowerState.Or(defaultPower)
	conn := spec.ConnectionState.Or("connected")

	// identity and configuration
	svm.Name = spec.Name
	svm.Config.Name = spec.Name
	svm.Summary.Config.Name = spec.Name

	instanceUUID := spec.InstanceUUID.Or(deterministicUUID("instance", vm))
	biosUUID := spec.UUID.Or(deterministicUUID("bios", vm))
	svm.Config.InstanceUuid = instanceUUID
	svm.Summary.Config.InstanceUuid = instanceUUID
	svm.Config.Uuid = biosUUID
	svm.Summary.Config.Uuid = biosUUID

	hw := spec.HardwareVersion.Or(defaultHWVersion)
	svm.Config.Version = hw
	svm.Summary.Config.HwVersion = hw

	guestID := spec.GuestID.Or(defaultGuestID)
	defFull := guestFullNames[guestID]
	if defFull == "" {
		defFull = guestID
	}
	guestFull := spec.GuestFullName.Or(defFull)
	svm.Config.GuestId = guestID
	svm.Config.GuestFullName = guestFull
	svm.Summary.Config.GuestId = guestID
	svm.Summary.Config.GuestFullName = guestFull

	svm.Config.Template = template
	svm.Summary.Config.Template = template

	numCPU := int32(defaultNumCPU)
	if spec.NumCPU != nil {
		numCPU = *spec.NumCPU
	}
	memMB := int32(defaultMemoryMB)
	if spec.MemoryMB != nil {
		memMB = *spec.MemoryMB
	}
	svm.Config.Hardware.NumCPU = numCPU
	svm.Config.Hardware.NumCoresPerSocket = 1
	svm.Summary.Config.NumCpu = numCPU
	svm.Config.Hardware.MemoryMB = memMB
	svm.Summary.Config.MemorySizeMB = memMB

	annotation := spec.Annotation.Or("")
	svm.Config.Annotation = annotation
	svm.Summary.Config.Annotation = annotation

	if spec.CreateDate.Present() {
		svm.Config.CreateDate = mustTime(spec.CreateDate.Val)
	}

	// runtime
	svm.Runtime.PowerState = types.VirtualMachinePowerState(power)
	svm.Runtime.ConnectionState = types.VirtualMachineConnectionState(conn)
	svm.Runtime.BootTime = nil
	if spec.BootTime.Present() {
		svm.Runtime.BootTime = mustTime(spec.BootTime.Val)
	}
	svm.Summary.Runtime = svm.Runtime

	// guest / VMware Tools
	status2 := spec.ToolsVersionStatus2.Or("guestToolsCurrent")
	notInstalled := status2 == "guestToolsNotInstalled"
	defRunning := "guestToolsNotRunning"
	if power == "poweredOn" && !notInstalled {
		defRunning = "guestToolsRunning"
	}
	running := spec.ToolsRunningStatus.Or(defRunning)
	isRunning := running == "guestToolsRunning" || running == "guestToolsExecutingScripts"
	defStatus := "toolsOk"
	switch {
	case notInstalled:
		defStatus = "toolsNotInstalled"
	case !isRunning:
		defStatus = "toolsNotRunning"
	case status2 == "guestToolsNeedUpgrade" || status2 == "guestToolsTooOld" || status2 == "guestToolsBlacklisted" ||
		status2 == "guestToolsSupportedOld":
		defStatus = "toolsOld"
	}
	toolsStatus := spec.ToolsStatus.Or(defStatus)
	status1 := spec.ToolsVersionStatus.Or(toolsStatus2To1[status2])
	defToolsVer := defaultToolsVer
	if notInstalled {
		defToolsVer = "0"
	}
	toolsVer := spec.ToolsVersion.Or(defToolsVer)
	defGuestState := "notRunning"
	if isRunning {
		defGuestState = "running"
	}
	runningFull, runningID := "", ""
	if isRunning {
		runningFull, runningID = guestFull, guestID
	}
	g := &types.GuestInfo{
		ToolsStatus:         types.VirtualMachineToolsStatus(toolsStatus),
		ToolsVersionStatus:  status1,
		ToolsVersionStatus2: status2,
		ToolsRunningStatus:  running,
		ToolsVersion:        toolsVer,
		GuestId:             spec.RunningGuestID.Or(runningID),
		GuestFullName:       spec.RunningGuestFullName.Or(runningFull),
		HostName:            spec.GuestHostname.Or(""),
		IpAddress:           spec.IPAddress.Or(""),
		GuestState:          spec.GuestState.Or(defGuestState),
	}
	if svm.Guest != nil {
		g.GuestFamily = svm.Guest.GuestFamily
		g.Net = svm.Guest.Net
	}
	svm.Guest = g
	svm.Summary.Guest = &types.VirtualMachineGuestSummary{
		GuestId:             g.GuestId,
		GuestFullName:       g.GuestFullName,
		ToolsStatus:         g.ToolsStatus,
		ToolsVersionStatus:  g.ToolsVersionStatus,
		ToolsVersionStatus2: g.ToolsVersionStatus2,
		ToolsRunningStatus:  g.ToolsRunningStatus,
		HostName:            g.HostName,
		IpAddress:           g.IpAddress,
	}
	if svm.Config.Tools != nil {
		if n, err := strconv.Atoi(toolsVer); err == nil {
			svm.Config.Tools.ToolsVersion = int32(n)
		}
	}
	svm.Summary.QuickStats.GuestHeartbeatStatus = types.ManagedEntityStatusGray
	if isRunning {
		svm.Summary.QuickStats.GuestHeartbeatStatus = types.ManagedEntityStatusGreen
	}

	// templates have no resource pool (vSphere returns none for them)
	if template {
		svm.ResourcePool = nil
		if rp, ok := simulator.Map.Get(vm.poolRef).(*simulator.ResourcePool); ok {
			simulator.RemoveReference(&rp.Vm, vm.ref)
		}
	}

	// snapshot times and states: the scenario's, not the moment we created them
	if len(spec.Snapshots) > 0 && svm.Snapshot != nil {
		var fix func(specs []SnapshotSpec, tree []types.VirtualMachineSnapshotTree) error
		fix = func(specs []SnapshotSpec, tree []types.VirtualMachineSnapshotTree) error {
			if len(specs) != len(tree) {
				return fmt.Errorf("vm %q: snapshot tree has %d nodes where the scenario has %d", trunc(spec.Name), len(tree), len(specs))
			}
			for i := range specs {
				node := &tree[i]
				if specs[i].Created.Present() {
					node.CreateTime = *mustTime(specs[i].Created.Val)
				}
				node.State = types.VirtualMachinePowerState(specs[i].State.Or(power))
				node.Name = specs[i].Name
				node.Description = specs[i].Description
				if err := fix(specs[i].Children, node.ChildSnapshotList); err != nil {
					return err
				}
			}
			return nil
		}
		if err := fix(spec.Snapshots, svm.Snapshot.RootSnapshotList); err != nil {
			return err
		}
	}
	if vm.vapp != nil {
		// vSphere: a vApp member has parentVApp and no parent folder.
		svm.Parent = nil
		app := vm.vapp.ref
		svm.ParentVApp = &app
		if sf, ok := simulator.Map.Get(vm.folderRef).(*simulator.Folder); ok {
			simulator.RemoveReference(&sf.ChildEntity, vm.ref)
		}
	}
	if spec.ConfigUnset {
		unsetConfig(svm, vm)
	}
	return nil
}

// vmxPathRe matches a datastore path to a .vmx file: "[vsanDatastore] W10-FC-017/W10-FC-017.vmx".
var vmxPathRe = regexp.MustCompile(`^\[[^\]]+\] .+\.vmx$`)

// unsetConfig makes the VM look like one vCenter cannot read (inaccessible, invalid, orphaned):
// config is unset, so every config.* property is absent; summary.config keeps only the name
// and the .vmx path (the name, when the scenario gives a .vmx path as the name).
func unsetConfig(svm *simulator.VirtualMachine, vm *vmState) {
	vmx := vm.vmxPath
	if vmxPathRe.MatchString(vm.spec.Name) {
		vmx = vm.spec.Name
	}
	svm.Config = nil
	svm.Snapshot = nil
	svm.Summary.Config = types.VirtualMachineConfigSummary{Name: vm.spec.Name, VmPathName: vmx}
}
