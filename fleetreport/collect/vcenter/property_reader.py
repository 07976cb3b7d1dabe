"""Bulk reads through the PropertyCollector: one ContainerView per type, one retrieval, pages.

Round trips stay constant as the inventory grows (apart from result pages): never a
property read per object, which costs a round trip each and is ~50x slower at scale.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyVmomi import vim, vmodl

log = logging.getLogger(__name__)

PropertyCollector = vmodl.query.PropertyCollector


@dataclass(frozen=True)
class ObjectRecord:
    """One managed object's requested properties (absent when vCenter has no value)."""

    moref: str
    """Managed object id, e.g. ``vm-42``."""
    kind: type
    """The pyVmomi type, e.g. ``vim.VirtualMachine``."""
    properties: Mapping[str, Any]
    """Property path -> value; pyVmomi values stay inside the collector package."""


def moref_of(managed_object: Any) -> str:
    """The id of a managed object reference, e.g. ``vm-42``."""
    return str(managed_object._moId)


def retrieve_inventory(
    content: Any,
    paths_by_type: Mapping[type, Sequence[str]],
    *,
    page_size: int,
    extra_objects: Sequence[tuple[Any, type, Sequence[str]]] = (),
) -> list[ObjectRecord]:
    """Read ``paths_by_type`` for every object of each type in one RetrievePropertiesEx.

    ``extra_objects`` adds single objects (such as the CustomFieldsManager) to the same call.
    """
    views = [
        content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
        for kind in paths_by_type
    ]
    try:
        traverse_view = PropertyCollector.TraversalSpec(
            name="traverseView", path="view", skip=False, type=vim.view.ContainerView
        )
        object_specs = [
            PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traverse_view])
            for view in views
        ]
        object_specs += [
            PropertyCollector.ObjectSpec(obj=obj, skip=False) for obj, _, _ in extra_objects
        ]
        property_specs = [
            PropertyCollector.PropertySpec(type=kind, pathSet=list(paths), all=False)
            for kind, paths in paths_by_type.items()
        ]
        property_specs += [
            PropertyCollector.PropertySpec(type=kind, pathSet=list(paths), all=False)
            for _, kind, paths in extra_objects
        ]
        filter_spec = PropertyCollector.FilterSpec(
            objectSet=object_specs, propSet=property_specs, reportMissingObjectsInResults=False
        )
        return _retrieve_all_pages(content.propertyCollector, filter_spec, page_size)
    finally:
        for view in views:
            try:
                view.DestroyView()
            except vmodl.MethodFault as error:  # the session may already be gone
                log.debug("could not destroy container view: %s", error)


def _retrieve_all_pages(collector: Any, filter_spec: Any, page_size: int) -> list[ObjectRecord]:
    options = PropertyCollector.RetrieveOptions(maxObjects=page_size)
    result = collector.RetrievePropertiesEx([filter_spec], options)
    records: list[ObjectRecord] = []
    pages = 0
    while result is not None:
        pages += 1
        records.extend(_records_of(result.objects))
        if not result.token:
            break
        result = collector.ContinueRetrievePropertiesEx(result.token)
    log.debug("read %d objects in %d page(s)", len(records), pages)
    return records


def _records_of(objects: Sequence[Any]) -> list[ObjectRecord]:
    records = []
    for content in objects:
        for missing in content.missingSet or ():
            log.debug(
                "%s: property %s unreadable (%s)",
                moref_of(content.obj),
                missing.path,
                type(missing.fault).__name__,
            )
        properties = {prop.name: prop.val for prop in content.propSet or ()}
        records.append(ObjectRecord(moref_of(content.obj), type(content.obj), properties))
    return records
