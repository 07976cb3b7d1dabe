"""``scripts/wheelhouse.py``: an offline wheelhouse for a Windows jump host, checked complete.

The verifier is tested on hand-made folders of empty wheels (a file name and METADATA); the
slow test builds the real win_amd64 wheelhouse for CPython 3.11-3.13 from PyPI on this machine.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from support.paths import REPO

from fleetreport import __version__

SCRIPT = REPO / "scripts" / "wheelhouse.py"


def _load_script() -> ModuleType:
    """The script as a module (``scripts`` is not a package)."""
    spec = importlib.util.spec_from_file_location("wheelhouse_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


wheelhouse = _load_script()
WINDOWS_312 = wheelhouse.Target("win_amd64", "3.12")
WINDOWS_311 = wheelhouse.Target("win_amd64", "3.11")


def make_wheel(
    folder: Path,
    filename: str,
    requires: Sequence[str] = (),
    *,
    extras: Sequence[str] = (),
    requires_python: str | None = None,
) -> Path:
    """An empty wheel: the name says project, version and tags; METADATA says what it needs."""
    name, version, _build, tags = parse_wheel_filename(filename)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Python: {requires_python}"] if requires_python else []
    lines += [f"Provides-Extra: {extra}" for extra in extras]
    lines += [f"Requires-Dist: {requirement}" for requirement in requires]
    info = f"{filename.split('-')[0]}-{version}.dist-info"
    wheel = ["Wheel-Version: 1.0", "Generator: test", "Root-Is-Purelib: true"]
    wheel += [f"Tag: {tag}" for tag in sorted(str(tag) for tag in tags)]
    path = folder / filename
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{info}/METADATA", "\n".join(lines) + "\n")
        archive.writestr(f"{info}/WHEEL", "\n".join(wheel) + "\n")
        archive.writestr(f"{info}/RECORD", "")
    return path


def app_folder(folder: Path) -> Path:
    """An app whose dependencies cover every case the verifier must tell apart."""
    folder.mkdir(exist_ok=True)
    make_wheel(
        folder,
        "app-1.0-py3-none-any.whl",
        [
            "plain>=1",
            "native",
            "stable-abi",
            'win-only; sys_platform == "win32"',
            'posix-only; os_name != "nt"',
            'old-python-only; python_version < "3.12"',
            'for-report; extra == "report"',
            'for-other; extra == "other"',
            "linux-built",
        ],
        extras=["report", "other"],
    )
    make_wheel(folder, "plain-1.2-py3-none-any.whl", ["pinned<2"])
    make_wheel(folder, "pinned-2.0-py3-none-any.whl")
    make_wheel(folder, "native-3.0-cp312-cp312-win_amd64.whl")
    make_wheel(folder, "native-3.0-cp311-cp311-win_amd64.whl")
    make_wheel(folder, "stable_abi-4.0-cp311-abi3-win_amd64.whl")
    make_wheel(folder, "linux_built-1.0-cp312-cp312-manylinux2014_x86_64.whl")
    return folder


def missing_set(found: Sequence[Any]) -> set[tuple[str, tuple[str, ...], str]]:
    """The verifier's answer as (requirement, required by, reason) triples."""
    return {(m.requirement, m.required_by, m.reason) for m in found}


def test_verifier_names_missing_wrong_platform_and_wrong_version_and_skips_excluded_markers(
    tmp_path: Path,
) -> None:
    folder = app_folder(tmp_path)
    found = wheelhouse.verify(folder, Requirement("app[report]==1.0"), WINDOWS_312)
    assert missing_set(found) == {
        ("for-report", ("app 1.0",), "no wheel of it in the folder"),
        (
            "linux-built",
            ("app 1.0",),
            "only wheels for other platforms or Pythons: "
            "linux_built-1.0-cp312-cp312-manylinux2014_x86_64.whl",
        ),
        ("pinned<2", ("plain 1.2",), "only versions 2.0 in the folder"),
        ("win-only", ("app 1.0",), "no wheel of it in the folder"),
    }
    assert (
        str(found[-1])
        == "cp312-win_amd64: win-only (required by app 1.0): no wheel of it in the folder"
    )


def test_verifier_evaluates_python_version_markers_per_target(tmp_path: Path) -> None:
    folder = app_folder(tmp_path)
    found = wheelhouse.verify(folder, Requirement("app==1.0"), WINDOWS_311)
    assert {m.requirement for m in found} == {
        "linux-built",
        "old-python-only",
        "pinned<2",
        "win-only",
    }


def test_verifier_passes_a_complete_folder_and_pip_agrees_offline(tmp_path: Path) -> None:
    folder = app_folder(tmp_path / "complete")
    make_wheel(folder, "pinned-1.9-py3-none-any.whl")
    make_wheel(folder, "win_only-1.0-py3-none-any.whl")
    make_wheel(folder, "linux_built-1.0-cp312-cp312-win_amd64.whl")
    # pip judges markers for the Python and system it runs on (pypa/pip#11664), so on this
    # machine it also wants what the target's markers exclude
    make_wheel(folder, "posix_only-1.0-py3-none-any.whl")
    make_wheel(folder, "old_python_only-1.0-py3-none-any.whl")
    root = Requirement("app==1.0")
    assert wheelhouse.verify(folder, root, WINDOWS_312) == []
    assert wheelhouse.pip_resolves(folder, root, WINDOWS_312) == []


def test_pip_check_uses_the_folder_alone_not_the_machines_pip_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "house"
    folder.mkdir()
    make_wheel(folder, "app-1.0-py3-none-any.whl", ["elsewhere"])
    other = tmp_path / "other"
    other.mkdir()
    make_wheel(other, "elsewhere-1.0-py3-none-any.whl")
    monkeypatch.setenv("PIP_FIND_LINKS", str(other))
    (problem,) = wheelhouse.pip_resolves(folder, Requirement("app==1.0"), WINDOWS_312)
    assert problem.startswith("cp312-win_amd64: pip's resolver, offline: ERROR: ")
    assert "elsewhere" in problem


def test_platform_tags_and_markers_follow_pip_for_mac_and_linux() -> None:
    mac = wheelhouse.Target("macosx_11_0_arm64", "3.13")
    assert mac.markers()["sys_platform"] == "darwin"
    assert mac.markers()["platform_machine"] == "arm64"
    assert "cp313-cp313-macosx_10_13_universal2" in {str(t) for t in mac.supported_tags()}
    linux = wheelhouse.Target("manylinux2014_x86_64", "3.11")
    linux_tags = {str(t) for t in linux.supported_tags()}
    assert {"cp311-cp311-manylinux1_x86_64", "cp311-abi3-manylinux_2_17_x86_64"} <= linux_tags
    assert "cp311-cp311-manylinux_2_28_x86_64" not in linux_tags
    assert linux.markers()["platform_system"] == "Linux"
    with pytest.raises(wheelhouse.WheelhouseError, match="unknown platform 'win_x64'"):
        wheelhouse.Target("win_x64", "3.12").markers()


def test_bad_python_version_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        wheelhouse.main(["--python", "12"])
    assert stopped.value.code == 64
    assert "--python '12': give a CPython version such as 3.12" in capsys.readouterr().err


def _pypi_reachable(scratch: Path) -> str | None:
    """None when pip can download a win_amd64 wheel; else pip's last line, to skip with."""
    download = ["download", "--no-deps", "--only-binary=:all:", "--platform", "win_amd64"]
    target = ["--python-version", "3.12", "--implementation", "cp", "--abi", "cp312"]
    probe = subprocess.run(
        [sys.executable, "-m", "pip", *download, *target, "--dest", str(scratch), "markupsafe"],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = probe.stderr.strip().splitlines() or [f"exit code {probe.returncode}"]
    return None if probe.returncode == 0 else lines[-1]


def _declared_projects(extras: Sequence[str]) -> set[str]:
    """fleetreport's dependencies and those of ``extras``, as pyproject.toml declares them."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in extras:
        declared += project["optional-dependencies"][extra]
    return {canonicalize_name(Requirement(line).name) for line in declared}


@pytest.mark.slow
def test_windows_wheelhouse_for_three_pythons_resolves_completely(tmp_path: Path) -> None:
    unreachable = _pypi_reachable(tmp_path / "probe")
    if unreachable is not None:
        pytest.skip(f"PyPI unreachable, a win_amd64 download failed: {unreachable}")
    out = tmp_path / "wheelhouse"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1].endswith(
        f"fleetreport[keyring,xlsx]=={__version__} installs offline on "
        "cp311-win_amd64, cp312-win_amd64, cp313-win_amd64"
    )
    wheels = {parse_wheel_filename(path.name) for path in out.glob("*.whl")}
    names = {name for name, _version, _build, _tags in wheels}
    assert _declared_projects(["xlsx", "keyring"]) | {"fleetreport", "pywin32-ctypes"} <= names
    native = {str(tag) for name, _v, _b, tags in wheels if name == "markupsafe" for tag in tags}
    assert native == {"cp311-cp311-win_amd64", "cp312-cp312-win_amd64", "cp313-cp313-win_amd64"}
    root = Requirement(f"fleetreport[xlsx,keyring]=={__version__}")
    for python in ("3.11", "3.12", "3.13"):
        assert wheelhouse.verify(out, root, wheelhouse.Target("win_amd64", python)) == []
    install = (out / "INSTALL.txt").read_bytes().decode("utf-8")
    assert "    py -3.13 -m venv C:\\fleetreport\\venv\r\n" in install
    assert (
        "    C:\\fleetreport\\venv\\Scripts\\pip install --no-index --find-links . "
        '"fleetreport[xlsx,keyring]"\r\n'
    ) in install
