"""Fields each list may be filtered on (``filter``), and with which operators, per version.

Derived by hand-run tooling from the 2512 OpenAPI document (not shipped here): a field is
filterable where its description says "Supported Filters: ..." and takes the operators
listed there. ``tests/harness/test_horizon_server.py::test_filter_table_matches_spec`` re-derives it
from the spec whenever it is available and fails on any drift. ``@RANGES`` groups as in
``fields.py``; each entry is ``field:Operator,Operator`` (dotted: a nested object's field).
``And``, ``Or`` and ``Not`` combine filters on any of them.
"""

from __future__ import annotations

from functools import cache

from .fields import in_ranges, parse_ranges

# fmt: off
FILTERABLE = {
    "inventory/desktop-pools": """
        @2- access_group_id:Equals allow_multiple_user_assignments:Equals
          automatic_user_assignment:Equals cloud_assigned:Equals cloud_managed:Equals
          delete_in_progress:Equals description:Equals,Contains,StartsWith
          display_assigned_machine_name:Equals display_name:Equals,Contains,StartsWith
          enable_client_restrictions:Equals enable_provisioning:Equals enabled:Equals
          farm_id:Equals id:Equals image_source:Equals name:Equals,Contains,StartsWith
          pattern_naming_settings.naming_pattern:Equals
          provisioning_settings.im_stream_id:Equals provisioning_settings.im_tag_id:Equals
          provisioning_status_data.instant_clone_pending_im_stream_id:Equals
          provisioning_status_data.instant_clone_pending_im_tag_id:Equals
          session_type:Equals source:Equals type:Equals user_assignment:Equals
          vcenter_id:Equals
        @3- global_desktop_entitlement_id:Equals
        @4- cloud_brokered:Equals
        @8- allow_users_to_choose_machines:Equals created_at:Equals,Between
          updated_at:Equals,Between
        @10- aws_core_desktop_settings.running_mode:Equals capacity_provider_id:Equals
        @11- allowed_access_path:Equals
        @12- provisioning_status_data.instant_clone_pending_im_stream_name:Equals
          provisioning_status_data.instant_clone_pending_im_tag_name:Equals
          uem_server_id:Equals uem_server_label:Equals
    """,
    "inventory/machines": """
        @1- agent_build_number:Equals agent_version:Equals desktop_pool_id:Equals
          dns_name:Equals,Contains,StartsWith,EndsWith id:Equals
          managed_machine_data.host_name:Equals,Contains,StartsWith,EndsWith
          managed_machine_data.in_hold_customization:Equals
          managed_machine_data.missing_in_vcenter:Equals
          managed_machine_data.path:Equals,Contains,StartsWith,EndsWith
          managed_machine_data.storage_accelerator_state:Equals
          managed_machine_data.virtual_center_id:Equals
          managed_machine_data.virtual_machine_power_state:Equals
          message_security_mode:Equals name:Equals,Contains,StartsWith
          remote_experience_agent_build_number:Equals
          remote_experience_agent_version:Equals state:Equals type:Equals
          user_ids:Equals,NotEquals,Contains
        @2- managed_machine_data.base_vm_id:Equals
          managed_machine_data.base_vm_snapshot_id:Equals
          managed_machine_data.image_management_stream_id:Equals
          managed_machine_data.image_management_tag_id:Equals
          managed_machine_data.logoff_policy:Equals managed_machine_data.operation:Equals
          managed_machine_data.operation_state:Equals
          managed_machine_data.pending_base_vm_id:Equals
          managed_machine_data.pending_base_vm_snapshot_id:Equals
          managed_machine_data.pending_image_management_stream_id:Equals
          managed_machine_data.pending_image_management_tag_id:Equals
        @3- held_machine:Equals
        @5- agent_id:Equals managed_machine_data.vm_moid:Equals
        @6- desktop_pool_name:Equals,Contains,StartsWith desktop_pool_source:Equals
          managed_machine_data.base_snapshot_path:Equals,Contains,StartsWith
          managed_machine_data.base_vm_path:Equals,Contains,StartsWith
          managed_machine_data.datastore_paths:Contains
          managed_machine_data.pending_base_snapshot_path:Equals,Contains,StartsWith
          managed_machine_data.pending_base_vm_path:Equals,Contains,StartsWith
        @7- aws_workspace_id:Equals
        @8- alias_names:Contains alias_user_ids:Contains
          managed_machine_data.network_label_names:Contains
        @9- managed_machine_data.template_name:Equals,Contains,StartsWith,EndsWith
          uem_enrolment_last_error_code:Equals
          uem_enrolment_status:Equals,Contains,StartsWith
    """,
    "inventory/sessions": """
        @1- access_group_id:Equals agent_version:Equals application_names:Contains
          broker_user_id:Equals brokered_remotely:Equals client_data.address:Equals
          client_data.location_id:Equals client_data.name:Equals client_data.type:Equals
          client_data.version:Equals desktop_pool_id:Equals
          disconnected_time:Equals,Between farm_id:Equals id:Equals
          idle_duration:Equals,Between last_session_duration_ms:Equals,Between
          machine_id:Equals rds_server_id:Equals resourced_remotely:Equals
          security_gateway_data.address:Equals
          security_gateway_data.domain_name:Equals,Contains,StartsWith
          security_gateway_data.location:Equals session_protocol:Equals
          session_state:Equals,NotEquals session_type:Equals start_time:Equals,Between
          unauthenticated:Equals user_id:Equals,Contains,StartsWith
        @2- guid:Equals
        @3- internal_session_id:Equals
        @4- groups:Contains user_name:Equals,Contains,StartsWith
        @5- cloud_managed:Equals
        @6- desktop_pool_or_farm_name:Equals,Contains,StartsWith
          desktop_pool_or_farm_type:Equals domain_name:Equals,Contains,StartsWith
        @7- forever_session:Equals machine_or_rds_server_dns:Equals,Contains,StartsWith
          machine_or_rds_server_name:Equals,Contains,StartsWith
    """,
    "inventory/farms": """
        @2- access_group_id:Equals automated_farm_settings.enable_provisioning:Equals
          automated_farm_settings.image_source:Equals
          automated_farm_settings.pattern_naming_settings.naming_pattern:Equals
          automated_farm_settings.provisioning_settings.im_stream_id:Equals
          automated_farm_settings.provisioning_settings.im_tag_id:Equals
          automated_farm_settings.provisioning_status_data.instant_clone_pending_im_stream_id:Equals
          automated_farm_settings.provisioning_status_data.instant_clone_pending_im_tag_id:Equals
          automated_farm_settings.vcenter_id:Equals delete_in_progress:Equals
          description:Equals,Contains,StartsWith desktop_pool_id:Equals
          display_name:Equals,Contains,StartsWith enabled:Equals id:Equals
          name:Equals,Contains,StartsWith type:Equals
        @7- created_at:Equals,Between updated_at:Equals,Between
        @8- automated_farm_settings.aws_core_farm_settings.running_mode:Equals
          automated_farm_settings.capacity_provider_id:Equals
    """,
    "inventory/rds-servers": """
        @1- access_group_id:Equals agent_build_number:Equals agent_version:Equals
          base_vm_id:Equals base_vm_snapshot_id:Equals
          description:Equals,Contains,StartsWith
          dns_name:Equals,Contains,StartsWith,EndsWith enabled:Equals farm_id:Equals
          id:Equals image_management_stream_id:Equals image_management_tag_id:Equals
          message_security_mode:Equals name:Equals,Contains,StartsWith
          operating_system:Equals operation:Equals operation_state:Equals
          pending_base_vm_id:Equals pending_base_vm_snapshot_id:Equals
          pending_image_management_stream_id:Equals pending_image_management_tag_id:Equals
          remote_experience_agent_build_number:Equals
          remote_experience_agent_version:Equals session_count:Equals,Between state:Equals
        @3- farm_name:Equals,Contains,StartsWith,EndsWith
        @4- network_label_names:Contains
    """,
    # The 2512 spec also names 'ContainsFilter' on machine_dns_name and message: not an
    # operator of the filter grammar (Contains is), so left out, as the derivation does.
    "external/audit-events": """
        @1- application_pool_name:Equals desktop_pool_name:Equals id:Equals
          machine_dns_name:Equals machine_id:Equals message:Equals
          module:Equals severity:Equals time:Between type:Equals user_id:Equals
        @2- persistent_disk_id:Equals
    """,
    "external/ad-users-or-groups": """
        @1 description:Equals,Contains,StartsWith domain:Equals
          email:Equals,Contains,StartsWith guid:Equals id:Equals
          login_name:Equals,Contains,StartsWith name:Equals,Contains,StartsWith
          phone:Equals,Contains,StartsWith user_principal_name:Equals,Contains,StartsWith
    """,
}
# fmt: on


@cache
def filterable_fields(collection: str, version: int) -> dict[str, frozenset[str]]:
    """Field -> the operators ``filter`` accepts on it, for ``collection`` v``version``."""
    found: dict[str, frozenset[str]] = {}
    ranges = None
    for token in FILTERABLE.get(collection, "").split():
        if token.startswith("@"):
            ranges = parse_ranges(token[1:])
        elif ranges is not None and in_ranges(version, ranges):
            name, _, operators = token.partition(":")
            found[name] = frozenset(operators.split(","))
    return found
