#!/usr/bin/env python3
"""Build an offline wheelhouse: fleetreport's wheel and every dependency's wheel for one platform.

Run it on a connected machine from a checkout, copy the folder to the jump host and install with
``pip install --no-index --find-links``; README "On a Windows jump host without internet".
Needs pip and ``packaging`` (both in any venv that has ``build``; else ``pip install packaging``).
"""

from __future__ import annotations

import argparse
import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

try:
    from packaging import tags
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.utils import (
        InvalidWheelFilename,
        NormalizedName,
        canonicalize_name,
        parse_wheel_filename,
    )
    from packaging.version import Version
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("wheelhouse: needs the 'packaging' package (hint: python -m pip install packaging)")

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_PLATFORM = "win_amd64"
DEFAULT_PYTHONS = ("3.11", "3.12", "3.13")
DEFAULT_EXTRAS = ("xlsx", "keyring")
TOP_UP_ROUNDS = 10
WINDOWS_MACHINES = {"win_amd64": "AMD64", "win32": "x86", "win_arm64": "ARM64"}
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
METADATA_MEMBER = re.compile(r"[^/]+\.dist-info/METADATA")


class WheelhouseError(Exception):
    """A problem the user must fix; printed as one line, exit 1."""


@dataclass(frozen=True)
class Target:
    """One platform tag (as pip's ``--platform`` takes it) and one CPython version."""

    platform: str
    python: str

    @property
    def abi(self) -> str:
        """The CPython ABI tag, e.g. ``cp312``."""
        return "cp" + self.python.replace(".", "")

    @property
    def label(self) -> str:
        """How messages name this target, e.g. ``cp312-win_amd64``."""
        return f"{self.abi}-{self.platform}"

    def markers(self) -> dict[str, str]:
        """PEP 508 marker values on this target (pip uses the running machine's: pypa/pip#11664)."""
        full = f"{self.python}.0"
        return {
            **_platform_markers(self.platform),
            "python_version": self.python,
            "python_full_version": full,
            "implementation_name": "cpython",
            "implementation_version": full,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_version": "",
        }

    def supported_tags(self) -> frozenset[tags.Tag]:
        """Every wheel tag pip would install on this target."""
        version = tuple(int(part) for part in self.python.split("."))
        platforms = _platform_tags(self.platform)
        found = set(tags.cpython_tags(version, abis=[self.abi], platforms=platforms))
        found |= set(tags.compatible_tags(version, interpreter=self.abi, platforms=platforms))
        return frozenset(found)


def _platform_markers(platform: str) -> dict[str, str]:
    """sys_platform, platform_system, os_name and platform_machine for a pip platform tag."""
    if platform in WINDOWS_MACHINES:
        return _system("win32", "Windows", "nt", WINDOWS_MACHINES[platform])
    mac = re.fullmatch(r"macosx_\d+_\d+_(arm64|x86_64)", platform)
    if mac:
        return _system("darwin", "Darwin", "posix", mac[1])
    linux = _glibc(platform) or _musl(platform)
    if linux:
        return _system("linux", "Linux", "posix", linux[2])
    plain = re.fullmatch(r"linux_(\w+)", platform)
    if plain:
        return _system("linux", "Linux", "posix", plain[1])
    raise WheelhouseError(
        f"unknown platform {platform!r} (hint: win_amd64, win_arm64, macosx_11_0_arm64, "
        "macosx_10_12_x86_64, manylinux2014_x86_64, manylinux_2_28_aarch64, musllinux_1_2_x86_64)"
    )


def _system(sys_platform: str, system: str, os_name: str, machine: str) -> dict[str, str]:
    """The four platform markers, by name."""
    return {
        "sys_platform": sys_platform,
        "platform_system": system,
        "os_name": os_name,
        "platform_machine": machine,
    }


def _glibc(platform: str) -> tuple[int, int, str] | None:
    """(major, minor, arch) of a manylinux tag, legacy names included."""
    legacy = re.fullmatch(r"(manylinux1|manylinux2010|manylinux2014)_(\w+)", platform)
    if legacy:
        return (*LEGACY_MANYLINUX[legacy[1]], legacy[2])
    modern = re.fullmatch(r"manylinux_(\d+)_(\d+)_(\w+)", platform)
    return (int(modern[1]), int(modern[2]), modern[3]) if modern else None


def _musl(platform: str) -> tuple[int, int, str] | None:
    """(major, minor, arch) of a musllinux tag."""
    musl = re.fullmatch(r"musllinux_(\d+)_(\d+)_(\w+)", platform)
    return (int(musl[1]), int(musl[2]), musl[3]) if musl else None


def _platform_tags(platform: str) -> list[str]:
    """The platform tags a machine of ``platform`` accepts, newest first (as pip expands them)."""
    _platform_markers(platform)  # refuses unknown platforms
    mac = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", platform)
    if mac:
        return list(tags.mac_platforms((int(mac[1]), int(mac[2])), mac[3]))
    glibc = _glibc(platform)
    if glibc:
        major, minor, arch = glibc
        found: list[str] = []
        for older in range(minor, -1, -1):
            found.append(f"manylinux_{major}_{older}_{arch}")
            found += [
                f"{name}_{arch}" for name, at in LEGACY_MANYLINUX.items() if at == (major, older)
            ]
        return found
    musl = _musl(platform)
    if musl:
        major, minor, arch = musl
        return [f"musllinux_{major}_{older}_{arch}" for older in range(minor, -1, -1)]
    return [platform]


@dataclass(frozen=True)
class Wheel:
    """One wheel file in the folder: its name, version, tags and what its METADATA requires."""

    path: Path
    name: NormalizedName
    version: Version
    file_tags: frozenset[tags.Tag]
    requires_python: SpecifierSet
    requires: tuple[Requirement, ...]
    extras: frozenset[str]

    def installs_on(self, target: Target, supported: frozenset[tags.Tag]) -> bool:
        """Whether pip would install this wheel on ``target``."""
        python = Version(target.python + ".0")
        return bool(self.file_tags & supported) and self.requires_python.contains(python, True)


@dataclass(frozen=True)
class Missing:
    """A requirement that nothing in the folder satisfies on one target."""

    target: Target
    requirement: str
    required_by: tuple[str, ...]
    reason: str

    def __str__(self) -> str:
        by = ", ".join(self.required_by)
        return f"{self.target.label}: {self.requirement} (required by {by}): {self.reason}"


def read_wheel(path: Path) -> Wheel:
    """Name, version and tags from the file name; Requires-Dist and the rest from METADATA."""
    try:
        name, version, _build, wheel_tags = parse_wheel_filename(path.name)
        with zipfile.ZipFile(path) as archive:
            member = next(m for m in archive.namelist() if METADATA_MEMBER.fullmatch(m))
            text = archive.read(member).decode("utf-8")
        metadata = email.parser.HeaderParser().parsestr(text)
        return Wheel(
            path=path,
            name=name,
            version=version,
            file_tags=frozenset(wheel_tags),
            requires_python=SpecifierSet(metadata.get("Requires-Python") or ""),
            requires=tuple(Requirement(line) for line in metadata.get_all("Requires-Dist") or []),
            extras=frozenset(
                canonicalize_name(e) for e in metadata.get_all("Provides-Extra") or []
            ),
        )
    except (InvalidWheelFilename, InvalidRequirement, InvalidSpecifier) as error:
        raise WheelhouseError(f"{path.name}: not a valid wheel: {error}") from error
    except (OSError, zipfile.BadZipFile, StopIteration, UnicodeDecodeError) as error:
        raise WheelhouseError(f"{path.name}: not a readable wheel (no METADATA)") from error


def read_folder(folder: Path) -> dict[NormalizedName, list[Wheel]]:
    """Every wheel in ``folder``, by project name."""
    found: dict[NormalizedName, list[Wheel]] = defaultdict(list)
    for path in sorted(folder.glob("*.whl")):
        wheel = read_wheel(path)
        found[wheel.name].append(wheel)
    return found


def applies(requirement: Requirement, environment: dict[str, str], extras: Iterable[str]) -> bool:
    """Whether ``requirement``'s marker holds on the target for the extras asked of its parent."""
    if requirement.marker is None:
        return True
    return any(
        requirement.marker.evaluate({**environment, "extra": extra}) for extra in {"", *extras}
    )


def verify(folder: Path, root: Requirement, target: Target) -> list[Missing]:
    """What stops ``root`` installing on ``target`` from ``folder`` alone; empty when complete.

    Follows Requires-Dist from the root with the target's markers and extras; a requirement is
    met by a wheel whose tags and Requires-Python suit the target and whose version fits every
    specifier asked of that project.
    """
    wheels = read_folder(folder)
    supported = target.supported_tags()
    environment = target.markers()
    asked: dict[NormalizedName, list[tuple[Requirement, str]]] = defaultdict(list)
    extras: dict[NormalizedName, set[str]] = defaultdict(set)
    chosen: dict[NormalizedName, Wheel] = {}
    missing: dict[NormalizedName, Missing] = {}
    queue: deque[tuple[Requirement, str]] = deque([(root, "the command line")])
    while queue:
        requirement, parent = queue.popleft()
        name = canonicalize_name(requirement.name)
        asked[name].append((requirement, parent))
        wider = not {canonicalize_name(e) for e in requirement.extras} <= extras[name]
        extras[name] |= {canonicalize_name(e) for e in requirement.extras}
        pick = _best(wheels.get(name, []), asked[name], target, supported)
        if pick is None:
            missing[name] = _explain(name, wheels.get(name, []), asked[name], target, supported)
            continue
        missing.pop(name, None)
        if chosen.get(name) == pick and not wider:
            continue
        chosen[name] = pick
        for dependency in pick.requires:
            if applies(dependency, environment, extras[name]):
                queue.append((dependency, f"{pick.name} {pick.version}"))
    return [missing[name] for name in sorted(missing)]


def _best(
    candidates: Sequence[Wheel],
    asked: Sequence[tuple[Requirement, str]],
    target: Target,
    supported: frozenset[tags.Tag],
) -> Wheel | None:
    """The newest wheel that installs on the target and fits every specifier asked."""
    fitting = [
        wheel
        for wheel in candidates
        if wheel.installs_on(target, supported)
        and all(r.specifier.contains(wheel.version, True) for r, _ in asked)
    ]
    return max(fitting, key=lambda wheel: wheel.version, default=None)


def _explain(
    name: NormalizedName,
    candidates: Sequence[Wheel],
    asked: Sequence[tuple[Requirement, str]],
    target: Target,
    supported: frozenset[tags.Tag],
) -> Missing:
    """Why no wheel of ``name`` serves: none at all, other platforms only, or other versions."""
    specifier = SpecifierSet(",".join(str(r.specifier) for r, _ in asked if r.specifier))
    parents = tuple(dict.fromkeys(parent for _, parent in asked))
    if not candidates:
        reason = "no wheel of it in the folder"
    elif not any(wheel.file_tags & supported for wheel in candidates):
        files = ", ".join(wheel.path.name for wheel in candidates)
        reason = f"only wheels for other platforms or Pythons: {files}"
    elif not any(wheel.installs_on(target, supported) for wheel in candidates):
        needs = ", ".join(sorted({str(wheel.requires_python) for wheel in candidates}))
        reason = f"its wheels need Python {needs}"
    else:
        versions = ", ".join(sorted({str(w.version) for w in candidates}, key=Version))
        reason = f"only versions {versions} in the folder"
    return Missing(target, f"{name}{specifier}", parents, reason)


def _pip(arguments: Sequence[str], *, isolated: bool = False) -> subprocess.CompletedProcess[str]:
    """Run this Python's pip; ``isolated`` ignores every pip config file and PIP_* variable."""
    environment = dict(os.environ)
    if isolated:
        environment = {k: v for k, v in environment.items() if not k.startswith("PIP_")}
        environment["PIP_CONFIG_FILE"] = os.devnull
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *arguments]
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)


def _pip_failed(what: str, result: subprocess.CompletedProcess[str]) -> WheelhouseError:
    """pip's own last error line, or its last line, as one message."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    said = (errors or lines or [f"exit code {result.returncode}"])[-1]
    return WheelhouseError(f"{what}: {said}")


def build_wheel(checkout: Path, out: Path) -> Path:
    """fleetreport's own wheel, built from ``checkout`` with ``pip wheel --no-deps``, in ``out``."""
    with tempfile.TemporaryDirectory() as scratch:
        result = _pip(["wheel", "--quiet", "--no-deps", "--wheel-dir", scratch, str(checkout)])
        if result.returncode != 0:
            raise _pip_failed(f"building the wheel of {checkout}", result)
        (built,) = Path(scratch).glob("*.whl")
        return Path(shutil.copy2(built, out / built.name))


def _download_arguments(target: Target, out: Path) -> list[str]:
    """pip download options that fetch wheels for ``target`` into ``out``."""
    return [
        "download",
        "--quiet",
        "--only-binary=:all:",
        "--platform",
        target.platform,
        "--python-version",
        target.python,
        "--implementation",
        "cp",
        "--abi",
        target.abi,
        "--dest",
        str(out),
    ]


def download(target: Target, out: Path, wheel: Path, extras: Sequence[str]) -> None:
    """pip's own download of the wheel's dependencies, then whatever the target's markers add.

    pip evaluates markers for the machine it runs on (pypa/pip#11664), so a Windows-only
    dependency such as keyring's pywin32-ctypes is fetched here, one round at a time.
    """
    spec = f"{wheel}[{','.join(extras)}]" if extras else str(wheel)
    result = _pip([*_download_arguments(target, out), spec])
    if result.returncode != 0:
        raise _pip_failed(f"pip download for {target.label}", result)
    root = root_requirement(read_wheel(wheel), extras)
    for _round in range(TOP_UP_ROUNDS):
        missing = verify(out, root, target)
        if not missing:
            return
        wanted = [item.requirement for item in missing]
        result = _pip([*_download_arguments(target, out), "--no-deps", *wanted])
        if result.returncode != 0:
            raise _pip_failed(f"pip download for {target.label}", result)


def root_requirement(wheel: Wheel, extras: Sequence[str]) -> Requirement:
    """``fleetreport[extras]==VERSION``: exactly the wheel that was built."""
    chosen = f"[{','.join(extras)}]" if extras else ""
    return Requirement(f"{wheel.name}{chosen}=={wheel.version}")


def pip_resolves(out: Path, root: Requirement, target: Target) -> list[str]:
    """pip's resolver, offline, on ``out`` alone: problems, one line each (empty when it resolves).

    pip judges tags and Requires-Python for the target but markers for this machine, which is
    why ``verify`` exists; every file pip picks must come from the folder.
    """
    with tempfile.TemporaryDirectory() as scratch:
        arguments = [
            "install",
            "--quiet",
            "--dry-run",
            "--ignore-installed",
            "--no-index",
            "--find-links",
            str(out),
            "--only-binary=:all:",
            "--platform",
            target.platform,
            "--python-version",
            target.python,
            "--implementation",
            "cp",
            "--abi",
            target.abi,
            "--target",
            scratch,
            "--report",
            "-",
            str(root),
        ]
        result = _pip(arguments, isolated=True)
    if result.returncode != 0:
        problem = _pip_failed("pip's resolver, offline", result)
        return [f"{target.label}: {problem}"]
    report = json.loads(result.stdout)
    folder = out.resolve().as_uri() + "/"
    return [
        f"{target.label}: pip took {item['metadata']['name']} from {item['download_info']['url']}"
        for item in report["install"]
        if not item["download_info"]["url"].startswith(folder)
    ]


def install_text(wheel: Wheel, platform: str, pythons: Sequence[str], extras: Sequence[str]) -> str:
    """INSTALL.txt: the exact commands that install this wheelhouse on the target machine."""
    chosen = ",".join(extras)
    spec = f'"{wheel.name}[{chosen}]"' if extras else wheel.name
    if platform.startswith("win"):
        python, shell = f"py -{pythons[-1]}", "cmd or PowerShell"
        home, bin_dir = "C:\\fleetreport", "C:\\fleetreport\\venv\\Scripts\\"
        venv, demo = "C:\\fleetreport\\venv", "C:\\fleetreport\\demo"
    else:
        python, shell = f"python{pythons[-1]}", "a shell"
        home, bin_dir = "$HOME/fleetreport", "$HOME/fleetreport/venv/bin/"
        venv, demo = "$HOME/fleetreport/venv", "$HOME/fleetreport/demo"
    built = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        f"fleetreport {wheel.version}: offline install, wheelhouse built {built} for {platform}",
        f"CPython {', '.join(pythons)}; extras: {', '.join(extras) or 'none'}",
        "",
        "Copy this whole folder to the machine, install one of those Pythons (python.org),",
        f"then run in this folder ({shell}):",
        "",
        f"    {python} -m venv {venv}",
        f"    {bin_dir}pip install --no-index --find-links . {spec}",
        f"    {bin_dir}fleetreport --version",
        f"    {bin_dir}fleetreport demo --out {demo}",
        "",
        f"With another of those Pythons, change '{python}' in the first command.",
        f"The demo needs no network and no vCenter: it writes {demo} and prints where.",
        f"Keep the run config and reports under {home}; more in fleetreport's README,",
        "'On a Windows jump host without internet'.",
    ]
    return "\n".join(lines) + "\n"


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 64, as fleetreport's do."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(64, f"{self.prog}: error: {message}\n")


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The command line; defaults are what a consultant's Windows jump host needs."""
    parser = _Parser(
        prog="wheelhouse",
        description="Download fleetreport and every dependency as wheels for one platform, "
        "check that they install offline, and write INSTALL.txt.",
    )
    parser.add_argument(
        "--platform",
        default=DEFAULT_PLATFORM,
        help=f"pip platform tag (default {DEFAULT_PLATFORM}; e.g. macosx_11_0_arm64, "
        "manylinux2014_x86_64)",
    )
    parser.add_argument(
        "--python",
        action="append",
        metavar="X.Y",
        help=f"CPython version, repeatable (default {', '.join(DEFAULT_PYTHONS)})",
    )
    parser.add_argument(
        "--extras",
        default=",".join(DEFAULT_EXTRAS),
        help="fleetreport extras, comma-separated, '' for none "
        f"(default {','.join(DEFAULT_EXTRAS)})",
    )
    parser.add_argument("--out", type=Path, default=Path("wheelhouse"), help="folder to fill")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=CHECKOUT,
        help="fleetreport's source tree (default: here)",
    )
    arguments = parser.parse_args(argv)
    arguments.python = arguments.python or list(DEFAULT_PYTHONS)
    for python in arguments.python:
        if not re.fullmatch(r"3\.\d+", python):
            parser.error(f"--python {python!r}: give a CPython version such as 3.12")
    arguments.extras = [e.strip() for e in arguments.extras.split(",") if e.strip()]
    return arguments


def build(arguments: argparse.Namespace) -> list[str]:
    """Build, download, verify and write INSTALL.txt; the problems found, one line each."""
    targets = [Target(arguments.platform, python) for python in arguments.python]
    targets[0].markers()  # refuses an unknown platform before any download
    out: Path = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    print(f"wheelhouse: building fleetreport's wheel from {arguments.checkout}")
    wheel = read_wheel(build_wheel(arguments.checkout, out))
    unknown = {canonicalize_name(extra) for extra in arguments.extras} - wheel.extras
    if unknown:
        have = ", ".join(sorted(wheel.extras)) or "none"
        raise WheelhouseError(
            f"fleetreport has no extra {', '.join(sorted(unknown))} (has: {have})"
        )
    root = root_requirement(wheel, arguments.extras)
    problems: list[str] = []
    for target in targets:
        print(f"wheelhouse: downloading for {target.label}")
        download(target, out, wheel.path, arguments.extras)
        problems += [str(item) for item in verify(out, root, target)]
        problems += pip_resolves(out, root, target)
    (out / "INSTALL.txt").write_text(
        install_text(wheel, arguments.platform, arguments.python, arguments.extras),
        encoding="utf-8",
        newline="\r\n" if arguments.platform.startswith("win") else "\n",
    )
    count = len(list(out.glob("*.whl")))
    if not problems:
        labels = ", ".join(target.label for target in targets)
        print(f"wheelhouse: {out}: {count} wheels; {root} installs offline on {labels}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when the wheelhouse is complete, 1 with one line per problem, 64 on bad usage."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        problems = build(arguments)
    except WheelhouseError as error:
        print(f"wheelhouse: error: {error}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"wheelhouse: incomplete: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
