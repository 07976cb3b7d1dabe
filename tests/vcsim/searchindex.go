package main

// Our fix to govmomi 0.24's SearchIndex for VMs whose config is unset.
//
// FindByUuid and FindByDatastorePath read vm.Config of every VM and panic on a VM without one
// (an inaccessible VM, scenario key "config_unset"); the client would see a dropped connection.
// SafeSearchIndex skips such VMs for UUIDs (vCenter cannot know them either) and matches them
// by summary.config.vmPathName; every other method is the simulator's.

import (
	"sort"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type SafeSearchIndex struct {
	simulator.SearchIndex
}

// allVMs returns every VM in moref order (deterministic, unlike the registry's map).
func allVMs() []*simulator.VirtualMachine {
	var out []*simulator.VirtualMachine
	for _, e := range simulator.Map.All("VirtualMachine") {
		if vm, ok := e.(*simulator.VirtualMachine); ok {
			out = append(out, vm)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Self.Value < out[j].Self.Value })
	return out
}

func (s *SafeSearchIndex) FindByUuid(req *types.FindByUuid) soap.HasFault {
	if !req.VmSearch {
		return s.SearchIndex.FindByUuid(req)
	}
	body := &methods.FindByUuidBody{Res: new(types.FindByUuidResponse)}
	instance := req.InstanceUuid != nil && *req.InstanceUuid
	for _, vm := range allVMs() {
		if vm.Config == nil {
			continue
		}
		if (instance && vm.Config.InstanceUuid == req.Uuid) || (!instance && vm.Config.Uuid == req.Uuid) {
			ref := vm.Self
			body.Res.Returnval = &ref
			break
		}
	}
	return body
}

func (s *SafeSearchIndex) FindByDatastorePath(req *types.FindByDatastorePath) soap.HasFault {
	body := &methods.FindByDatastorePathBody{Res: new(types.FindByDatastorePathResponse)}
	for _, vm := range allVMs() {
		path := vm.Summary.Config.VmPathName
		if vm.Config != nil {
			path = vm.Config.Files.VmPathName
		}
		if path == req.Path {
			ref := vm.Self
			body.Res.Returnval = &ref
			break
		}
	}
	return body
}

// installSearchIndex replaces the registered SearchIndex singleton.
func installSearchIndex() {
	ref := simulator.Map.Get(serviceInstanceRef).(*simulator.ServiceInstance).Content.SearchIndex
	old, ok := simulator.Map.Get(*ref).(*simulator.SearchIndex)
	if !ok {
		return
	}
	simulator.Map.Put(&SafeSearchIndex{SearchIndex: *old})
}
