package main

// Scenario types for storage, alarms, host hardware health and cluster HA/DRS (README.md:
// "Datastores", "Alarms", "Host hardware and load", "Cluster HA and DRS").

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// OptBool is a JSON boolean that remembers whether it was given and whether it was null.
type OptBool struct {
	Set  bool
	Null bool
	Val  bool
}

func (o *OptBool) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Val)
}

// DatastoreSpec is either "name" or an object with the datastore's summary.
type DatastoreSpec struct {
	Comment         json.RawMessage `json:"_comment,omitempty"`
	Name            string          `json:"name"`
	Type            string          `json:"type,omitempty"`         // summary.type; default VMFS
	CapacityGiB     *float64        `json:"capacity_gib,omitempty"` // summary.capacity, GiB
	FreeGiB         *float64        `json:"free_gib,omitempty"`     // summary.freeSpace, GiB
	Accessible      *bool           `json:"accessible,omitempty"`   // summary.accessible; default true
	MaintenanceMode OptString       `json:"maintenance_mode"`       // summary.maintenanceMode; null: unset
	Alarms          []AlarmSpec     `json:"alarms,omitempty"`
}

func (d *DatastoreSpec) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		*d = DatastoreSpec{Name: name}
		return nil
	}
	type plain DatastoreSpec
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("datastores entry must be a name or an object: %v", err)
	}
	*d = DatastoreSpec(p)
	return nil
}

// AlarmSpec is an alarm triggered on an object: its definition is shared by name.
type AlarmSpec struct {
	Comment      json.RawMessage `json:"_comment,omitempty"`
	Name         string          `json:"name"`
	Status       string          `json:"status"`                 // red | yellow
	Time         string          `json:"time,omitempty"`         // RFC 3339; default: build time
	Acknowledged *bool           `json:"acknowledged,omitempty"` // default false
}

// HealthSpec is a host's runtime.healthSystemRuntime: sensors and hardware status elements
// besides the host's green rollup sensor.
type HealthSpec struct {
	Comment json.RawMessage `json:"_comment,omitempty"`
	Sensors []SensorSpec    `json:"sensors,omitempty"`
	CPU     []HWElementSpec `json:"cpu,omitempty"`
	Memory  []HWElementSpec `json:"memory,omitempty"`
	Storage []HWElementSpec `json:"storage,omitempty"`
}

// SensorSpec is a HostNumericSensorInfo.
type SensorSpec struct {
	Name    string `json:"name"`
	Type    string `json:"type"`              // sensorType: fan, power, temperature, voltage, ...
	Health  string `json:"health"`            // healthState.key: green | yellow | red | unknown
	Summary string `json:"summary,omitempty"` // healthState.summary
}

// HWElementSpec is a HostHardwareElementInfo (hardwareStatusInfo.cpu/memory/storageStatusInfo).
type HWElementSpec struct {
	Name    string `json:"name"`
	Status  string `json:"status"`            // status.key: Green | Yellow | Red | Unknown
	Summary string `json:"summary,omitempty"` // status.summary
}

// OptHealth is hardware_health: absent -> the simulator's all-green sensors, null -> unset.
type OptHealth struct {
	Set  bool
	Null bool
	Val  HealthSpec
}

func (o *OptHealth) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&o.Val)
}

// HASpec is a cluster's vSphere HA setting.
type HASpec struct {
	Enabled          bool  `json:"enabled"`
	AdmissionControl *bool `json:"admission_control,omitempty"` // default: as enabled
}

// DRSSpec is a cluster's DRS setting.
type DRSSpec struct {
	Enabled  bool   `json:"enabled"`
	Behavior string `json:"behavior,omitempty"` // defaultVmBehavior; default fullyAutomated
}

var (
	datastoreTypes   = []string{"VMFS", "NFS", "NFS41", "CIFS", "vsan", "VVOL", "PMEM", "vfat", "vsanD"}
	datastoreMaint   = []string{"normal", "enteringMaintenance", "inMaintenance"}
	alarmStatuses    = []string{"red", "yellow"}
	alarmStatusesAll = []string{"red", "yellow", "green", "gray"}
	sensorHealth     = []string{"green", "yellow", "red", "unknown"}
	hwStatuses       = []string{"Green", "Yellow", "Red", "Unknown"}
	drsBehaviors     = []string{"manual", "partiallyAutomated", "fullyAutomated"}
)

const gib = 1 << 30

func gibToBytes(v float64) int64 { return int64(math.Round(v * gib)) }

func validateDatastore(what string, d DatastoreSpec, strict bool) error {
	if err := checkName(what+".name", d.Name); err != nil {
		return err
	}
	if d.Type != "" && strict && !oneOf(d.Type, datastoreTypes) {
		return fmt.Errorf("%s: type %q not one of %v", what, d.Type, datastoreTypes)
	}
	if d.MaintenanceMode.Present() && strict && !oneOf(d.MaintenanceMode.Val, datastoreMaint) {
		return fmt.Errorf("%s: maintenance_mode %q not one of %v", what, d.MaintenanceMode.Val, datastoreMaint)
	}
	if (d.CapacityGiB == nil) != (d.FreeGiB == nil) {
		return fmt.Errorf("%s: give capacity_gib and free_gib together", what)
	}
	if d.CapacityGiB != nil {
		if *d.CapacityGiB <= 0 || *d.FreeGiB < 0 {
			return fmt.Errorf("%s: capacity_gib must be > 0 and free_gib >= 0", what)
		}
		if *d.FreeGiB > *d.CapacityGiB {
			return fmt.Errorf("%s: free_gib %v is more than capacity_gib %v", what, *d.FreeGiB, *d.CapacityGiB)
		}
	}
	return validateAlarms(what, d.Alarms, strict)
}

func validateAlarms(what string, alarms []AlarmSpec, strict bool) error {
	seen := map[string]bool{}
	for i, a := range alarms {
		aw := fmt.Sprintf("%s.alarms[%d]", what, i)
		if err := checkName(aw+".name", a.Name); err != nil {
			return err
		}
		if seen[a.Name] {
			return fmt.Errorf("%s: alarm %q triggered twice on one object (vCenter keeps one state per alarm and object)", aw, a.Name)
		}
		seen[a.Name] = true
		allowed := alarmStatuses
		if !strict {
			allowed = alarmStatusesAll
		}
		if !oneOf(a.Status, allowed) {
			return fmt.Errorf("%s: status %q not one of %v (a triggered alarm is red or yellow)", aw, a.Status, allowed)
		}
		if a.Time != "" {
			if _, err := parseTime(aw+".time", a.Time); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateHostHealth(what string, h HostSpec, strict bool) error {
	for _, w := range h.PowerWatts {
		if w <= 0 { // govmomi's encoder drops zero values (omitempty): a 0 would shift the series
			return fmt.Errorf("%s: power_watts: %d is not positive", what, w)
		}
	}
	for _, v := range []struct {
		name string
		ok   bool
	}{
		{"cpu_mhz", h.CPUMhz == nil || *h.CPUMhz > 0},
		{"cpu_cores", h.CPUCores == nil || *h.CPUCores > 0},
		{"memory_mb", h.MemoryMB == nil || *h.MemoryMB > 0},
		{"cpu_usage_mhz", h.CPUUsageMhz == nil || *h.CPUUsageMhz >= 0},
		{"memory_usage_mb", h.MemoryUsageMB == nil || *h.MemoryUsageMB >= 0},
	} {
		if !v.ok {
			return fmt.Errorf("%s: %s must be positive", what, v.name)
		}
	}
	if h.HardwareHealth.Set && !h.HardwareHealth.Null {
		hh := h.HardwareHealth.Val
		for i, s := range hh.Sensors {
			sw := fmt.Sprintf("%s.hardware_health.sensors[%d]", what, i)
			if err := checkName(sw+".name", s.Name); err != nil {
				return err
			}
			if err := checkName(sw+".type", s.Type); err != nil {
				return err
			}
			if strict && !oneOf(s.Health, sensorHealth) {
				return fmt.Errorf("%s: health %q not one of %v", sw, s.Health, sensorHealth)
			}
			if err := checkText(sw+".summary", s.Summary); err != nil {
				return err
			}
		}
		for kind, list := range map[string][]HWElementSpec{"cpu": hh.CPU, "memory": hh.Memory, "storage": hh.Storage} {
			for i, e := range list {
				ew := fmt.Sprintf("%s.hardware_health.%s[%d]", what, kind, i)
				if err := checkName(ew+".name", e.Name); err != nil {
					return err
				}
				if strict && !oneOf(e.Status, hwStatuses) {
					return fmt.Errorf("%s: status %q not one of %v (HostHardwareElementStatus)", ew, e.Status, hwStatuses)
				}
				if err := checkText(ew+".summary", e.Summary); err != nil {
					return err
				}
			}
		}
	}
	return validateAlarms(what, h.Alarms, strict)
}

func validateCluster(what string, c ClusterSpec, strict bool) error {
	if c.DRS != nil && c.DRS.Behavior != "" && strict && !oneOf(c.DRS.Behavior, drsBehaviors) {
		return fmt.Errorf("%s: drs.behavior %q not one of %v", what, c.DRS.Behavior, drsBehaviors)
	}
	return validateAlarms(what, c.Alarms, strict)
}

func validateVMHealth(what string, vm *VMSpec, strict bool) error {
	if vm.BalloonedMemoryMB != nil && *vm.BalloonedMemoryMB < 0 {
		return fmt.Errorf("%s: ballooned_memory_mb must be >= 0", what)
	}
	if vm.SwappedMemoryMB != nil && *vm.SwappedMemoryMB < 0 {
		return fmt.Errorf("%s: swapped_memory_mb must be >= 0", what)
	}
	for _, p := range vm.CPUPercent {
		// served in hundredths of a percent; govmomi's encoder drops zero values (omitempty),
		// so a sample under 0.01% would shift the series
		if math.IsNaN(p) || p < 0.01 || p > 100 {
			return fmt.Errorf("%s: cpu_percent: %v is not between 0.01 and 100", what, p)
		}
		if hundredths := p * 100; math.Abs(hundredths-math.Round(hundredths)) > 1e-6 {
			return fmt.Errorf("%s: cpu_percent: %v has more than two decimals (vCenter serves hundredths of a percent)", what, p)
		}
	}
	return validateAlarms(what, vm.Alarms, strict)
}
