"""The demo fleet replicated to any size: the benchmarks' fleet and the large-report tests'."""

from __future__ import annotations

import dataclasses

from fleetreport.snapshot.model import Snapshot


def replicated(snapshot: Snapshot, desktops: int) -> Snapshot:
    """The demo fleet copied until it has at least ``desktops`` desktops."""
    unit = len(snapshot.machines) or len([vm for vm in snapshot.vms if not vm.template])
    copies = -(-desktops // unit)
    vms, machines, sessions = [], [], []
    for copy in range(copies):
        suffix = f"-{copy}" if copy else ""
        vms += [
            dataclasses.replace(vm, moref=vm.moref + suffix, name=vm.name + suffix)
            for vm in snapshot.vms
            if copy == 0 or not vm.template
        ]
        machines += [
            dataclasses.replace(
                m,
                id=m.id + suffix,
                name=m.name + suffix,
                vm_moref=m.vm_moref + suffix if m.vm_moref else None,
            )
            for m in snapshot.machines
        ]
        sessions += [
            dataclasses.replace(
                s, id=s.id + suffix, machine_id=s.machine_id + suffix if s.machine_id else None
            )
            for s in snapshot.sessions
        ]
    return dataclasses.replace(snapshot, vms=vms, machines=machines, sessions=sessions)
