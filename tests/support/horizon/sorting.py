"""Fields each paged list may be sorted by (``sort_by``), per endpoint version.

Derived by hand-run tooling from the 2512 OpenAPI document (not shipped here): a field is
sortable where its description says "This property can be used for sorting".
``tests/harness/test_horizon_server.py::test_sortable_table_matches_spec`` re-derives it from
the spec whenever it is available and fails on any drift. Same ``@RANGES`` format as ``fields.py``;
dotted names are fields of nested objects. 2111 has no ``sort_by`` at all.
"""

from __future__ import annotations

from functools import cache

from .fields import in_ranges, parse_ranges

# fmt: off
SORTABLE = {
    "inventory/desktop-pools": """
        @2- allow_multiple_user_assignments allow_rds_pool_multi_session_per_user
          automatic_user_assignment cloud_assigned cloud_managed
          customization_settings.ad_container_rdn
          customization_settings.customization_type
          customization_settings.do_not_power_on_vms_after_creation
          customization_settings.reuse_pre_existing_accounts delete_in_progress
          description display_assigned_machine_name display_name
          display_protocol_settings.allow_users_to_choose_protocol
          display_protocol_settings.default_display_protocol
          display_protocol_settings.grid_vgpus_enabled
          display_protocol_settings.html_access_enabled
          display_protocol_settings.max_number_of_monitors
          display_protocol_settings.max_resolution_of_any_one_monitor
          display_protocol_settings.renderer3d
          display_protocol_settings.session_collaboration_enabled
          display_protocol_settings.vgpu_grid_profile
          display_protocol_settings.vram_size_mb enable_client_restrictions
          enable_provisioning enabled image_source name
          pattern_naming_settings.max_number_of_machines
          pattern_naming_settings.min_number_of_machines
          pattern_naming_settings.naming_pattern
          pattern_naming_settings.number_of_spare_machines
          pattern_naming_settings.provisioning_time provisioning_settings.add_virtual_tpm
          provisioning_settings.min_ready_vms_on_vcomposer_maintenance
          provisioning_status_data.instant_clone_current_image_state
          provisioning_status_data.instant_clone_operation
          provisioning_status_data.instant_clone_pending_image_error
          provisioning_status_data.instant_clone_pending_image_progress
          provisioning_status_data.instant_clone_pending_image_state
          provisioning_status_data.last_provisioning_error
          provisioning_status_data.last_provisioning_error_time
          session_settings.allow_multiple_sessions_per_user
          session_settings.allow_users_to_reset_machines
          session_settings.delete_or_refresh_machine_after_logoff
          session_settings.disconnected_session_timeout_minutes
          session_settings.disconnected_session_timeout_policy
          session_settings.empty_session_timeout_minutes
          session_settings.empty_session_timeout_policy
          session_settings.logoff_after_timeout session_settings.power_policy
          session_settings.pre_launch_session_timeout_minutes
          session_settings.pre_launch_session_timeout_policy
          session_settings.refresh_os_disk_after_logoff
          session_settings.refresh_period_days_for_replica_os_disk
          session_settings.refresh_threshold_percentage_for_replica_os_disk session_type
          source specific_naming_settings.num_unassigned_machines_kept_powered_on
          specific_naming_settings.start_machines_in_maintenance_mode
          stop_provisioning_on_error storage_settings.non_persistent_disk_drive_letter
          storage_settings.non_persistent_disk_size_mb
          storage_settings.non_persistent_redirect_disposable_files
          storage_settings.persistent_disk_drive_letter
          storage_settings.persistent_disk_size_mb storage_settings.reclaim_vm_disk_space
          storage_settings.reclamation_threshold_mb
          storage_settings.redirect_windows_profile storage_settings.use_native_snapshots
          storage_settings.use_separate_datastores_persistent_and_os_disks
          storage_settings.use_separate_datastores_replica_and_os_disks
          storage_settings.use_vsan transparent_page_sharing_scope type user_assignment
          view_storage_accelerator_settings.regenerate_view_storage_accelerator_days
          view_storage_accelerator_settings.use_view_storage_accelerator
          view_storage_accelerator_settings.view_storage_accelerator_disk_types
        @3- display_machine_alias
        @4- cloud_brokered
        @5- naming_method session_settings.session_timeout_policy user_group_count
        @8- allow_users_to_choose_machines session_settings.used_vm_policy
        @10- aws_core_desktop_settings.running_mode
    """,
    "inventory/machines": """
        @1- agent_build_number agent_version dns_name managed_machine_data.create_time
          managed_machine_data.in_hold_customization
          managed_machine_data.missing_in_vcenter managed_machine_data.path
          managed_machine_data.storage_accelerator_state
          managed_machine_data.virtual_machine_power_state message_security_mode name
          operating_system remote_experience_agent_build_number
          remote_experience_agent_version state type
        @2- managed_machine_data.last_maintenance_time managed_machine_data.logoff_policy
          managed_machine_data.operation managed_machine_data.operation_state
        @3- held_machine
        @4- agent_upgrade_error_message agent_upgrade_result agent_upgrade_state
        @6- desktop_pool_name desktop_pool_source managed_machine_data.base_snapshot_path
          managed_machine_data.base_vm_path
        @8- agent_data.agent_upgrade_error_message agent_data.upgrade_result
        @9- managed_machine_data.template_name uem_enrolment_last_error_code
          uem_enrolment_status
        @10- appv_agent_upgrade_error_message appv_agent_version_build appv_upgrade_result
          deem_agent_upgrade_error_message deem_agent_version_build deem_upgrade_result
          dem_agent_upgrade_error_message dem_agent_version_build dem_upgrade_result
          hze_agent_upgrade_error_message hze_agent_version_build hze_upgrade_result
          re_agent_version
    """,
    "inventory/sessions": """
        @1- agent_version brokered_remotely client_data.address client_data.name
          client_data.type client_data.version disconnected_time idle_duration
          last_session_duration_ms resourced_remotely security_gateway_data.address
          security_gateway_data.domain_name security_gateway_data.location
          session_protocol session_state session_type start_time unauthenticated user_id
        @4- user_name
        @6- desktop_pool_or_farm_name desktop_pool_or_farm_source
          desktop_pool_or_farm_type domain_name
        @7- forever_session machine_or_rds_server_dns machine_or_rds_server_name
    """,
    "inventory/farms": """
        @2- automated_farm_settings.customization_settings.ad_container_rdn
          automated_farm_settings.customization_settings.reuse_pre_existing_accounts
          automated_farm_settings.enable_provisioning automated_farm_settings.image_source
          automated_farm_settings.min_ready_vms
          automated_farm_settings.pattern_naming_settings.max_number_of_rds_servers
          automated_farm_settings.pattern_naming_settings.naming_pattern
          automated_farm_settings.provisioning_status_data.instant_clone_current_image_state
          automated_farm_settings.provisioning_status_data.instant_clone_pending_image_progress
          automated_farm_settings.provisioning_status_data.instant_clone_pending_image_state
          automated_farm_settings.stop_provisioning_on_error
          automated_farm_settings.storage_settings.use_view_storage_accelerator
          automated_farm_settings.storage_settings.use_vsan
          automated_farm_settings.transparent_page_sharing_scope delete_in_progress
          description display_name
          display_protocol_settings.allow_users_to_choose_protocol
          display_protocol_settings.default_display_protocol
          display_protocol_settings.grid_vgpus_enabled
          display_protocol_settings.session_collaboration_enabled
          display_protocol_settings.vgpu_grid_profile enabled name server_error_threshold
          session_settings.disconnected_session_timeout_minutes
          session_settings.disconnected_session_timeout_policy
          session_settings.empty_session_timeout_minutes
          session_settings.empty_session_timeout_policy
          session_settings.logoff_after_timeout
          session_settings.pre_launch_session_timeout_minutes
          session_settings.pre_launch_session_timeout_policy type
          use_custom_script_for_load_balancing
        @4- session_settings.session_timeout_policy
        @8- automated_farm_settings.aws_core_farm_settings.running_mode
          max_number_of_rds_servers
    """,
    "external/audit-events": """
        @1- application_pool_name desktop_pool_name machine_dns_name message module severity
          time type
    """,
    "inventory/rds-servers": """
        @1- agent_build_number agent_version description dns_name enabled load_index
          load_preference logoff_policy message_security_enhanced_mode_supported
          message_security_mode name operating_system operation operation_state
          remote_experience_agent_build_number remote_experience_agent_version
          session_count state
        @2- agent_upgrade_error_message agent_upgrade_result agent_upgrade_state
        @3- farm_name
        @4- agent_data.agent_upgrade_error_message agent_data.agent_upgrade_result
        @6- appv_agent_upgrade_error_message appv_agent_version_build appv_upgrade_result
          deem_agent_upgrade_error_message deem_agent_version_build deem_upgrade_result
          dem_agent_upgrade_error_message dem_agent_version_build dem_upgrade_result
          hze_agent_upgrade_error_message hze_agent_version_build hze_upgrade_result
          re_agent_version
    """,
}
# fmt: on


@cache
def sortable_fields(collection: str, version: int) -> frozenset[str]:
    """The fields ``sort_by`` accepts for ``collection`` (``inventory/machines``) v``version``."""
    found: set[str] = set()
    ranges = None
    for token in SORTABLE.get(collection, "").split():
        if token.startswith("@"):
            ranges = parse_ranges(token[1:])
        elif ranges is not None and in_ranges(version, ranges):
            found.add(token)
    return frozenset(found)
