package main

// Our extension to govmomi 0.24's simulator: result paging for the PropertyCollector.
//
// govmomi 0.24's PropertyCollector ignores RetrieveOptions.maxObjects and returns everything in
// one RetrieveResult; it has no ContinueRetrievePropertiesEx / CancelRetrievePropertiesEx. Real
// vCenter pages, so a client that forgets to follow `token` loses objects. PagingPropertyCollector
// embeds the simulator's collector (every other method is promoted unchanged) and is registered
// under the ServiceContent.propertyCollector moref. The simulator dispatches SOAP calls by
// reflection on the registered object, and builds each session's private instance of the
// singleton with reflect.New(type of the registered object), so sessions get paging too.
// CreatePropertyCollector is overridden so that session-created collectors page as well.

import (
	"crypto/rand"
	"encoding/hex"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// pageSizeFlag is the -page-size flag: 0 = no server-side limit.
var pageSizeFlag int32

type PagingPropertyCollector struct {
	simulator.PropertyCollector
}

type pendingResult struct {
	session   string
	collector types.ManagedObjectReference
	pageSize  int
	objects   []types.ObjectContent
}

const maxPendingTokens = 4096

var pending = struct {
	sync.Mutex
	byToken map[string]*pendingResult
	order   []string // insertion order, to evict the oldest when over maxPendingTokens
}{byToken: map[string]*pendingResult{}}

func newToken() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func sessionKey(ctx *simulator.Context) string {
	if ctx == nil || ctx.Session == nil {
		return ""
	}
	return ctx.Session.Key
}

// effectivePageSize: the smaller of maxObjects (when > 0) and -page-size (when > 0); 0 = unlimited.
func effectivePageSize(maxObjects int32) int {
	n := 0
	if maxObjects > 0 {
		n = int(maxObjects)
	}
	if pageSizeFlag > 0 && (n == 0 || int(pageSizeFlag) < n) {
		n = int(pageSizeFlag)
	}
	return n
}

// page cuts one page off objects; a token is stored for the rest.
func page(ctx *simulator.Context, this types.ManagedObjectReference, objects []types.ObjectContent, size int) *types.RetrieveResult {
	if len(objects) == 0 {
		return nil // like vCenter: no matching objects -> no returnval at all
	}
	if size <= 0 || len(objects) <= size {
		return &types.RetrieveResult{Objects: objects}
	}
	token := newToken()
	pending.Lock()
	pending.byToken[token] = &pendingResult{
		session:   sessionKey(ctx),
		collector: this,
		pageSize:  size,
		objects:   objects[size:],
	}
	pending.order = append(pending.order, token)
	for len(pending.order) > maxPendingTokens {
		delete(pending.byToken, pending.order[0])
		pending.order = pending.order[1:]
	}
	pending.Unlock()
	return &types.RetrieveResult{Token: token, Objects: objects[:size:size]}
}

func takePending(ctx *simulator.Context, this types.ManagedObjectReference, token string) *pendingResult {
	pending.Lock()
	defer pending.Unlock()
	p, ok := pending.byToken[token]
	if !ok || p.session != sessionKey(ctx) || p.collector != this {
		return nil
	}
	delete(pending.byToken, token)
	for i, t := range pending.order {
		if t == token {
			pending.order = append(pending.order[:i], pending.order[i+1:]...)
			break
		}
	}
	return p
}

func dropCollectorTokens(this types.ManagedObjectReference, session string) {
	pending.Lock()
	defer pending.Unlock()
	kept := pending.order[:0]
	for _, t := range pending.order {
		p := pending.byToken[t]
		if p.collector == this && p.session == session {
			delete(pending.byToken, t)
			continue
		}
		kept = append(kept, t)
	}
	pending.order = kept
}

func invalidToken(token string) *soap.Fault {
	return simulator.Fault("A specified parameter was not correct: token", &types.InvalidArgument{InvalidProperty: "token"})
}

func (pc *PagingPropertyCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, r)
	if res.Fault() != nil {
		return res
	}
	body := res.(*methods.RetrievePropertiesExBody)
	var objects []types.ObjectContent
	if body.Res.Returnval != nil {
		objects = body.Res.Returnval.Objects
	}
	body.Res.Returnval = page(ctx, r.This, objects, effectivePageSize(r.Options.MaxObjects))
	return body
}

func (pc *PagingPropertyCollector) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	p := takePending(ctx, r.This, r.Token)
	if p == nil {
		body.Fault_ = invalidToken(r.Token)
		return body
	}
	rr := page(ctx, r.This, p.objects, p.pageSize)
	if rr == nil {
		rr = &types.RetrieveResult{}
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: *rr}
	return body
}

func (pc *PagingPropertyCollector) CancelRetrievePropertiesEx(ctx *simulator.Context, r *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := &methods.CancelRetrievePropertiesExBody{}
	if takePending(ctx, r.This, r.Token) == nil {
		body.Fault_ = invalidToken(r.Token)
		return body
	}
	body.Res = &types.CancelRetrievePropertiesExResponse{}
	return body
}

// CreatePropertyCollector makes session collectors of our paging type too.
func (pc *PagingPropertyCollector) CreatePropertyCollector(ctx *simulator.Context, c *types.CreatePropertyCollector) soap.HasFault {
	cpc := &PagingPropertyCollector{}
	cpc.Self.Type = "PropertyCollector" // otherwise the moref type would be our Go type name
	return &methods.CreatePropertyCollectorBody{
		Res: &types.CreatePropertyCollectorResponse{
			Returnval: ctx.Session.Put(cpc).Reference(),
		},
	}
}

func (pc *PagingPropertyCollector) DestroyPropertyCollector(ctx *simulator.Context, c *types.DestroyPropertyCollector) soap.HasFault {
	dropCollectorTokens(c.This, sessionKey(ctx))
	return pc.PropertyCollector.DestroyPropertyCollector(ctx, c)
}

// installPagingCollector replaces the registered PropertyCollector singleton.
func installPagingCollector(pageSize int) {
	pageSizeFlag = int32(pageSize)
	ref := simulator.Map.Get(serviceInstanceRef).(*simulator.ServiceInstance).Content.PropertyCollector
	pc := &PagingPropertyCollector{}
	pc.Self = ref
	simulator.Map.Put(pc)
}
