"""vSphere guest OS identifiers by family, bitness and Windows release, and how two compare.

The ids are vSphere's ``VirtualMachineGuestOsIdentifier`` (vSphere Web Services API reference;
pyVmomi's ``vim.vm.GuestOsDescriptor.GuestOsIdentifier``). Display names (``guestFullName``)
differ between vSphere versions for one id ("Other 3.x Linux" and "Other 3.x or later Linux"),
and a range type ("CentOS 4/5/6/7") never equals the name of one of its members, so verdicts
compare ids, never names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class GuestFamily(Enum):
    """The kind of operating system a guest type is for."""

    WINDOWS_CLIENT = "Windows client"
    WINDOWS_SERVER = "Windows Server"
    LINUX = "Linux"
    BSD = "BSD"
    MACOS = "macOS"
    OTHER = "other"


@dataclass(frozen=True)
class GuestType:
    """What one guest OS id stands for."""

    guest_id: str
    """The vSphere id, e.g. ``windows9_64Guest``."""
    family: GuestFamily
    """Its OS family."""
    bits: int
    """32 or 64."""
    line: str
    """The product line inside the family (``solaris``, ``netware``; ``generic`` for vSphere's
    catch-all types); Windows ids carry their release here."""
    release: int | None = None
    """Windows only: the release's rank in its family's order (None: not tied to a release)."""


WINDOWS_CLIENT_RELEASES = (
    "3.1",
    "95",
    "98",
    "Me",
    "NT 4",
    "2000",
    "XP",
    "Vista",
    "7",
    "8",
    "10",
    "11",
    "12",
)
"""Windows client releases, oldest first (``windows8`` types cover 8 and 8.1; winNT covers
NT 4 Workstation and Server alike)."""
WINDOWS_SERVER_RELEASES = (
    "2000",
    "2003",
    "2008",
    "2008 R2",
    "2012",
    "2016",
    "2019",
    "2022",
    "2025",
)
"""Windows Server releases, oldest first (``windows8Server64Guest`` covers 2012 and 2012 R2)."""

_WINDOWS_CLIENT = {
    "win31Guest": "3.1",
    "win95Guest": "95",
    "win98Guest": "98",
    "winMeGuest": "Me",
    "winNTGuest": "NT 4",
    "win2000ProGuest": "2000",
    "winXPHomeGuest": "XP",
    "winXPProGuest": "XP",
    "winXPPro64Guest": "XP",
    "winVistaGuest": "Vista",
    "winVista64Guest": "Vista",
    "windows7Guest": "7",
    "windows7_64Guest": "7",
    "windows8Guest": "8",
    "windows8_64Guest": "8",
    "windows9Guest": "10",
    "windows9_64Guest": "10",
    "windows11_64Guest": "11",
    "windows12_64Guest": "12",
}
_WINDOWS_SERVER: dict[str, str | None] = {
    "win2000ServGuest": "2000",
    "win2000AdvServGuest": "2000",
    "winNetWebGuest": "2003",
    "winNetStandardGuest": "2003",
    "winNetEnterpriseGuest": "2003",
    "winNetDatacenterGuest": "2003",
    "winNetBusinessGuest": "2003",
    "winNetStandard64Guest": "2003",
    "winNetEnterprise64Guest": "2003",
    "winNetDatacenter64Guest": "2003",
    "winLonghornGuest": "2008",
    "winLonghorn64Guest": "2008",
    "windows7Server64Guest": "2008 R2",
    "windows8Server64Guest": "2012",
    "windows9Server64Guest": "2016",
    "windows2019srv_64Guest": "2019",
    "windows2019srvNext_64Guest": "2022",
    "windows2022srvNext_64Guest": "2025",
    "windowsHyperVGuest": None,
}
"""``windowsHyperVGuest`` (Hyper-V Server) names no release."""

_LINUX = (
    "almalinux_64Guest amazonlinux2_64Guest amazonlinux3_64Guest asianux3Guest asianux3_64Guest"
    " asianux4Guest asianux4_64Guest asianux5_64Guest asianux7_64Guest asianux8_64Guest"
    " asianux9_64Guest centosGuest centos64Guest centos6Guest centos6_64Guest centos7Guest"
    " centos7_64Guest centos8_64Guest centos9_64Guest coreos64Guest debian4Guest debian4_64Guest"
    " debian5Guest debian5_64Guest debian6Guest debian6_64Guest debian7Guest debian7_64Guest"
    " debian8Guest debian8_64Guest debian9Guest debian9_64Guest debian10Guest debian10_64Guest"
    " debian11Guest debian11_64Guest debian12Guest debian12_64Guest debian13Guest"
    " debian13_64Guest fedoraGuest fedora64Guest flatcar_64Guest fusionos_64Guest"
    " genericLinuxGuest kylinlinux_64Guest mandrakeGuest mandrivaGuest mandriva64Guest"
    " miraclelinux_64Guest nld9Guest oesGuest opensuseGuest opensuse64Guest oracleLinuxGuest"
    " oracleLinux64Guest oracleLinux6Guest oracleLinux6_64Guest oracleLinux7Guest"
    " oracleLinux7_64Guest oracleLinux8_64Guest oracleLinux9_64Guest oracleLinux10_64Guest"
    " other24xLinuxGuest other24xLinux64Guest other26xLinuxGuest other26xLinux64Guest"
    " other3xLinuxGuest other3xLinux64Guest other4xLinuxGuest other4xLinux64Guest"
    " other5xLinuxGuest other5xLinux64Guest other6xLinuxGuest other6xLinux64Guest"
    " other7xLinuxGuest other7xLinux64Guest otherLinuxGuest otherLinux64Guest pardus_64Guest"
    " prolinux_64Guest redhatGuest rhel2Guest rhel3Guest rhel3_64Guest rhel4Guest rhel4_64Guest"
    " rhel5Guest rhel5_64Guest rhel6Guest rhel6_64Guest rhel7Guest rhel7_64Guest rhel8_64Guest"
    " rhel9_64Guest rhel10_64Guest rockylinux_64Guest sjdsGuest slesGuest sles64Guest"
    " sles10Guest sles10_64Guest sles11Guest sles11_64Guest sles12Guest sles12_64Guest"
    " sles15_64Guest sles16_64Guest suseGuest suse64Guest turboLinuxGuest turboLinux64Guest"
    " ubuntuGuest ubuntu64Guest vmwarePhoton64Guest"
)
"""Every Linux type, distribution, range ("CentOS 4/5/6/7") and generic ("Other 3.x or later
Linux") alike: one family, since the check judges Linux by family and bitness only."""

_BSD = (
    "freebsdGuest freebsd64Guest freebsd11Guest freebsd11_64Guest freebsd12Guest"
    " freebsd12_64Guest freebsd13Guest freebsd13_64Guest freebsd14Guest freebsd14_64Guest"
    " freebsd15Guest freebsd15_64Guest"
)
_MACOS = (
    "darwinGuest darwin64Guest darwin10Guest darwin10_64Guest darwin11Guest darwin11_64Guest"
    " darwin12_64Guest darwin13_64Guest darwin14_64Guest darwin15_64Guest darwin16_64Guest"
    " darwin17_64Guest darwin18_64Guest darwin19_64Guest darwin20_64Guest darwin21_64Guest"
    " darwin22_64Guest darwin23_64Guest"
)
_OTHER_LINES = {
    "generic": "otherGuest otherGuest64",
    "ms-dos": "dosGuest",
    "os/2": "os2Guest eComStationGuest eComStation2Guest",
    "netware": "netware4Guest netware5Guest netware6Guest",
    "solaris": "solaris6Guest solaris7Guest solaris8Guest solaris9Guest solaris10Guest"
    " solaris10_64Guest solaris11_64Guest",
    "sco unix": "openServer5Guest openServer6Guest unixWare7Guest",
    "esxi": "vmkernelGuest vmkernel5Guest vmkernel6Guest vmkernel65Guest vmkernel7Guest"
    " vmkernel8Guest vmkernel9Guest",
    "vsphere pod": "crxPod1Guest crxSys1Guest",
}
"""Families of one product each; ``generic`` is vSphere's type for an OS it does not list."""

_ALWAYS_64_BIT = frozenset(
    {
        "windowsHyperVGuest",  # Hyper-V Server exists for x64 only
        "vmkernel5Guest",  # ESXi 5 and later run on x64 only
        "vmkernel6Guest",
        "vmkernel65Guest",
        "vmkernel7Guest",
        "vmkernel8Guest",
        "vmkernel9Guest",
        "crxPod1Guest",  # vSphere Pod and system VMs (64-bit Photon OS kernels)
        "crxSys1Guest",
    }
)
"""64-bit types whose id carries no ``64``."""

_SIXTY_FOUR = re.compile(r"64Guest$|Guest64$")


def _bits(guest_id: str) -> int:
    """64 for ids ending ``64Guest``/``_64Guest``/``Guest64`` or listed as 64-bit, else 32."""
    return 64 if _SIXTY_FOUR.search(guest_id) or guest_id in _ALWAYS_64_BIT else 32


def _build_table() -> dict[str, GuestType]:
    """Every known id with its family, bitness, line and Windows release."""
    table: dict[str, GuestType] = {}
    for guest_id, client in _WINDOWS_CLIENT.items():
        rank = WINDOWS_CLIENT_RELEASES.index(client)
        family = GuestFamily.WINDOWS_CLIENT
        table[guest_id] = GuestType(guest_id, family, _bits(guest_id), f"Windows {client}", rank)
    for guest_id, server in _WINDOWS_SERVER.items():
        rank_or_none = None if server is None else WINDOWS_SERVER_RELEASES.index(server)
        line = "Windows Server" if server is None else f"Windows Server {server}"
        family = GuestFamily.WINDOWS_SERVER
        table[guest_id] = GuestType(guest_id, family, _bits(guest_id), line, rank_or_none)
    for family, ids in ((GuestFamily.LINUX, _LINUX), (GuestFamily.BSD, _BSD)):
        for guest_id in ids.split():
            table[guest_id] = GuestType(guest_id, family, _bits(guest_id), family.value)
    for guest_id in _MACOS.split():
        table[guest_id] = GuestType(guest_id, GuestFamily.MACOS, _bits(guest_id), "macOS")
    for line, ids in _OTHER_LINES.items():
        for guest_id in ids.split():
            table[guest_id] = GuestType(guest_id, GuestFamily.OTHER, _bits(guest_id), line)
    return table


GUEST_TYPES: dict[str, GuestType] = _build_table()
"""Every vSphere guest OS id fleetreport knows, by id."""


def guest_type(guest_id: str) -> GuestType | None:
    """The type of a guest OS id; None for an id fleetreport does not know."""
    return GUEST_TYPES.get(guest_id)


@dataclass(frozen=True)
class GuestComparison:
    """What the running guest OS is, measured against its configured type."""

    differs: bool | None
    """True when the difference matters, False when it does not, None when ids cannot tell."""
    reason: str
    """Why, in words naming both sides."""


def compare_guest_types(configured: GuestType, running: GuestType) -> GuestComparison:
    """Differs only for another family (or product), another bitness or a newer Windows."""
    if configured.family is not running.family:
        return GuestComparison(
            True, f"another OS family: {running.family.value}, not {configured.family.value}"
        )
    if _another_product(configured, running):
        return GuestComparison(True, f"another OS: {running.line}, not {configured.line}")
    if configured.bits != running.bits:
        return GuestComparison(
            True, f"{running.bits}-bit running on a {configured.bits}-bit configuration"
        )
    if configured.family in (GuestFamily.WINDOWS_CLIENT, GuestFamily.WINDOWS_SERVER):
        return _compare_windows(configured, running)
    return GuestComparison(False, f"the same {configured.family.value} family and bitness")


def _another_product(configured: GuestType, running: GuestType) -> bool:
    """Two products of the ``other`` family (Solaris, NetWare); the generic type covers them all."""
    lines = {configured.line, running.line}
    return configured.family is GuestFamily.OTHER and len(lines) == 2 and "generic" not in lines


def _compare_windows(configured: GuestType, running: GuestType) -> GuestComparison:
    """A running Windows release newer than the configured type's differs; older or equal not."""
    if configured.release is None or running.release is None:
        vague = configured if configured.release is None else running
        return GuestComparison(None, f"{vague.guest_id} names no Windows release to compare")
    if running.release > configured.release:
        return GuestComparison(
            True, f"{running.line} is newer than the configured type's {configured.line}"
        )
    return GuestComparison(False, f"{running.line} on a {configured.line} type")
