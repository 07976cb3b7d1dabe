package main

// An exact PerformanceManager: govmomi 0.24's QueryPerf with the recorded metric data, without
// the Gaussian noise, faulting on entities that do not exist (as vCenter does), with vCenter's
// default historical intervals, optional per-host power.power.average series (power_watts) and
// optional per-VM cpu.usage.average series (cpu_percent).

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/vpx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// powerCounterID is power.power.average in the simulator's vpx.PerfCounter.
const powerCounterID = 157

// cpuUsageCounterID is cpu.usage.average (percent, in hundredths) in the simulator's vpx.PerfCounter.
const cpuUsageCounterID = 2

// defaultHistoricalIntervals are vCenter's four statistics intervals as it ships them
// (vSphere Monitoring and Performance, "Data Collection Intervals"): 5 minutes kept a day,
// 30 minutes kept a week, 2 hours kept a month, a day kept a year.
var defaultHistoricalIntervals = []types.PerfInterval{
	{Key: 1, SamplingPeriod: 300, Name: "Past day", Length: 86400, Level: 1, Enabled: true},
	{Key: 2, SamplingPeriod: 1800, Name: "Past week", Length: 604800, Level: 1, Enabled: true},
	{Key: 3, SamplingPeriod: 7200, Name: "Past month", Length: 2592000, Level: 1, Enabled: true},
	{Key: 4, SamplingPeriod: 86400, Name: "Past year", Length: 31536000, Level: 1, Enabled: true},
}

type ExactPerformanceManager struct {
	simulator.PerformanceManager
	hostPower  map[string][]int64 // host moid -> watts, from the scenario's power_watts
	vmCPU      map[string][]int64 // VM moid -> hundredths of a percent, from cpu_percent
	maxMetrics int                // vpxd.stats.maxQueryMetrics (0: no limit)
}

func (b *builder) hostPowerSeries() map[string][]int64 {
	out := map[string][]int64{}
	for _, dc := range b.dcs {
		for _, h := range dc.hosts {
			if len(h.spec.PowerWatts) > 0 {
				out[h.ref.Value] = h.spec.PowerWatts
			}
		}
	}
	return out
}

func (b *builder) vmCPUSeries() map[string][]int64 {
	out := map[string][]int64{}
	for _, vm := range b.vms {
		if len(vm.spec.CPUPercent) > 0 {
			series := make([]int64, len(vm.spec.CPUPercent))
			for i, p := range vm.spec.CPUPercent {
				series[i] = int64(math.Round(p * 100))
			}
			out[vm.ref.Value] = series
		}
	}
	return out
}

func installPerformanceManager(hostPower, vmCPU map[string][]int64, level int32, maxMetrics int) {
	ref := *simulator.Map.Get(serviceInstanceRef).(*simulator.ServiceInstance).Content.PerfManager
	old := simulator.Map.Get(ref).(*simulator.PerformanceManager)
	pm := &ExactPerformanceManager{PerformanceManager: *old, hostPower: hostPower, vmCPU: vmCPU, maxMetrics: maxMetrics}
	pm.HistoricalInterval = make([]types.PerfInterval, len(defaultHistoricalIntervals))
	for i, interval := range defaultHistoricalIntervals {
		interval.Level = level
		pm.HistoricalInterval[i] = interval
	}
	simulator.Map.Put(pm)
}

// QueryPerf is the simulator's (same buckets, same indexing into the recorded data: sample k
// of n, newest first, has value points[(start/interval + k) mod len(points)]) without noise.
func (p *ExactPerformanceManager) QueryPerf(ctx *simulator.Context, req *types.QueryPerf) soap.HasFault {
	body := &methods.QueryPerfBody{Req: req, Res: new(types.QueryPerfResponse)}
	body.Res.Returnval = make([]types.BasePerfEntityMetricBase, len(req.QuerySpec))
	metrics := 0
	for _, qs := range req.QuerySpec {
		metrics += len(qs.MetricId)
	}
	if p.maxMetrics > 0 && metrics > p.maxMetrics {
		// vCenter's answer to a query over its limit (default 256 metrics).
		body.Res = nil
		body.Fault_ = simulator.Fault("This operation is restricted by the administrator - 'vpxd.stats.maxQueryMetrics'. Contact your system administrator.",
			&types.RestrictedByAdministrator{Details: "vpxd.stats.maxQueryMetrics"})
		return body
	}
	for i, qs := range req.QuerySpec {
		if simulator.Map.Get(qs.Entity) == nil {
			body.Res = nil
			body.Fault_ = simulator.Fault("", &types.ManagedObjectNotFound{Obj: qs.Entity})
			return body
		}
		if !poweredOn(qs.Entity) {
			// vCenter records nothing for a VM or host that is off: an empty PerfEntityMetric.
			if qs.Format == string(types.PerfFormatCsv) {
				body.Res.Returnval[i] = &types.PerfEntityMetricCSV{PerfEntityMetricBase: types.PerfEntityMetricBase{Entity: qs.Entity}}
			} else {
				body.Res.Returnval[i] = &types.PerfEntityMetric{PerfEntityMetricBase: types.PerfEntityMetricBase{Entity: qs.Entity}}
			}
			continue
		}
		data, ok := vpx.MetricData[qs.Entity.Type]
		if !ok {
			body.Res = nil
			body.Fault_ = simulator.Fault("", &types.InvalidArgument{InvalidProperty: "Entity"})
			return body
		}
		end := time.Now()
		if qs.EndTime != nil {
			end = *qs.EndTime
		}
		start := end.Add(-365 * 24 * time.Hour)
		if qs.StartTime != nil {
			start = *qs.StartTime
		}
		interval := qs.IntervalId
		if interval <= 0 {
			interval = 20
		}
		n := 1 + int32(end.Sub(start).Seconds())/interval
		if n > qs.MaxSample {
			n = qs.MaxSample
		}
		metrics := &types.PerfEntityMetric{}
		metrics.Entity = qs.Entity
		metrics.SampleInfo = make([]types.PerfSampleInfo, n)
		for tick := int32(0); tick < n; tick++ {
			metrics.SampleInfo[tick] = types.PerfSampleInfo{
				Timestamp: end.Add(time.Duration(-interval*tick) * time.Second), Interval: interval}
		}
		offset := start.Unix() / int64(interval)
		for _, mid := range qs.MetricId {
			points := data[mid.CounterId]
			if mid.CounterId == powerCounterID && qs.Entity.Type == "HostSystem" {
				if own, ok := p.hostPower[qs.Entity.Value]; ok {
					points = own
				}
			}
			if mid.CounterId == cpuUsageCounterID && qs.Entity.Type == "VirtualMachine" {
				if own, ok := p.vmCPU[qs.Entity.Value]; ok {
					points = own
				}
			}
			series := &types.PerfMetricIntSeries{Value: make([]int64, n)}
			series.Id = mid
			for tick := int32(0); tick < n; tick++ {
				if len(points) > 0 {
					series.Value[tick] = points[(offset+int64(tick))%int64(len(points))]
				}
			}
			metrics.Value = append(metrics.Value, series)
		}
		if qs.Format == string(types.PerfFormatCsv) {
			body.Res.Returnval[i] = asCSV(metrics)
		} else {
			body.Res.Returnval[i] = metrics
		}
	}
	return body
}

// asCSV is the same answer in vCenter's compact format (QuerySpec.format "csv"): the sample
// infos as one "interval,time,interval,time..." string, each series as "v1,v2,..." (vSphere
// Web Services API, PerfEntityMetricCSV and PerfMetricSeriesCSV).
func asCSV(metrics *types.PerfEntityMetric) *types.PerfEntityMetricCSV {
	info := make([]string, 0, 2*len(metrics.SampleInfo))
	for _, sample := range metrics.SampleInfo {
		info = append(info, strconv.Itoa(int(sample.Interval)), sample.Timestamp.UTC().Format(time.RFC3339))
	}
	out := &types.PerfEntityMetricCSV{PerfEntityMetricBase: metrics.PerfEntityMetricBase, SampleInfoCSV: strings.Join(info, ",")}
	for _, base := range metrics.Value {
		series := base.(*types.PerfMetricIntSeries)
		values := make([]string, len(series.Value))
		for k, v := range series.Value {
			values[k] = strconv.FormatInt(v, 10)
		}
		out.Value = append(out.Value, types.PerfMetricSeriesCSV{PerfMetricSeries: series.PerfMetricSeries, Value: strings.Join(values, ",")})
	}
	return out
}

func poweredOn(ref types.ManagedObjectReference) bool {
	switch e := simulator.Map.Get(ref).(type) {
	case *simulator.VirtualMachine:
		return e.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
	case *simulator.HostSystem:
		return e.Runtime.PowerState == types.HostSystemPowerStatePoweredOn
	}
	return true
}
