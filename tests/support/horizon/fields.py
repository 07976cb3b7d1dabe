"""Per-version response field sets of the Horizon Server REST API list endpoints.

The table below was derived by hand-run tooling from the vendor's OpenAPI documents
(Horizon 2111, Swagger 2.0, and Horizon 2512, OpenAPI 3.0.1), which are *not* shipped
with this repository.  ``tests/harness/test_horizon_server.py::test_field_table_matches_specs``
re-derives it from those documents whenever they are available and fails on any drift.

Format of each entry: ``@RANGES`` starts a group; every field listed after it exists in
the endpoint versions RANGES (``1-`` = v1 and every later version, ``2-4`` = v2..v4,
``1,7-`` = v1 and v7 onwards).  ``parent(child ...)`` lists the sub-fields of an object
(or of the objects inside an array); a field listed without parentheses is a leaf and is
served verbatim (scalars, arrays of scalars, free-form maps).  Properties the specs mark
``writeOnly`` (e.g. ``virtualTPMPools``) are left out: they never appear in responses.

Both specs agree on every endpoint version they share, so one table serves all profiles;
which versions a profile exposes is in ``endpoints.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

# fmt: off
FIELDS = {
    "inventory/desktop-pools": """
        @1 settings(allow_mutilple_sessions_per_user category_folder_name cloud_assigned
          cloud_managed cs_restriction_tags delete_in_progress
          display_protocol_settings(allow_users_to_choose_protocol default_display_protocol
          display_protocols grid_vgpus_enabled html_access_enabled max_number_of_monitors
          max_resolution_of_any_one_monitor renderer3d session_collaboration_enabled
          vgpu_grid_profile vram_size_mb) enable_client_restrictions
          session_settings(allow_multiple_sessions_per_user allow_users_to_reset_machines
          delete_or_refresh_machine_after_logoff disconnected_session_timeout_minutes
          disconnected_session_timeout_policy empty_session_timeout_minutes
          empty_session_timeout_policy logoff_after_timeout power_policy
          refresh_os_disk_after_logoff refresh_period_days_for_replica_os_disk
          refresh_threshold_percentage_for_replica_os_disk) session_type shortcut_locations)
        @1- description display_name enabled id name source type
        @2- access_group_id allow_multiple_user_assignments allow_rds_pool_multi_session_per_user
          automatic_user_assignment category_folder_name cloud_assigned cloud_managed
          cs_restriction_tags customization_settings(ad_container_rdn
          cloneprep_customization_settings(post_synchronization_script_name
          post_synchronization_script_parameters power_off_script_name power_off_script_parameters
          priming_computer_account) customization_type do_not_power_on_vms_after_creation
          instant_clone_domain_account_id
          quickprep_customization_settings(post_synchronization_script_parameters
          post_synchronization_script_path power_off_script_parameters power_off_script_path)
          reuse_pre_existing_accounts sysprep_customization_spec_id
          view_composer_domain_account_id) delete_in_progress display_assigned_machine_name
          display_protocol_settings(allow_users_to_choose_protocol default_display_protocol
          display_protocols grid_vgpus_enabled html_access_enabled max_number_of_monitors
          max_resolution_of_any_one_monitor renderer3d session_collaboration_enabled
          vgpu_grid_profile vram_size_mb) enable_client_restrictions enable_provisioning farm_id
          image_source nics(network_interface_card_id network_interface_card_name
          network_label_assignment_specs(enabled max_label max_label_type network_label_name))
          pattern_naming_settings(max_number_of_machines min_number_of_machines naming_pattern
          number_of_spare_machines provisioning_time) provisioning_settings(add_virtual_tpm
          base_snapshot_id datacenter_id host_or_cluster_id im_stream_id im_tag_id
          min_ready_vms_on_vcomposer_maintenance parent_vm_id resource_pool_id vm_folder_id
          vm_template_id) provisioning_status_data(instant_clone_current_image_state
          instant_clone_operation instant_clone_pending_im_stream_id
          instant_clone_pending_im_tag_id instant_clone_pending_image_error
          instant_clone_pending_image_parent_vm_id instant_clone_pending_image_progress
          instant_clone_pending_image_snapshot_id instant_clone_pending_image_state
          instant_clone_push_image_settings(add_virtual_tpm logoff_policy start_time
          stop_on_first_error) last_provisioning_error last_provisioning_error_time)
          session_settings(allow_multiple_sessions_per_user allow_users_to_reset_machines
          delete_or_refresh_machine_after_logoff disconnected_session_timeout_minutes
          disconnected_session_timeout_policy empty_session_timeout_minutes
          empty_session_timeout_policy logoff_after_timeout power_policy
          pre_launch_session_timeout_minutes pre_launch_session_timeout_policy
          refresh_os_disk_after_logoff refresh_period_days_for_replica_os_disk
          refresh_threshold_percentage_for_replica_os_disk) session_type
          specific_naming_settings(num_machines num_unassigned_machines_kept_powered_on
          start_machines_in_maintenance_mode) stop_provisioning_on_error
          storage_settings(datastores(datastore_id sdrs_cluster storage_overcommit)
          non_persistent_disk_drive_letter non_persistent_disk_size_mb
          non_persistent_redirect_disposable_files persistent_disk_datastores(datastore_id
          sdrs_cluster storage_overcommit) persistent_disk_drive_letter persistent_disk_size_mb
          reclaim_vm_disk_space reclamation_threshold_mb redirect_windows_profile
          replica_disk_datastore_id use_native_snapshots
          use_separate_datastores_persistent_and_os_disks
          use_separate_datastores_replica_and_os_disks use_vsan) transparent_page_sharing_scope
          user_assignment vcenter_id view_storage_accelerator_settings(blackout_times(days
          end_time start_time) regenerate_view_storage_accelerator_days
          use_view_storage_accelerator view_storage_accelerator_disk_types)
        @2-4 shortcut_locations
        @3- display_machine_alias global_desktop_entitlement_id
        @4- cloud_brokered
        @5- naming_method session_settings(session_timeout_policy) shortcut_locations_v2
          user_group_count
        @6- provisioning_settings(compute_profile_num_cores_per_socket compute_profile_num_cpus
          compute_profile_ram_mb)
          provisioning_status_data(pending_compute_profile_num_cores_per_socket
          pending_compute_profile_num_cpus pending_compute_profile_ram_mb)
        @7- customization_settings(ad_site_name)
        @8- allow_users_to_choose_machines created_at
          customization_settings(customization_script_settings(post_synchronization_script_name
          post_synchronization_script_parameters power_off_script_name
          power_off_script_parameters) enable_sysprep_domain_join)
          session_settings(used_vm_policy) updated_at
        @9- display_protocol_settings(pcoip_ultra_protocol_enabled)
        @10- aws_core_desktop_settings(aws_core_workspace_schedules(days_of_the_week name
          resume_time suspend_time timezone) bundle_id bundle_name directory_id directory_name
          running_mode)
          capacity_provider_id global_entitlement_name num_application_sessions num_sessions
          provisioning_settings(host_or_cluster_path im_stream_name im_tag_name parent_vm_path
          resource_pool_path snapshot_path template_path vm_folder_path) vcenter_name
        @11- allowed_access_path launch_id require_strong_auth
        @12- application_count aws_core_desktop_settings(idle_session_timeout
          idle_session_timeout_policy image_name) entra_sso_enabled num_machines
          provisioning_settings(customization_spec_name datacenter_name)
          provisioning_status_data(instant_clone_pending_im_stream_name
          instant_clone_pending_im_tag_name instant_clone_pending_image_parent_vm_path
          instant_clone_pending_image_snapshot_path) supported_domains uem_server_id
          uem_server_label
    """,
    "config/environment-properties": """
        @1- cluster_guid cluster_name fips_mode_enabled ip_mode local_pod_name timezone_offset
        @2- deployment_type local_connection_server_build local_connection_server_version
        @3- has_new_data_partition
    """,
    "inventory/machines": """
        @1- agent_build_number agent_version attempted_theft_by_connection_server
          configured_by_connection_server desktop_pool_id dns_name id
          managed_machine_data(clone_error_message clone_error_time create_time host_name
          in_hold_customization in_maintenance_mode memory_mb missing_in_vcenter
          network_labels(network_label_name nic_name) path storage_accelerator_state
          virtual_center_id virtual_disks(capacity_mb datastore_path path)
          virtual_machine_power_state) message_security_enhanced_mode_supported
          message_security_mode name operating_system operating_system_architecture pairing_state
          remote_experience_agent_build_number remote_experience_agent_version state type user_ids
        @2- access_group_id aliases(ad_user_id alias_name) managed_machine_data(base_vm_id
          base_vm_snapshot_id datastore_ids image_management_stream_id image_management_tag_id
          last_maintenance_time logoff_policy operation operation_state pending_base_vm_id
          pending_base_vm_snapshot_id pending_image_management_stream_id
          pending_image_management_tag_id) session_id
        @3- held_machine
        @4- agent_upgrade_error_message agent_upgrade_result agent_upgrade_state
        @5- agent_id agent_ipv4_address agent_ipv6_address managed_machine_data(persistent_disk_ids
          vm_moid)
        @6- desktop_pool_name desktop_pool_source desktop_pool_type desktop_pool_user_assignment
          managed_machine_data(base_snapshot_path base_vm_path datastore_paths im_stream_name
          im_tag_name pending_base_snapshot_path pending_base_vm_path pending_im_stream_name
          pending_im_tag_name) session_protocol session_user_id session_user_name user_names
        @7- aws_workspace_id
        @8- agent_data(agent_type agent_upgrade_error_message build has_new_agent_version
          last_update_date_time upgrade_result upgrade_state version) alias_names alias_user_ids
          managed_machine_data(network_label_names)
        @9- managed_machine_data(template_name) uem_enrolment_last_error_code uem_enrolment_status
        @10- appv_agent_upgrade_error_message appv_agent_version_build appv_has_new_agent_version
          appv_last_update_date_time appv_upgrade_result appv_upgrade_state
          deem_agent_upgrade_error_message deem_agent_version_build deem_has_new_agent_version
          deem_last_update_date_time deem_upgrade_result deem_upgrade_state
          dem_agent_upgrade_error_message dem_agent_version_build dem_has_new_agent_version
          dem_last_update_date_time dem_upgrade_result dem_upgrade_state
          hze_agent_upgrade_error_message hze_agent_version_build hze_has_new_agent_version
          hze_last_update_date_time hze_upgrade_result hze_upgrade_state re_agent_version
    """,
    "inventory/sessions": """
        @1- access_group_id agent_version application_names broker_user_id brokered_remotely
          client_data(address location_id name type version) desktop_pool_id disconnected_time
          farm_id id idle_duration last_session_duration_ms machine_id rds_server_id
          resourced_remotely security_gateway_data(address domain_name location) session_protocol
          session_state session_type start_time unauthenticated user_id
        @2- guid
        @3- internal_session_id
        @4- groups user_name
        @5- cloud_managed
        @6- desktop_pool_or_farm_name desktop_pool_or_farm_source desktop_pool_or_farm_type
          domain_name
        @7- forever_session machine_or_rds_server_dns machine_or_rds_server_name
    """,
    "inventory/farms": """
        @1 settings(delete_in_progess desktop_id
          display_protocol_settings(allow_display_protocol_override default_display_protocol
          grid_vgpus_enabled html_access_enabled session_collaboration_enabled vgpu_grid_profile)
          load_balancer_settings(custom_script_in_use lb_metric_settings(cpu_threshold
          disk_queue_length_threshold disk_read_latency_threshold disk_write_latency_threshold
          include_session_count memory_threshold)) server_error_threshold
          session_settings(disconnected_session_timeout_minutes
          disconnected_session_timeout_policy empty_session_timeout_minutes
          empty_session_timeout_policy logoff_after_timeout pre_launch_session_timeout_minutes
          pre_launch_session_timeout_policy))
        @1- description display_name enabled id name type
        @1,7- source
        @2- access_group_id automated_farm_settings(customization_settings(ad_container_rdn
          cloneprep_customization_settings(post_synchronization_script_name
          post_synchronization_script_parameters power_off_script_name power_off_script_parameters
          priming_computer_account) instant_clone_domain_account_id reuse_pre_existing_accounts)
          enable_provisioning image_source max_session_type max_sessions min_ready_vms
          nics(network_interface_card_id network_interface_card_name
          network_label_assignment_specs(enabled max_label max_label_type network_label_name))
          operating_system operating_system_architecture
          pattern_naming_settings(max_number_of_rds_servers naming_pattern)
          provisioning_settings(base_snapshot_id datacenter_id host_or_cluster_id im_stream_id
          im_tag_id parent_vm_id resource_pool_id vm_folder_id)
          provisioning_status_data(instant_clone_current_image_state instant_clone_operation
          instant_clone_operation_time instant_clone_pending_im_stream_id
          instant_clone_pending_im_tag_id instant_clone_pending_image_error
          instant_clone_pending_image_parent_vm_id instant_clone_pending_image_progress
          instant_clone_pending_image_snapshot_id instant_clone_pending_image_state
          instant_clone_scheduled_maintenance_data(immediate_maintenance_scheduled logoff_policy
          next_scheduled_time recurring_maintenance_settings(maintenance_period
          maintenance_period_frequency start_index start_time) stop_on_first_error)
          last_provisioning_error last_provisioning_error_time) stop_provisioning_on_error
          storage_settings(datastores(datastore_id storage_overcommit) replica_disk_datastore_id
          use_separate_datastores_replica_and_os_disks use_view_storage_accelerator use_vsan)
          transparent_page_sharing_scope vcenter_id) delete_in_progress desktop_pool_id
          display_protocol_settings(allow_users_to_choose_protocol default_display_protocol
          grid_vgpus_enabled session_collaboration_enabled vgpu_grid_profile)
          load_balancer_settings(cpu_threshold disk_queue_length_threshold
          disk_read_latency_threshold disk_write_latency_threshold include_session_count
          memory_threshold) server_error_threshold
          session_settings(disconnected_session_timeout_minutes
          disconnected_session_timeout_policy empty_session_timeout_minutes
          empty_session_timeout_policy logoff_after_timeout pre_launch_session_timeout_minutes
          pre_launch_session_timeout_policy) use_custom_script_for_load_balancing
        @3- automated_farm_settings(customization_settings(customization_type
          sysprep_customization_spec_id))
        @4- automated_farm_settings(provisioning_settings(compute_profile_num_cores_per_socket
          compute_profile_num_cpus compute_profile_ram_mb)
          provisioning_status_data(pending_compute_profile_num_cores_per_socket
          pending_compute_profile_num_cpus pending_compute_profile_ram_mb))
          load_balancer_settings(connecting_session_threshold load_index_threshold)
          session_settings(session_timeout_policy)
        @5- app_volumes_manager_guid
        @6- automated_farm_settings(customization_settings(ad_site_name))
        @7- access_group_name application_count
          automated_farm_settings(customization_script_settings(post_synchronization_script_name
          post_synchronization_script_parameters power_off_script_name
          power_off_script_parameters) enable_sysprep_domain_join
          provisioning_settings(customization_spec_name datacenter_name host_or_cluster_path
          image_management_stream_name image_management_tag_name parent_vm_path resource_pool_path
          snapshot_path vm_folder_path)
          provisioning_status_data(pending_image_management_stream_name
          pending_image_management_tag_name pending_image_parent_vm_path
          pending_image_snapshot_path)) created_at desktop_pool_name updated_at
        @8- automated_farm_settings(aws_core_farm_settings(bundle_id bundle_name directory_id
          directory_name image_id image_name running_mode) capacity_provider_id
          provisioning_status_data(push_image_settings(immediate_maintenance_scheduled
          logoff_policy pending_bundle_id pending_bundle_name pending_image_id pending_image_name
          start_time stop_on_first_error))) max_number_of_rds_servers max_session_type
          max_sessions max_sessions_per_rds_server
        @9- entra_sso_enabled load_balancer_settings(load_index_lb_enabled)
    """,
    "inventory/rds-servers": """
        @1- access_group_id agent_build_number agent_version base_vm_id base_vm_snapshot_id
          description dns_name enabled farm_id id image_management_stream_id
          image_management_tag_id load_index load_preference logoff_policy max_sessions_count
          max_sessions_count_configured max_sessions_type max_sessions_type_configured
          message_security_enhanced_mode_supported message_security_mode name operating_system
          operation operation_state pending_base_vm_id pending_base_vm_snapshot_id
          pending_image_management_stream_id pending_image_management_tag_id
          remote_experience_agent_build_number remote_experience_agent_version session_count state
        @2- agent_upgrade_error_message agent_upgrade_result agent_upgrade_state
          network_labels_by_nic
        @3- desktop_pool_name farm_name
        @4- agent_data(agent_type agent_upgrade_error_message agent_upgrade_result build
          has_new_agent_version last_update_date_time upgrade_state version) base_vm_path
          base_vm_snapshot_path image_management_stream_name image_management_tag_name
          network_label_names pending_base_image_path pending_base_image_snapshot_path
          pending_image_management_stream_name pending_image_management_tag_name
        @5- farm_source farm_type
        @6- appv_agent_upgrade_error_message appv_agent_version_build appv_has_new_agent_version
          appv_last_update_date_time appv_upgrade_result appv_upgrade_state
          deem_agent_upgrade_error_message deem_agent_version_build deem_has_new_agent_version
          deem_last_update_date_time deem_upgrade_result deem_upgrade_state
          dem_agent_upgrade_error_message dem_agent_version_build dem_has_new_agent_version
          dem_last_update_date_time dem_upgrade_result dem_upgrade_state
          hze_agent_upgrade_error_message hze_agent_version_build hze_has_new_agent_version
          hze_last_update_date_time hze_upgrade_result hze_upgrade_state re_agent_version
    """,
    "config/virtual-centers": """
        @1- certificate_override(certificate type) description display_name enabled id instance_uuid
          limits(instant_clone_engine_provisioning_limit power_operations_limit
          provisioning_limit) port se_sparse_reclamation_enabled server_name
          storage_accelerator_data(default_cache_size_mb enabled host_overrides(cache_size_mb
          path)) use_ssl user_name version
        @1 vmc_deployment
        @2- deployment_type has_virtual_tpm_pools maintenance_mode
        @3- limits(instant_clone_maintenance_limit)
        @4- instant_clone_debug_enabled
        @5- vsan_validation_status
        @6- created_at updated_at
    """,
    "monitor/connection-servers": """
        @1- certificate(valid valid_from valid_to) connection_count default_certificate
          details(build version) id name services(service_name status)
          session_protocol_data(session_count session_protocol) session_threshold status
          tunnel_connection_count
        @1-3 cs_replications(server_name status)
        @2- last_updated_timestamp
        @3- unrecognized_pcoip_requests_count unrecognized_tunnel_requests_count
          unrecognized_xmlapi_requests_count
        @4- avg_disk_sec_per_read avg_disk_sec_per_write broker_free_memory broker_total_memory
          bypass_app_blast_gateway bypass_pcoip_gateway bypass_tunnel certificate(certificate_type
          connection_server_certificate ignore_secure_gateway_cert_status invalid_reasons
          is_certificate_managed) connection_count_high cpu_usage_percentage
          cs_replications_v2(message server_name status) default_unauthenticated_access_user
          disk_iops disk_queue_length encryption_certificate(certificate_type
          connection_server_certificate ignore_secure_gateway_cert_status invalid_reasons
          is_certificate_managed valid valid_from valid_to) guest_support(tools_status
          tools_version) memory_pages_input_per_sec memory_pages_output_per_sec
          memory_usage_percentage num_bsg_sessions num_psg_sessions num_rdp_gatewayed_sessions
          os_version proc_queue_length signing_certificate(certificate_type
          connection_server_certificate ignore_secure_gateway_cert_status invalid_reasons
          is_certificate_managed valid valid_from valid_to) unauthenticated_access
          unrecognized_blast_requests_count
    """,
    "monitor/virtual-centers": """
        @1- datastores(capacity_mb details(name path url) free_space_mb status type)
          details(api_version build version) id name
        @1 desktops_count
        @1-2 hosts(cpu_core_count cpu_mhz details(api_version cluster_name name version vgpu_types)
          memory_size_mb status)
        @1-3 connection_servers(certificate(valid valid_from valid_to) id name status
          thumbprint_accepted)
        @2- desktop_pools_and_farms_count
        @2-3 connection_servers(last_updated_timestamp)
        @3 hosts_v2(cpu_core_count cpu_mhz details(api_version cluster_name name version
          vgpu_types) memory_size_mb overall_cpu_usage_mhz overall_memory_usage_mb status)
        @4- connection_servers_v3(certificate(certificate_type connection_server_certificate
          ignore_secure_gateway_cert_status invalid_reasons is_certificate_managed valid
          valid_from valid_to) id last_updated_timestamp name status thumbprint_accepted)
          details(instance_uuid num_desktops num_machines) hosts_v3(cpu_core_count cpu_mhz
          details(api_version cluster_name name version vgpu_types) memory_size_mb num_machines
          overall_cpu_usage_mhz overall_memory_usage_mb status)
    """,
    "monitor/gateways": """
        @1- active_connection_count blast_connection_count details(address internal type version) id
          name pcoip_connection_count status
        @2- last_updated_timestamp
        @3- unrecognized_pcoip_requests_count unrecognized_tunnel_requests_count
          unrecognized_xmlapi_requests_count
        @4- unrecognized_blast_requests_count
        @5- gateway_certificate_health(days_before_expiry invalid_reasons valid)
          service_error_infos(error_code service_name)
    """,
    "monitor/event-database": """
        @1- details(database_name port prefix server_name type user_name) event_count status
        @2- error
    """,
    "external/ad-users-or-groups": """
        @1- container description display_name distinguished_name domain email first_name group guid
          id kiosk_user last_name login_name long_display_name name phone user_display_name
          user_principal_name
        @4- domain_net_biosname group_membership_guids group_membership_ids sub_group_count
          unauthenticated_user user_count
    """,
    "monitor/ad-domains": """
        @1- dns_name netbios_name nt4_domain
        @1-3 connection_servers(id name status trust_relationship)
        @2-3 connection_servers(last_updated_timestamp)
        @3- domain_type service_accounts(owner_id status username)
        @4- connection_servers_v3(connection_status id last_updated_timestamp name status
          trust_relationship)
    """,
    "monitor/saml-authenticators": """
        @1- details(administrator_url label metadata_url) id
        @1-2 connection_servers(id name status thumbprint_accepted)
        @2 connection_servers(last_updated_timestamp)
        @3- connection_servers_v3(certificate(certificate_type connection_server_certificate
          ignore_secure_gateway_cert_status invalid_reasons is_certificate_managed valid
          valid_from valid_to) error_message id last_updated_timestamp name status
          thumbprint_accepted) details(description require_encrypted_assertions trigger_mode)
        @4- details(force_saml_auth workspace_one_enabled)
    """,
    "monitor/true-sso": """
        @1- ad_domain_dns_name ad_domain_id ad_domain_status certificate_server_details(name
          status) enabled id name primary_enrollment_server(dns_name id status)
          secondary_enrollment_server(dns_name id status) status template_name template_status
        @2- ad_domain_primary_enrollment_server_state_reasons
          ad_domain_secondary_enrollment_server_state_reasons
          certificate_server_details(primary_enrollment_server_state_reasons
          secondary_enrollment_server_state_reasons) primary_enrollment_server(state_reasons)
          secondary_enrollment_server(state_reasons)
          template_primary_enrollment_server_state_reasons
          template_secondary_enrollment_server_state_reasons
    """,
    "monitor/pods": """
        @1- endpoints(enabled id name roundtrip_time status url) id name site_id
        @2- endpoints(last_updated_timestamp)
    """,
    "monitor/farms": """
        @1- application_count details(source type) id name rds_server_count status
        @2- access_group_id avm_accessible missing_application_infos(executable_path id name)
    """,
    "config/licenses": """
        @1- application_pool_launch_enabled desktop_pool_launch_enabled expiration_time
          grace_period_days help_desk_enabled instant_clone_enabled license_edition
          license_health license_key license_mode licensed session_collaboration_enabled
          subscription_slice_expiry usage_model
        @2- agent_auto_upgrade_enabled
        @3- consent license_sync_time originator
        @4- days_remaining_to_migrate_license_key
    """,
    "external/audit-events": """
        @1- application_pool_name desktop_pool_name id machine_dns_name machine_id message module
          severity time type user_id
        @2- persistent_disk_id
    """,
    "monitor/desktop-pools/metrics": """
        @1- id num_connected_sessions num_machines occupancy_count
        @2- load_index
        @3- num_disconnected_sessions num_idle_sessions
    """,
    "monitor/licenses/usage-metrics": """
        @1- current_usage(concurrent_application_sessions concurrent_collaborative_sessions
          concurrent_full_vm_sessions concurrent_unmanaged_vm_sessions total_collaborators
          total_concurrent_connections total_concurrent_sessions total_named_users)
          highest_usage(concurrent_application_sessions concurrent_collaborative_sessions
          concurrent_full_vm_sessions concurrent_unmanaged_vm_sessions total_collaborators
          total_concurrent_connections total_concurrent_sessions total_named_users)
    """,
}
# fmt: on


_TOKEN = re.compile(r"@[0-9,\-]+|[A-Za-z_][A-Za-z0-9_]*|\(|\)|\S")


def parse_ranges(spec: str) -> list[tuple[int, int | None]]:
    """``"1,7-"`` -> ``[(1, 1), (7, None)]`` (``None`` = open-ended)."""
    out: list[tuple[int, int | None]] = []
    for part in spec.split(","):
        if part.endswith("-"):
            out.append((int(part[:-1]), None))
        elif "-" in part:
            lo, hi = part.split("-")
            out.append((int(lo), int(hi)))
        else:
            out.append((int(part), int(part)))
    return out


def in_ranges(version: int, ranges: Iterable[tuple[int, int | None]]) -> bool:
    return any(lo <= version and (hi is None or version <= hi) for lo, hi in ranges)


def _parse_groups(text: str) -> list[tuple[list[tuple[int, int | None]], frozenset[str]]]:
    groups: list[tuple[list[tuple[int, int | None]], frozenset[str]]] = []
    ranges: list[tuple[int, int | None]] | None = None
    paths: set[str] = set()
    stack: list[str] = []
    last: str | None = None
    for tok in _TOKEN.findall(text):
        if tok.startswith("@"):
            if stack:
                raise ValueError("unbalanced parentheses before " + tok)
            if ranges is not None:
                groups.append((ranges, frozenset(paths)))
            ranges, paths, last = parse_ranges(tok[1:]), set(), None
        elif tok == "(":
            if last is None:
                raise ValueError("'(' without a field name")
            stack.append(last.rsplit(".", 1)[-1])
            last = None
        elif tok == ")":
            stack.pop()
            last = None
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tok):
            if ranges is None:
                raise ValueError("field before the first @range")
            last = ".".join([*stack, tok])
            paths.add(last)
        else:
            raise ValueError("bad token %r" % tok)
    if stack:
        raise ValueError("unbalanced parentheses")
    if ranges is not None:
        groups.append((ranges, frozenset(paths)))
    return groups


@cache
def field_paths(collection: str, version: int) -> frozenset[str]:
    """All dotted field paths of ``collection`` (e.g. ``"inventory/machines"``) in ``version``."""
    out: set[str] = set()
    for ranges, paths in _parse_groups(FIELDS[collection]):
        if in_ranges(version, ranges):
            out |= paths
    # a nested path implies its parents
    for p in list(out):
        parts = p.split(".")
        for i in range(1, len(parts)):
            out.add(".".join(parts[:i]))
    return frozenset(out)


@cache
def projection_tree(collection: str, version: int) -> dict[str, Any]:
    """Nested dict: field -> sub-tree (empty dict = leaf, copied verbatim)."""
    tree: dict[str, Any] = {}
    for p in sorted(field_paths(collection, version)):
        node = tree
        for part in p.split("."):
            node = node.setdefault(part, {})
    return tree


def project(value: Any, tree: dict[str, Any]) -> Any:
    """Keep only the fields in ``tree`` (recursing into objects and arrays of objects)."""
    if isinstance(value, dict):
        out = {}
        for key, sub in tree.items():
            if key in value:
                out[key] = project(value[key], sub) if sub else value[key]
        return out
    if isinstance(value, list):
        return [project(v, tree) for v in value]
    return value
