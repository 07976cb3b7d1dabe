package main

// Our fix to govmomi 0.24's PropertyCollector.Fetch.
//
// pyVmomi 8+ reads every managed-object property (vm.name, vm.snapshot, ...) with the
// undocumented Fetch method. govmomi 0.24's Fetch indexes MissingSet[0] when the property has
// no value, so reading an unset property (vm.snapshot of a VM without snapshots,
// guest.toolsVersionStatus2 when unset, ...) panics in the HTTP handler and the client sees a
// dropped connection. vCenter answers an empty FetchResponse (pyVmomi: None). Our Fetch does
// that, and defers to the simulator's for everything else.
//
// The simulator's Fetch request type lives in simulator/internal, which we cannot import; the
// SOAP dispatcher calls methods by reflection, so our method takes the request as interface{}.

import (
	"reflect"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// FetchResponse must have exactly this type name: the simulator names the response element
// after the Go type.
type FetchResponse struct {
	Returnval types.AnyType `xml:"returnval,omitempty,typeattr"`
}

type fetchBody struct {
	Res    *FetchResponse `xml:"FetchResponse,omitempty"`
	Fault_ *soap.Fault    `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *fetchBody) Fault() *soap.Fault { return b.Fault_ }

var entityTypes = []string{
	"VirtualMachine", "HostSystem", "Folder", "Datacenter", "ClusterComputeResource", "ComputeResource",
	"ResourcePool", "VirtualApp", "Datastore", "Network", "OpaqueNetwork", "DistributedVirtualPortgroup",
	"VmwareDistributedVirtualSwitch", "DistributedVirtualSwitch", "StoragePod",
}

// resolveType finds the concrete type of a moref sent with a base type (ManagedEntity, ...).
func resolveType(ref types.ManagedObjectReference) types.ManagedObjectReference {
	if simulator.Map.Get(ref) != nil {
		return ref
	}
	for _, kind := range entityTypes {
		candidate := types.ManagedObjectReference{Type: kind, Value: ref.Value}
		if simulator.Map.Get(candidate) != nil {
			return candidate
		}
	}
	return ref
}

func (pc *PagingPropertyCollector) Fetch(ctx *simulator.Context, req interface{}) soap.HasFault {
	rv := reflect.ValueOf(req)
	if rv.Kind() == reflect.Ptr {
		rv = rv.Elem()
	}
	thisField, propField := rv.FieldByName("This"), rv.FieldByName("Prop")
	if !thisField.IsValid() || !propField.IsValid() {
		return &fetchBody{Fault_: simulator.Fault("malformed Fetch request", &types.InvalidRequest{})}
	}
	this := thisField.Interface().(types.ManagedObjectReference)
	prop := propField.String()

	if this == vim25.ServiceInstance && prop == "content" {
		// the simulator's special case; call its Fetch with the original request
		base := reflect.ValueOf(&pc.PropertyCollector).MethodByName("Fetch")
		out := base.Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(req)})
		return out[0].Interface().(soap.HasFault)
	}

	this = resolveType(this)
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, &types.RetrievePropertiesEx{
		This: this,
		SpecSet: []types.PropertyFilterSpec{{
			PropSet:   []types.PropertySpec{{Type: this.Type, PathSet: []string{prop}}},
			ObjectSet: []types.ObjectSpec{{Obj: this}},
		}},
	})
	if f := res.Fault(); f != nil {
		return &fetchBody{Fault_: f}
	}
	rr := res.(*methods.RetrievePropertiesExBody).Res.Returnval
	if rr == nil || len(rr.Objects) == 0 {
		return &fetchBody{Fault_: simulator.Fault("The object has already been deleted or has not been completely created",
			&types.ManagedObjectNotFound{Obj: this})}
	}
	obj := rr.Objects[0]
	if len(obj.PropSet) > 0 {
		return &fetchBody{Res: &FetchResponse{Returnval: obj.PropSet[0].Val}}
	}
	if len(obj.MissingSet) > 0 {
		fault := obj.MissingSet[0].Fault
		return &fetchBody{Fault_: simulator.Fault(fault.LocalizedMessage, fault.Fault)}
	}
	return &fetchBody{Res: &FetchResponse{}} // the property has no value: vCenter returns none
}
