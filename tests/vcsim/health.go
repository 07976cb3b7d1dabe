package main

// Storage, alarm, hardware-health and HA/DRS state, applied after everything else is built
// (so none of it shifts the moids of datacenters, hosts, VMs or snapshots).

import (
	"fmt"
	"sort"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Alarm is an alarm definition (vim.alarm.Alarm): the simulator has no AlarmManager, so the
// definitions the scenario triggers are registered as plain managed objects whose `info` a
// PropertyCollector can read.
type Alarm struct {
	mo.Alarm
}

func (b *builder) applyHealth() error {
	for _, dc := range b.dcs {
		for _, ds := range dc.datastores {
			applyDatastoreState(ds)
		}
		for _, name := range sortedHostNames(dc) {
			applyHostHealth(dc.hosts[name])
		}
		for _, cr := range sortedClusters(dc) {
			applyClusterState(cr)
		}
	}
	for _, vm := range b.vms {
		applyVMHealth(vm)
	}
	return b.triggerAlarms()
}

func sortedClusters(dc *dcState) []*crState {
	out := make([]*crState, 0, len(dc.clusters))
	for _, cr := range dc.clusters {
		out = append(out, cr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func applyDatastoreState(ds *dsState) {
	sds := simulator.Map.Get(ds.ref).(*simulator.Datastore)
	spec := ds.spec
	if spec.Type != "" {
		sds.Summary.Type = spec.Type
	}
	if spec.CapacityGiB != nil {
		sds.Summary.Capacity = gibToBytes(*spec.CapacityGiB)
		sds.Summary.FreeSpace = gibToBytes(*spec.FreeGiB)
		info := sds.Info.GetDatastoreInfo()
		info.FreeSpace = sds.Summary.FreeSpace
		info.MaxFileSize = sds.Summary.FreeSpace
	}
	if spec.Accessible != nil && !*spec.Accessible {
		sds.Summary.Accessible = false
		for i := range sds.Host {
			sds.Host[i].MountInfo.Accessible = types.NewBool(false)
			sds.Host[i].MountInfo.InaccessibleReason = "AllPathsDown_Start"
		}
	}
	if spec.MaintenanceMode.Set {
		sds.Summary.MaintenanceMode = spec.MaintenanceMode.Val // null: "" (unset, as before 5.0)
	}
}

// applyHostHealth sets hardware sizes, quickStats and runtime.healthSystemRuntime.
func applyHostHealth(h *hostState) {
	sh := simulator.Map.Get(h.ref).(*simulator.HostSystem)
	spec := h.spec
	hw := sh.Summary.Hardware // a per-host copy (NewHostSystem)
	if spec.CPUMhz != nil {
		hw.CpuMhz = *spec.CPUMhz
	}
	if spec.CPUCores != nil {
		hw.NumCpuCores = *spec.CPUCores
		hw.NumCpuThreads = 2 * *spec.CPUCores
	}
	if spec.MemoryMB != nil {
		hw.MemorySize = *spec.MemoryMB << 20
	}
	if sh.Hardware != nil {
		sh.Hardware.CpuInfo.Hz = int64(hw.CpuMhz) * 1_000_000
		sh.Hardware.CpuInfo.NumCpuCores = hw.NumCpuCores
		sh.Hardware.MemorySize = hw.MemorySize
	}
	if spec.CPUUsageMhz != nil {
		sh.Summary.QuickStats.OverallCpuUsage = *spec.CPUUsageMhz
	}
	if spec.MemoryUsageMB != nil {
		sh.Summary.QuickStats.OverallMemoryUsage = *spec.MemoryUsageMB
	}
	switch {
	case !spec.HardwareHealth.Set:
		// the simulator's all-green sensors (a pointer shared by every host: left as is)
	case spec.HardwareHealth.Null:
		sh.Runtime.HealthSystemRuntime = nil
	default:
		sh.Runtime.HealthSystemRuntime = healthRuntime(spec.HardwareHealth.Val)
	}
	sh.Summary.Runtime = &sh.Runtime
}

func description(key, label, summary string) *types.ElementDescription {
	return &types.ElementDescription{Description: types.Description{Label: label, Summary: summary}, Key: key}
}

// healthRuntime builds a HealthSystemRuntime: the rollup sensor (green, as ESXi reports it
// beside failing sensors), the scenario's sensors, and its hardware status elements.
func healthRuntime(spec HealthSpec) *types.HealthSystemRuntime {
	sensors := []types.HostNumericSensorInfo{{
		Name:        "VMware Rollup Health State",
		HealthState: description("green", "Green", "Sensor is operating under normal conditions"),
		SensorType:  "system",
	}}
	for _, s := range spec.Sensors {
		summary := s.Summary
		if summary == "" {
			summary = "Sensor is operating under normal conditions"
			if s.Health != "green" {
				summary = "Sensor is not operating under normal conditions"
			}
		}
		sensors = append(sensors, types.HostNumericSensorInfo{
			Name:        s.Name,
			HealthState: description(s.Health, s.Health, summary),
			SensorType:  s.Type,
		})
	}
	elements := func(list []HWElementSpec) []types.BaseHostHardwareElementInfo {
		var out []types.BaseHostHardwareElementInfo
		for _, e := range list {
			out = append(out, &types.HostHardwareElementInfo{Name: e.Name, Status: description(e.Status, e.Status, e.Summary)})
		}
		return out
	}
	var storage []types.HostStorageElementInfo
	for _, e := range spec.Storage {
		storage = append(storage, types.HostStorageElementInfo{HostHardwareElementInfo: types.HostHardwareElementInfo{
			Name: e.Name, Status: description(e.Status, e.Status, e.Summary)}})
	}
	return &types.HealthSystemRuntime{
		SystemHealthInfo: &types.HostSystemHealthInfo{NumericSensorInfo: sensors},
		HardwareStatusInfo: &types.HostHardwareStatusInfo{
			MemoryStatusInfo:  elements(spec.Memory),
			CpuStatusInfo:     elements(spec.CPU),
			StorageStatusInfo: storage,
		},
	}
}

// applyClusterState sets HA and DRS, and recomputes summary from the hosts' final state: the
// simulator adds cpuMhz (not x cores) and bytes to effectiveMemory (vCenter: MB), at AddHost.
func applyClusterState(cr *crState) {
	scl := simulator.Map.Get(cr.ref).(*simulator.ClusterComputeResource)
	cfg := scl.ConfigurationEx.(*types.ClusterConfigInfoEx)
	if ha := cr.spec.HA; ha != nil {
		admission := ha.Enabled
		if ha.AdmissionControl != nil {
			admission = *ha.AdmissionControl
		}
		cfg.DasConfig.Enabled = types.NewBool(ha.Enabled)
		cfg.DasConfig.AdmissionControlEnabled = types.NewBool(admission)
	}
	if drs := cr.spec.DRS; drs != nil {
		cfg.DrsConfig.Enabled = types.NewBool(drs.Enabled)
		cfg.DrsConfig.DefaultVmBehavior = types.DrsBehavior(orDefault(drs.Behavior, "fullyAutomated"))
	}
	s := scl.Summary.GetComputeResourceSummary()
	s.TotalCpu, s.TotalMemory, s.EffectiveCpu, s.EffectiveMemory = 0, 0, 0, 0
	s.NumCpuCores, s.NumCpuThreads, s.NumHosts, s.NumEffectiveHosts = 0, 0, 0, 0
	for _, h := range cr.hosts {
		sh := simulator.Map.Get(h.ref).(*simulator.HostSystem)
		hw := sh.Summary.Hardware
		cpu := hw.CpuMhz * int32(hw.NumCpuCores)
		s.NumHosts++
		s.TotalCpu += cpu
		s.TotalMemory += hw.MemorySize
		s.NumCpuCores += hw.NumCpuCores
		s.NumCpuThreads += hw.NumCpuThreads
		rt := sh.Runtime
		if rt.ConnectionState == "connected" && rt.PowerState == "poweredOn" && !rt.InMaintenanceMode {
			s.NumEffectiveHosts++
			s.EffectiveCpu += cpu
			s.EffectiveMemory += hw.MemorySize >> 20
		}
	}
}

func applyVMHealth(vm *vmState) {
	svm := simulator.Map.Get(vm.ref).(*simulator.VirtualMachine)
	spec := vm.spec
	switch c := spec.ConsolidationNeeded; {
	case !c.Set:
		svm.Runtime.ConsolidationNeeded = types.NewBool(false)
	case c.Null:
		svm.Runtime.ConsolidationNeeded = nil
	default:
		svm.Runtime.ConsolidationNeeded = types.NewBool(c.Val)
	}
	if spec.BalloonedMemoryMB != nil {
		svm.Summary.QuickStats.BalloonedMemory = *spec.BalloonedMemoryMB
	}
	if spec.SwappedMemoryMB != nil {
		svm.Summary.QuickStats.SwappedMemory = *spec.SwappedMemoryMB
	}
	svm.Summary.Runtime = svm.Runtime
}

// triggerAlarms registers one Alarm per distinct name (in order of first use) and sets
// triggeredAlarmState on each object and, as vCenter propagates it, on its ancestors.
func (b *builder) triggerAlarms() error {
	type target struct {
		ref    types.ManagedObjectReference
		alarms []AlarmSpec
	}
	var targets []target
	for _, dc := range b.dcs {
		for _, ds := range dc.datastores {
			targets = append(targets, target{ds.ref, ds.spec.Alarms})
		}
		for _, cr := range sortedClusters(dc) {
			targets = append(targets, target{cr.ref, cr.spec.Alarms})
		}
		for _, name := range sortedHostNames(dc) {
			h := dc.hosts[name]
			targets = append(targets, target{h.ref, h.spec.Alarms})
		}
	}
	for _, vm := range b.vms {
		targets = append(targets, target{vm.ref, vm.spec.Alarms})
	}
	now := time.Now().UTC().Truncate(time.Second)
	root := simulator.Map.Get(serviceInstanceRef).(*simulator.ServiceInstance).Content.RootFolder
	for _, t := range targets {
		for _, a := range t.alarms {
			alarm := b.alarmNamed(a.Name, root)
			when := now
			if a.Time != "" {
				when = *mustTime(a.Time)
			}
			state := types.AlarmState{
				Key:           fmt.Sprintf("%s.%s", alarm.Value, t.ref.Value),
				Entity:        t.ref,
				Alarm:         alarm,
				OverallStatus: types.ManagedEntityStatus(a.Status),
				Time:          when,
				Acknowledged:  types.NewBool(a.Acknowledged != nil && *a.Acknowledged),
			}
			if a.Acknowledged != nil && *a.Acknowledged {
				state.AcknowledgedByUser = "VSPHERE.LOCAL\\Administrator"
				state.AcknowledgedTime = &when
			}
			for ref := &t.ref; ref != nil; {
				obj, ok := simulator.Map.Get(*ref).(mo.Entity)
				if !ok {
					break
				}
				e := obj.Entity()
				e.TriggeredAlarmState = append(e.TriggeredAlarmState, state)
				ref = e.Parent
			}
		}
	}
	return nil
}

func (b *builder) alarmNamed(name string, root types.ManagedObjectReference) types.ManagedObjectReference {
	if ref, ok := b.alarms[name]; ok {
		return ref
	}
	a := &Alarm{}
	a.Self.Type = "Alarm"
	a.Info.Name = name
	a.Info.SystemName = ""
	a.Info.Enabled = true
	a.Info.Entity = root
	simulator.Map.Put(a)
	a.Info.Key = a.Self.Value
	a.Info.Alarm = a.Self
	b.alarms[name] = a.Self
	b.alarmOrder = append(b.alarmOrder, name)
	return a.Self
}
