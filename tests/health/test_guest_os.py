"""The guest OS id table covers every vSphere id, and two ids differ only where it matters."""

from __future__ import annotations

import pytest
from pyVmomi import vim

from fleetreport.health.guest_os import (
    GUEST_TYPES,
    GuestFamily,
    compare_guest_types,
    guest_type,
)

PYVMOMI_IDS = set(vim.vm.GuestOsDescriptor.GuestOsIdentifier.values)
"""Every ``VirtualMachineGuestOsIdentifier`` the installed pyVmomi knows."""


def test_every_vsphere_guest_id_has_a_family_and_bitness() -> None:
    assert PYVMOMI_IDS - set(GUEST_TYPES) == set()


def test_the_table_holds_no_id_vsphere_does_not_list() -> None:
    assert set(GUEST_TYPES) - PYVMOMI_IDS == set()


@pytest.mark.parametrize("guest_id", ["plan9Guest", "", "windows9_64guest", "WINDOWS11_64GUEST"])
def test_an_unlisted_id_has_no_type(guest_id: str) -> None:
    assert guest_type(guest_id) is None


@pytest.mark.parametrize(
    ("guest_id", "family", "bits", "line"),
    [
        ("windows9_64Guest", GuestFamily.WINDOWS_CLIENT, 64, "Windows 10"),
        ("windows9Guest", GuestFamily.WINDOWS_CLIENT, 32, "Windows 10"),
        ("windows11_64Guest", GuestFamily.WINDOWS_CLIENT, 64, "Windows 11"),
        ("winXPPro64Guest", GuestFamily.WINDOWS_CLIENT, 64, "Windows XP"),
        ("windows9Server64Guest", GuestFamily.WINDOWS_SERVER, 64, "Windows Server 2016"),
        ("windows2019srv_64Guest", GuestFamily.WINDOWS_SERVER, 64, "Windows Server 2019"),
        ("windows2019srvNext_64Guest", GuestFamily.WINDOWS_SERVER, 64, "Windows Server 2022"),
        ("windows2022srvNext_64Guest", GuestFamily.WINDOWS_SERVER, 64, "Windows Server 2025"),
        ("windowsHyperVGuest", GuestFamily.WINDOWS_SERVER, 64, "Windows Server"),
        ("winNetStandardGuest", GuestFamily.WINDOWS_SERVER, 32, "Windows Server 2003"),
        ("centos64Guest", GuestFamily.LINUX, 64, "Linux"),
        ("centosGuest", GuestFamily.LINUX, 32, "Linux"),
        ("other3xLinux64Guest", GuestFamily.LINUX, 64, "Linux"),
        ("other24xLinuxGuest", GuestFamily.LINUX, 32, "Linux"),
        ("vmwarePhoton64Guest", GuestFamily.LINUX, 64, "Linux"),
        ("debian10_64Guest", GuestFamily.LINUX, 64, "Linux"),
        ("freebsd13_64Guest", GuestFamily.BSD, 64, "BSD"),
        ("freebsdGuest", GuestFamily.BSD, 32, "BSD"),
        ("darwin23_64Guest", GuestFamily.MACOS, 64, "macOS"),
        ("darwinGuest", GuestFamily.MACOS, 32, "macOS"),
        ("otherGuest64", GuestFamily.OTHER, 64, "generic"),
        ("otherGuest", GuestFamily.OTHER, 32, "generic"),
        ("solaris11_64Guest", GuestFamily.OTHER, 64, "solaris"),
        ("vmkernel65Guest", GuestFamily.OTHER, 64, "esxi"),
        ("vmkernelGuest", GuestFamily.OTHER, 32, "esxi"),
        ("dosGuest", GuestFamily.OTHER, 32, "ms-dos"),
    ],
)
def test_a_guest_id_has_its_family_bitness_and_line(
    guest_id: str, family: GuestFamily, bits: int, line: str
) -> None:
    found = guest_type(guest_id)
    assert found is not None
    assert (found.family, found.bits, found.line) == (family, bits, line)


def test_windows_releases_are_ordered_within_each_family() -> None:
    client = ["win95Guest", "winXPProGuest", "windows7_64Guest", "windows9_64Guest"]
    client += ["windows11_64Guest", "windows12_64Guest"]
    server = ["winNetStandardGuest", "windows7Server64Guest", "windows9Server64Guest"]
    server += ["windows2019srv_64Guest", "windows2019srvNext_64Guest"]
    server += ["windows2022srvNext_64Guest"]
    for ids in (client, server):
        releases = [GUEST_TYPES[guest_id].release for guest_id in ids]
        known = [release for release in releases if release is not None]
        assert known == releases
        assert known == sorted(set(known))


PAIRS = {
    # (configured, running): True differs, False does not, None cannot tell
    ("centos64Guest", "centos6_64Guest"): False,
    ("centos64Guest", "centos8_64Guest"): False,
    ("other3xLinux64Guest", "vmwarePhoton64Guest"): False,
    ("other3xLinux64Guest", "other3xLinux64Guest"): False,
    ("other4xLinux64Guest", "ubuntu64Guest"): False,
    ("otherLinux64Guest", "rhel9_64Guest"): False,
    ("rhel7_64Guest", "rhel8_64Guest"): False,
    ("windows11_64Guest", "windows11_64Guest"): False,
    ("windows11_64Guest", "windows9_64Guest"): False,
    ("windows2019srvNext_64Guest", "windows9Server64Guest"): False,
    ("otherGuest64", "solaris11_64Guest"): False,
    ("darwin20_64Guest", "darwin23_64Guest"): False,
    ("windows9_64Guest", "windows11_64Guest"): True,
    ("windows9Server64Guest", "windows2019srvNext_64Guest"): True,
    ("windows2019srvNext_64Guest", "windows2022srvNext_64Guest"): True,
    ("windows9_64Guest", "windows9Server64Guest"): True,
    ("windows2019srv_64Guest", "windows11_64Guest"): True,
    ("otherLinux64Guest", "windows9_64Guest"): True,
    ("windows11_64Guest", "ubuntu64Guest"): True,
    ("otherGuest64", "ubuntu64Guest"): True,
    ("freebsd13_64Guest", "other5xLinux64Guest"): True,
    ("solaris11_64Guest", "netware6Guest"): True,
    ("windows9Guest", "windows9_64Guest"): True,
    ("windows9_64Guest", "windows9Guest"): True,
    ("ubuntu64Guest", "ubuntuGuest"): True,
    ("otherLinuxGuest", "vmwarePhoton64Guest"): True,
    ("windowsHyperVGuest", "windows2019srv_64Guest"): None,
    ("windows2019srv_64Guest", "windowsHyperVGuest"): None,
}


@pytest.mark.parametrize(("configured", "running"), sorted(PAIRS))
def test_two_ids_differ_only_by_family_bitness_or_a_newer_windows(
    configured: str, running: str
) -> None:
    comparison = compare_guest_types(GUEST_TYPES[configured], GUEST_TYPES[running])
    assert comparison.differs is PAIRS[configured, running], comparison.reason


def test_the_reason_names_what_differs() -> None:
    newer = compare_guest_types(GUEST_TYPES["windows9_64Guest"], GUEST_TYPES["windows11_64Guest"])
    family = compare_guest_types(GUEST_TYPES["otherLinux64Guest"], GUEST_TYPES["windows9_64Guest"])
    bits = compare_guest_types(GUEST_TYPES["ubuntu64Guest"], GUEST_TYPES["ubuntuGuest"])
    assert newer.reason == "Windows 11 is newer than the configured type's Windows 10"
    assert family.reason == "another OS family: Windows client, not Linux"
    assert bits.reason == "32-bit running on a 64-bit configuration"
