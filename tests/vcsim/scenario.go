package main

// Scenario file format: see README.md in this directory.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// OptString is a JSON string that remembers whether it was given and whether it was null:
// absent -> the simulator's default for the field, null -> the property is left unset.
type OptString struct {
	Set  bool
	Null bool
	Val  string
}

func (o *OptString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		o.Val = ""
		return nil
	}
	o.Null = false
	return json.Unmarshal(b, &o.Val)
}

// Present reports whether a value (not null) was given.
func (o OptString) Present() bool { return o.Set && !o.Null }

// Or returns the given value, or def when the field is absent. A null yields "".
func (o OptString) Or(def string) string {
	if !o.Set {
		return def
	}
	return o.Val
}

type Scenario struct {
	Comment      json.RawMessage   `json:"_comment,omitempty"`
	Strict       *bool             `json:"strict,omitempty"`
	VCenter      VCenterSpec       `json:"vcenter"`
	CustomFields []CustomFieldSpec `json:"custom_fields,omitempty"`
	Datacenters  []DatacenterSpec  `json:"datacenters"`
	VMs          []VMSpec          `json:"vms,omitempty"`
	Bulk         []BulkSpec        `json:"bulk,omitempty"`
}

type VCenterSpec struct {
	Comment      json.RawMessage `json:"_comment,omitempty"`
	Name         string          `json:"name"`
	InstanceUUID string          `json:"instance_uuid"`
	Version      string          `json:"version"`
	Build        string          `json:"build"`
	FullName     string          `json:"full_name"`
	AboutName    string          `json:"about_name"`
	APIVersion   string          `json:"api_version"`
	StatsLevel   *int32          `json:"stats_level,omitempty"` // every historical interval's level (perf.go); overrides -stats-level
}

// CustomFieldSpec is either "Name" or {"name": "Name", "mo_type": "VirtualMachine"}.
// mo_type "" means a global field (applies to every managed entity type).
type CustomFieldSpec struct {
	Name   string
	MoType string
}

func (c *CustomFieldSpec) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		c.Name = s
		c.MoType = "VirtualMachine"
		return nil
	}
	var obj struct {
		Name   string  `json:"name"`
		MoType *string `json:"mo_type"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("custom_fields entry must be a string or {\"name\", \"mo_type\"}: %v", err)
	}
	c.Name = obj.Name
	c.MoType = "VirtualMachine"
	if obj.MoType != nil {
		c.MoType = *obj.MoType
	}
	return nil
}

type DatacenterSpec struct {
	Comment    json.RawMessage `json:"_comment,omitempty"`
	Name       string          `json:"name"`
	Folders    []string        `json:"folders,omitempty"`
	Datastores []DatastoreSpec `json:"datastores,omitempty"`
	Clusters   []ClusterSpec   `json:"clusters,omitempty"`
	Hosts      []HostSpec      `json:"hosts,omitempty"` // standalone hosts
}

type ClusterSpec struct {
	Comment       json.RawMessage `json:"_comment,omitempty"`
	Name          string          `json:"name"`
	ResourcePools []string        `json:"resource_pools,omitempty"`
	Hosts         []HostSpec      `json:"hosts,omitempty"`
	VApps         []VAppSpec      `json:"vapps,omitempty"`
	HA            *HASpec         `json:"ha,omitempty"`  // configurationEx.dasConfig; absent: left unset
	DRS           *DRSSpec        `json:"drs,omitempty"` // configurationEx.drsConfig; absent: the simulator's (enabled)
	Alarms        []AlarmSpec     `json:"alarms,omitempty"`
}

// VAppSpec is a vApp (VirtualApp): a resource pool of the cluster that is also an inventory
// item in a VM folder. Its member VMs name it with the VM key "vapp".
type VAppSpec struct {
	Comment      json.RawMessage `json:"_comment,omitempty"`
	Name         string          `json:"name"`
	ResourcePool string          `json:"resource_pool,omitempty"` // parent pool; default the cluster's root pool
	Folder       string          `json:"folder,omitempty"`        // VM folder it is listed in; default the datacenter's
	Annotation   string          `json:"annotation,omitempty"`
}

type HostSpec struct {
	Comment           json.RawMessage `json:"_comment,omitempty"`
	Name              string          `json:"name"`
	Version           string          `json:"version,omitempty"`
	Build             string          `json:"build,omitempty"`
	FullName          string          `json:"full_name,omitempty"`
	ConnectionState   string          `json:"connection_state,omitempty"`
	InMaintenanceMode *bool           `json:"in_maintenance_mode,omitempty"`
	PowerState        string          `json:"power_state,omitempty"`
	CPUMhz            *int32          `json:"cpu_mhz,omitempty"`         // summary.hardware.cpuMhz (per core)
	CPUCores          *int16          `json:"cpu_cores,omitempty"`       // summary.hardware.numCpuCores
	MemoryMB          *int64          `json:"memory_mb,omitempty"`       // summary.hardware.memorySize, in MiB
	CPUUsageMhz       *int32          `json:"cpu_usage_mhz,omitempty"`   // summary.quickStats.overallCpuUsage
	MemoryUsageMB     *int32          `json:"memory_usage_mb,omitempty"` // summary.quickStats.overallMemoryUsage
	HardwareHealth    OptHealth       `json:"hardware_health"`           // runtime.healthSystemRuntime
	Alarms            []AlarmSpec     `json:"alarms,omitempty"`
	PowerWatts        []int64         `json:"power_watts,omitempty"` // power.power.average series (perf.go)
}

type SnapshotSpec struct {
	Comment     json.RawMessage `json:"_comment,omitempty"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Created     OptString       `json:"created"`
	State       OptString       `json:"state"`
	Quiesced    *bool           `json:"quiesced,omitempty"`
	Current     *bool           `json:"current,omitempty"`
	Children    []SnapshotSpec  `json:"children,omitempty"`
}

type VMSpec struct {
	Comment json.RawMessage `json:"_comment,omitempty"`
	Name    string          `json:"name"`

	// placement
	Datacenter   string `json:"datacenter,omitempty"`
	Cluster      string `json:"cluster,omitempty"`
	Host         string `json:"host,omitempty"`
	Folder       string `json:"folder,omitempty"`
	ResourcePool string `json:"resource_pool,omitempty"`
	Datastore    string `json:"datastore,omitempty"`
	VApp         string `json:"vapp,omitempty"` // member of this vApp: no parent folder, parentVApp set

	// state
	PowerState      OptString `json:"power_state"`
	ConnectionState OptString `json:"connection_state"`
	Template        *bool     `json:"template,omitempty"`
	BootTime        OptString `json:"boot_time"`
	CreateDate      OptString `json:"create_date"`
	ConfigUnset     bool      `json:"config_unset,omitempty"` // config (and its summary twin) left unset

	// config
	InstanceUUID    OptString `json:"instance_uuid"`
	UUID            OptString `json:"uuid"`
	GuestID         OptString `json:"guest_id"`
	GuestFullName   OptString `json:"guest_full_name"`
	HardwareVersion OptString `json:"hardware_version"`
	NumCPU          *int32    `json:"num_cpu,omitempty"`
	MemoryMB        *int32    `json:"memory_mb,omitempty"`
	Annotation      OptString `json:"annotation"`

	// guest (VMware Tools)
	RunningGuestID       OptString `json:"running_guest_id"`
	RunningGuestFullName OptString `json:"running_guest_full_name"`
	GuestHostname        OptString `json:"guest_hostname"`
	IPAddress            OptString `json:"ip_address"`
	GuestState           OptString `json:"guest_state"`
	ToolsStatus          OptString `json:"tools_status"`
	ToolsVersionStatus   OptString `json:"tools_version_status"`
	ToolsVersionStatus2  OptString `json:"tools_version_status2"`
	ToolsRunningStatus   OptString `json:"tools_running_status"`
	ToolsVersion         OptString `json:"tools_version"`

	CustomValues map[string]string `json:"custom_values,omitempty"`
	Snapshots    []SnapshotSpec    `json:"snapshots,omitempty"`

	// contention and storage state
	ConsolidationNeeded OptBool     `json:"consolidation_needed"`          // runtime.consolidationNeeded
	BalloonedMemoryMB   *int32      `json:"ballooned_memory_mb,omitempty"` // summary.quickStats.balloonedMemory
	SwappedMemoryMB     *int32      `json:"swapped_memory_mb,omitempty"`   // summary.quickStats.swappedMemory
	Alarms              []AlarmSpec `json:"alarms,omitempty"`

	// performance history
	CPUPercent []float64 `json:"cpu_percent,omitempty"` // cpu.usage.average series in percent (perf.go)

	roundRobin bool // bulk VMs without a host are spread over the cluster's hosts
}

type BulkSpec struct {
	Comment      json.RawMessage `json:"_comment,omitempty"`
	Datacenter   string          `json:"datacenter,omitempty"`
	Cluster      string          `json:"cluster,omitempty"`
	Host         string          `json:"host,omitempty"`
	Folder       string          `json:"folder,omitempty"`
	ResourcePool string          `json:"resource_pool,omitempty"`
	Datastore    string          `json:"datastore,omitempty"`
	Count        int             `json:"count"`
	NamePrefix   string          `json:"name_prefix"`
	NameSuffix   string          `json:"name_suffix,omitempty"`
	Start        *int            `json:"start,omitempty"`
	Width        *int            `json:"width,omitempty"`
	Template     json.RawMessage `json:"template,omitempty"`
}

// ---------------------------------------------------------------------------------------------
// Enumerations (validated unless "strict": false)

var (
	vmPowerStates       = []string{"poweredOn", "poweredOff", "suspended"}
	vmConnectionStates  = []string{"connected", "disconnected", "orphaned", "inaccessible", "invalid"}
	toolsStatuses       = []string{"toolsNotInstalled", "toolsNotRunning", "toolsOld", "toolsOk"}
	toolsVersionStatus1 = []string{"guestToolsCurrent", "guestToolsNeedUpgrade", "guestToolsNotInstalled", "guestToolsUnmanaged"}
	toolsVersionStatus2 = []string{"guestToolsCurrent", "guestToolsNeedUpgrade", "guestToolsSupportedOld", "guestToolsTooOld",
		"guestToolsBlacklisted", "guestToolsNotInstalled", "guestToolsTooNew", "guestToolsUnmanaged", "guestToolsSupportedNew"}
	toolsRunningStatuses = []string{"guestToolsNotRunning", "guestToolsRunning", "guestToolsExecutingScripts"}
	guestStates          = []string{"running", "notRunning", "shuttingDown", "resetting", "standby", "unknown"}
	hostConnStates       = []string{"connected", "notResponding", "disconnected"}
	hostPowerStates      = []string{"poweredOn", "poweredOff", "standBy", "unknown"}
	hwVersionRe          = regexp.MustCompile(`^vmx-[0-9]+$`)
)

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------------------------
// Loading

func loadScenario(path string) (*Scenario, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("%s: trailing data after the scenario object", path)
	}
	return &s, data, nil
}

func (s *Scenario) strict() bool { return s.Strict == nil || *s.Strict }

// checkText rejects what XML 1.0 (and so SOAP) cannot carry: NUL, the C0 controls other than
// TAB, LF and CR, lone surrogates / invalid UTF-8 and the non-characters U+FFFE and U+FFFF.
// govmomi's XML encoder would silently turn them into U+FFFD; we prefer a clear error.
func checkText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: not valid UTF-8", what)
	}
	for i, r := range s {
		switch {
		case r == 0:
			return fmt.Errorf("%s: contains NUL at byte %d (not representable in XML 1.0 / SOAP)", what, i)
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
			return fmt.Errorf("%s: contains control character U+%04X at byte %d; XML 1.0 (and so SOAP) "+
				"cannot carry C0 controls other than TAB, LF and CR", what, r, i)
		case r == 0xFFFE || r == 0xFFFF:
			return fmt.Errorf("%s: contains non-character U+%04X (not representable in XML 1.0)", what, r)
		}
	}
	return nil
}

func checkName(what, s string) error {
	if s == "" {
		return fmt.Errorf("%s: name must not be empty", what)
	}
	return checkText(what, s)
}

// splitPath splits a folder / resource pool path. Empty segments are an error.
func splitPath(what, p string) ([]string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return nil, nil
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for _, part := range parts {
		if part == "" {
			return nil, fmt.Errorf("%s: empty path segment in %q", what, p)
		}
		if err := checkText(what, part); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

func parseTime(what, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 time (e.g. 2026-10-01T08:00:00Z): %v", what, v, err)
	}
	return t, nil
}

// expandVMs returns the explicit VMs followed by the bulk-generated ones.
func (s *Scenario) expandVMs() ([]VMSpec, error) {
	out := make([]VMSpec, 0, len(s.VMs))
	out = append(out, s.VMs...)
	for bi, b := range s.Bulk {
		what := fmt.Sprintf("bulk[%d]", bi)
		if b.Count < 0 {
			return nil, fmt.Errorf("%s: count must be >= 0", what)
		}
		if b.NamePrefix == "" && b.NameSuffix == "" {
			return nil, fmt.Errorf("%s: name_prefix is required", what)
		}
		start := 1
		if b.Start != nil {
			start = *b.Start
		}
		width := len(strconv.Itoa(start + b.Count - 1))
		if b.Width != nil {
			width = *b.Width
		}
		var tmpl VMSpec
		if len(b.Template) > 0 {
			dec := json.NewDecoder(bytes.NewReader(b.Template))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&tmpl); err != nil {
				return nil, fmt.Errorf("%s.template: %v", what, err)
			}
			if tmpl.Name != "" {
				return nil, fmt.Errorf("%s.template: must not have a name (use name_prefix)", what)
			}
		}
		for i := 0; i < b.Count; i++ {
			n := fmt.Sprintf("%0*d", width, start+i)
			vm := substitute(tmpl, n)
			vm.Name = b.NamePrefix + n + b.NameSuffix
			if b.Datacenter != "" {
				vm.Datacenter = b.Datacenter
			}
			if b.Cluster != "" {
				vm.Cluster = b.Cluster
			}
			if b.Host != "" {
				vm.Host = b.Host
			}
			vm.roundRobin = vm.Host == ""
			if b.Folder != "" {
				vm.Folder = b.Folder
			}
			if b.ResourcePool != "" {
				vm.ResourcePool = b.ResourcePool
			}
			if b.Datastore != "" {
				vm.Datastore = b.Datastore
			}
			out = append(out, vm)
		}
	}
	return out, nil
}

// substitute copies the template, replacing "{n}" in its free-text string fields.
func substitute(t VMSpec, n string) VMSpec {
	vm := t
	sub := func(o *OptString) {
		if o.Present() && strings.Contains(o.Val, "{n}") {
			o.Val = strings.ReplaceAll(o.Val, "{n}", n)
		}
	}
	for _, o := range []*OptString{&vm.InstanceUUID, &vm.UUID, &vm.GuestHostname, &vm.IPAddress, &vm.Annotation,
		&vm.GuestFullName, &vm.RunningGuestFullName} {
		sub(o)
	}
	if len(t.CustomValues) > 0 {
		vm.CustomValues = make(map[string]string, len(t.CustomValues))
		for k, v := range t.CustomValues {
			vm.CustomValues[k] = strings.ReplaceAll(v, "{n}", n)
		}
	}
	return vm
}

// validate checks the static parts of a scenario (placement is checked while building).
func (s *Scenario) validate(vms []VMSpec) error {
	strict := s.strict()
	if len(s.Datacenters) == 0 {
		return fmt.Errorf("scenario needs at least one datacenter")
	}
	if err := checkText("vcenter.name", s.VCenter.Name); err != nil {
		return err
	}
	if l := s.VCenter.StatsLevel; l != nil && (*l < 1 || *l > 4) {
		return fmt.Errorf("vcenter.stats_level: %d is not a statistics level (1 to 4)", *l)
	}
	seenField := map[string]bool{}
	for i, f := range s.CustomFields {
		if err := checkName(fmt.Sprintf("custom_fields[%d]", i), f.Name); err != nil {
			return err
		}
		key := f.MoType + "\x00" + f.Name
		if seenField[key] {
			return fmt.Errorf("custom_fields: %q defined twice", f.Name)
		}
		seenField[key] = true
	}
	dcs := map[string]bool{}
	hosts := map[string]bool{}
	clusters := map[string]bool{}
	vapps := map[string]bool{}
	checkHost := func(what string, h HostSpec) error {
		if err := checkName(what+".name", h.Name); err != nil {
			return err
		}
		if hosts[h.Name] {
			return fmt.Errorf("%s: host name %q used twice (vCenter host names are unique)", what, h.Name)
		}
		hosts[h.Name] = true
		if strict && h.ConnectionState != "" && !oneOf(h.ConnectionState, hostConnStates) {
			return fmt.Errorf("%s: connection_state %q not one of %v", what, h.ConnectionState, hostConnStates)
		}
		if strict && h.PowerState != "" && !oneOf(h.PowerState, hostPowerStates) {
			return fmt.Errorf("%s: power_state %q not one of %v", what, h.PowerState, hostPowerStates)
		}
		return validateHostHealth(what, h, strict)
	}
	for i, dc := range s.Datacenters {
		what := fmt.Sprintf("datacenters[%d]", i)
		if err := checkName(what+".name", dc.Name); err != nil {
			return err
		}
		if dcs[dc.Name] {
			return fmt.Errorf("%s: datacenter %q defined twice", what, dc.Name)
		}
		dcs[dc.Name] = true
		for _, f := range dc.Folders {
			if _, err := splitPath(what+".folders", f); err != nil {
				return err
			}
		}
		dsNames := map[string]bool{}
		for j, ds := range dc.Datastores {
			dw := fmt.Sprintf("%s.datastores[%d]", what, j)
			if err := validateDatastore(dw, ds, strict); err != nil {
				return err
			}
			if dsNames[ds.Name] {
				return fmt.Errorf("%s: datastore %q defined twice in the datacenter", dw, ds.Name)
			}
			dsNames[ds.Name] = true
		}
		for j, c := range dc.Clusters {
			cw := fmt.Sprintf("%s.clusters[%d]", what, j)
			if err := checkName(cw+".name", c.Name); err != nil {
				return err
			}
			if clusters[c.Name] {
				return fmt.Errorf("%s: cluster name %q used twice (the manifest keys clusters by name)", cw, c.Name)
			}
			clusters[c.Name] = true
			if err := validateCluster(cw, c, strict); err != nil {
				return err
			}
			for _, rp := range c.ResourcePools {
				if _, err := splitPath(cw+".resource_pools", rp); err != nil {
					return err
				}
			}
			for k, h := range c.Hosts {
				if err := checkHost(fmt.Sprintf("%s.hosts[%d]", cw, k), h); err != nil {
					return err
				}
			}
			for k, a := range c.VApps {
				aw := fmt.Sprintf("%s.vapps[%d]", cw, k)
				if err := checkName(aw+".name", a.Name); err != nil {
					return err
				}
				if strings.Contains(a.Name, "/") {
					return fmt.Errorf("%s: vApp name %q must not contain /", aw, a.Name)
				}
				if vapps[a.Name] {
					return fmt.Errorf("%s: vApp name %q used twice (VMs name their vApp)", aw, a.Name)
				}
				vapps[a.Name] = true
				if _, err := splitPath(aw+".resource_pool", a.ResourcePool); err != nil {
					return err
				}
				if _, err := splitPath(aw+".folder", a.Folder); err != nil {
					return err
				}
				if err := checkText(aw+".annotation", a.Annotation); err != nil {
					return err
				}
			}
		}
		for k, h := range dc.Hosts {
			if err := checkHost(fmt.Sprintf("%s.hosts[%d]", what, k), h); err != nil {
				return err
			}
		}
	}
	for i := range vms {
		what := fmt.Sprintf("vm %d (%q)", i, trunc(vms[i].Name))
		if err := validateVM(what, &vms[i], strict, seenField); err != nil {
			return err
		}
		if vms[i].VApp != "" && !vapps[vms[i].VApp] {
			return fmt.Errorf("%s: vapp %q is not declared in any cluster's vapps", what, vms[i].VApp)
		}
	}
	return nil
}

func trunc(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	r := []rune(s)
	return string(r[:60]) + "…"
}

func validateVM(what string, vm *VMSpec, strict bool, fields map[string]bool) error {
	if err := checkName(what+".name", vm.Name); err != nil {
		return err
	}
	enums := []struct {
		name    string
		v       OptString
		allowed []string
	}{
		{"power_state", vm.PowerState, vmPowerStates},
		{"connection_state", vm.ConnectionState, vmConnectionStates},
		{"tools_status", vm.ToolsStatus, toolsStatuses},
		{"tools_version_status", vm.ToolsVersionStatus, toolsVersionStatus1},
		{"tools_version_status2", vm.ToolsVersionStatus2, toolsVersionStatus2},
		{"tools_running_status", vm.ToolsRunningStatus, toolsRunningStatuses},
		{"guest_state", vm.GuestState, guestStates},
	}
	for _, e := range enums {
		if e.name == "power_state" || e.name == "connection_state" {
			if e.v.Set && e.v.Null {
				return fmt.Errorf("%s: %s cannot be null", what, e.name)
			}
		}
		if strict && e.v.Present() && !oneOf(e.v.Val, e.allowed) {
			return fmt.Errorf("%s: %s %q not one of %v (set \"strict\": false to allow it)", what, e.name, e.v.Val, e.allowed)
		}
	}
	if vm.HardwareVersion.Present() && strict && !hwVersionRe.MatchString(vm.HardwareVersion.Val) {
		return fmt.Errorf("%s: hardware_version %q must look like vmx-19", what, vm.HardwareVersion.Val)
	}
	template := vm.Template != nil && *vm.Template
	if vm.VApp != "" {
		if vm.Folder != "" || vm.ResourcePool != "" {
			return fmt.Errorf("%s: a vApp member takes its folder and resource pool from the vApp (drop folder and resource_pool)", what)
		}
		if template {
			return fmt.Errorf("%s: a template cannot be a vApp member", what)
		}
	}
	if vm.ConfigUnset {
		if strict && vm.ConnectionState.Or("connected") == "connected" {
			return fmt.Errorf("%s: config_unset needs a connection_state that is not connected "+
				"(vCenter leaves config unset for inaccessible, invalid or orphaned VMs)", what)
		}
		if template || len(vm.Snapshots) > 0 {
			return fmt.Errorf("%s: config_unset cannot go with template or snapshots (both live in config and snapshot info vCenter cannot read)", what)
		}
	}
	if template && vm.PowerState.Or("poweredOff") != "poweredOff" && strict {
		return fmt.Errorf("%s: a template must be poweredOff (vCenter cannot power on templates)", what)
	}
	for _, t := range []struct {
		name string
		v    OptString
	}{{"boot_time", vm.BootTime}, {"create_date", vm.CreateDate}} {
		if t.v.Present() {
			if _, err := parseTime(what+"."+t.name, t.v.Val); err != nil {
				return err
			}
		}
	}
	for _, o := range []struct {
		name string
		v    OptString
	}{
		{"annotation", vm.Annotation}, {"guest_full_name", vm.GuestFullName},
		{"running_guest_full_name", vm.RunningGuestFullName}, {"guest_hostname", vm.GuestHostname},
		{"ip_address", vm.IPAddress}, {"guest_id", vm.GuestID}, {"running_guest_id", vm.RunningGuestID},
		{"tools_version", vm.ToolsVersion}, {"instance_uuid", vm.InstanceUUID}, {"uuid", vm.UUID},
	} {
		if err := checkText(what+"."+o.name, o.v.Val); err != nil {
			return err
		}
	}
	if vm.NumCPU != nil && *vm.NumCPU <= 0 {
		return fmt.Errorf("%s: num_cpu must be > 0", what)
	}
	if vm.MemoryMB != nil && *vm.MemoryMB <= 0 {
		return fmt.Errorf("%s: memory_mb must be > 0", what)
	}
	keys := make([]string, 0, len(vm.CustomValues))
	for k := range vm.CustomValues {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !fields["VirtualMachine\x00"+k] && !fields["\x00"+k] {
			return fmt.Errorf("%s: custom_values key %q is not declared in custom_fields (for VirtualMachine or global)", what, k)
		}
		if err := checkText(what+".custom_values["+k+"]", vm.CustomValues[k]); err != nil {
			return err
		}
	}
	current := 0
	var walk func(path string, list []SnapshotSpec) error
	walk = func(path string, list []SnapshotSpec) error {
		for i, sn := range list {
			sw := fmt.Sprintf("%s.snapshots%s[%d]", what, path, i)
			if err := checkName(sw+".name", sn.Name); err != nil {
				return err
			}
			if err := checkText(sw+".description", sn.Description); err != nil {
				return err
			}
			if sn.Created.Present() {
				if _, err := parseTime(sw+".created", sn.Created.Val); err != nil {
					return err
				}
			}
			if sn.State.Present() && strict && !oneOf(sn.State.Val, vmPowerStates) {
				return fmt.Errorf("%s: state %q not one of %v", sw, sn.State.Val, vmPowerStates)
			}
			if sn.Current != nil && *sn.Current {
				current++
			}
			if err := walk(fmt.Sprintf("%s[%d].children", path, i), sn.Children); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("", vm.Snapshots); err != nil {
		return err
	}
	if current > 1 {
		return fmt.Errorf("%s: more than one snapshot marked current", what)
	}
	return validateVMHealth(what, vm, strict)
}
