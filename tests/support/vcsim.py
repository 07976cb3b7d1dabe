"""Build and run fleetreport's vCenter simulator (``tests/vcsim``) from tests.

``build_vcsim()`` compiles the Go program against Debian's govmomi (GOPATH mode) into a cache
directory, once per content hash of its sources; ``start_vcsim(scenario)`` starts it on a random
loopback port and returns a :class:`VcsimServer` once it is serving (use it as a context
manager, or call ``stop()``). See ``tests/vcsim/README.md`` for the scenario format and manifest.

Failing to build is an error (:class:`VcsimError`), never a skip: a missing Go toolchain or
govmomi package must fail the test run, not silently drop the simulator tests.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
VCSIM_SOURCE = REPO_ROOT / "tests" / "vcsim"
SCENARIO_DIR = VCSIM_SOURCE / "scenarios"

DEFAULT_USERNAME = "fleetreport@vsphere.local"
DEFAULT_PASSWORD = "fleetreport-test-password"  # a test-only credential
DEFAULT_GOPATH = "/usr/share/gocode"
GOVMOMI_IMPORT_PATH = "github.com/vmware/govmomi"
START_TIMEOUT = 60.0
_BUILD_TIMEOUT = 900.0
_KEEP_BINARIES = 3


class VcsimError(RuntimeError):
    """The simulator could not be built or started."""


# --------------------------------------------------------------------------------------------
# Building


def cache_dir() -> Path:
    """``$FLEETREPORT_CACHE_DIR``, or ``<repo>/.cache``."""
    configured = os.environ.get("FLEETREPORT_CACHE_DIR")
    return Path(configured) if configured else REPO_ROOT / ".cache"


def _gopath() -> str:
    return os.environ.get("FLEETREPORT_VCSIM_GOPATH", DEFAULT_GOPATH)


def _go_binary() -> str:
    configured = os.environ.get("FLEETREPORT_GO")
    found = configured or shutil.which("go")
    if not found or not Path(found).exists():
        raise VcsimError(
            "cannot build the vCenter simulator: the Go toolchain ('go') is not on PATH. "
            "Install Debian's golang-go (apt-get install golang-go "
            "golang-github-vmware-govmomi-dev), or point FLEETREPORT_GO at a go binary."
        )
    return found


def _stamp(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _source_key(go: str, gopath: str) -> str:
    """Hash of everything the binary depends on: our .go files, the toolchain, govmomi."""
    digest = hashlib.sha256()
    for source in sorted(VCSIM_SOURCE.glob("*.go")):
        digest.update(source.name.encode())
        digest.update(b"\0")
        digest.update(source.read_bytes())
        digest.update(b"\0")
    digest.update(_stamp(Path(os.path.realpath(go))).encode())
    digest.update(gopath.encode())
    simulator_dir = Path(gopath) / "src" / GOVMOMI_IMPORT_PATH / "simulator"
    for source in sorted(simulator_dir.glob("*.go")):
        digest.update(_stamp(source).encode())
    return digest.hexdigest()


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl  # the simulator is built on Linux only; importing this module must not need it

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_vcsim(*, force: bool = False) -> Path:
    """Build the simulator (if its sources changed) and return the binary's path.

    Raises :class:`VcsimError`, with the compiler's output, when Go or govmomi is missing or
    the build fails.
    """
    go = _go_binary()
    gopath = _gopath()
    govmomi = Path(gopath) / "src" / GOVMOMI_IMPORT_PATH
    if not (govmomi / "simulator").is_dir():
        raise VcsimError(
            f"cannot build the vCenter simulator: govmomi is not at {govmomi}. Install Debian's "
            "golang-github-vmware-govmomi-dev, or set FLEETREPORT_VCSIM_GOPATH to a GOPATH "
            "holding github.com/vmware/govmomi."
        )
    key = _source_key(go, gopath)[:20]
    out_dir = cache_dir() / "vcsim"
    binary = out_dir / f"vcsim-{key}"
    if binary.is_file() and not force:
        return binary
    with _file_lock(out_dir / ".build.lock"):
        if binary.is_file() and not force:
            return binary  # built by a concurrent test process while we waited
        tmp = out_dir / f".vcsim-{key}.{os.getpid()}.tmp"
        env = dict(os.environ)
        env.update(
            GO111MODULE="off",
            GOPATH=gopath,
            GOCACHE=str(cache_dir() / "go-build"),
            GOFLAGS="",
            CGO_ENABLED="0",
        )
        command = [go, "build", "-o", str(tmp), "."]
        try:
            proc = subprocess.run(
                command,
                cwd=VCSIM_SOURCE,
                env=env,
                capture_output=True,
                text=True,
                timeout=_BUILD_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise VcsimError(f"building the vCenter simulator failed: {error}") from error
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise VcsimError(
                "building the vCenter simulator failed "
                f"(exit {proc.returncode}; `{' '.join(command)}` in {VCSIM_SOURCE}, "
                f"GO111MODULE=off GOPATH={gopath}):\n{proc.stdout}{proc.stderr}"
            )
        os.replace(tmp, binary)
        _prune_old_binaries(out_dir, keep=binary)
    return binary


def _prune_old_binaries(out_dir: Path, keep: Path) -> None:
    old = sorted(
        (p for p in out_dir.glob("vcsim-*") if p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for stale in old[_KEEP_BINARIES - 1 :]:
        with contextlib.suppress(OSError):
            stale.unlink()


# --------------------------------------------------------------------------------------------
# Running


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped in ``tests/vcsim/scenarios``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))


def scenario_path(scenario: Path | str) -> Path:
    """Resolve a scenario: an existing path, or a shipped scenario's name ("basic")."""
    candidate = Path(scenario)
    if candidate.is_file():
        return candidate.resolve()
    name = str(scenario)
    if "/" not in name and os.sep not in name:
        shipped = SCENARIO_DIR / (name if name.endswith(".json") else f"{name}.json")
        if shipped.is_file():
            return shipped
    raise FileNotFoundError(
        f"no scenario {scenario!r}: not a file, and not one of {available_scenarios()}"
    )


def load_scenario(scenario: Path | str) -> dict[str, Any]:
    """The parsed JSON of a scenario file or shipped scenario name."""
    with open(scenario_path(scenario), encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def bulk_scenario(vms: int) -> dict[str, Any]:
    """The shipped ``bulk`` scenario with its VM groups scaled to ``vms`` VMs in all (the
    benchmarks' estates of 1,000 to 30,000 VMs)."""
    data = load_scenario(scenario_path("bulk"))
    groups = data["bulk"]
    total = sum(g["count"] for g in groups)
    counts = [max(1, g["count"] * vms // total) for g in groups]
    counts[0] += vms - sum(counts)
    for group, count in zip(groups, counts, strict=True):
        group["count"] = count
    return data


def _end_process(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is None and process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()  # -exit-on-stdin-eof: a clean shutdown
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()


def _datastore_dir() -> Path:
    """Where the simulator keeps its datastores' files (one directory and 3 files per VM).

    tmpfs when there is one: on an overlay or network file system creating 10,000 VMs' files
    takes 2-4 times as long. ``$FLEETREPORT_VCSIM_DATASTORE_DIR`` overrides the parent folder.
    """
    configured = os.environ.get("FLEETREPORT_VCSIM_DATASTORE_DIR")
    candidates = [Path(configured)] if configured else [Path("/dev/shm")]
    for parent in candidates:
        if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
            with contextlib.suppress(OSError):
                return Path(tempfile.mkdtemp(prefix="fleetreport-vcsim-ds-", dir=parent))
    return Path(tempfile.mkdtemp(prefix="fleetreport-vcsim-ds-"))


def _cleanup(process: subprocess.Popen[bytes], *dirs: Path) -> None:
    _end_process(process, timeout=5)
    for directory in dirs:
        shutil.rmtree(directory, ignore_errors=True)


@dataclass(eq=False)
class VcsimServer:
    """A running simulator. Stop it with ``stop()``, or use it as a context manager."""

    url: str
    host: str
    port: int
    ca_file: Path | None
    username: str
    password: str = field(repr=False)
    instance_uuid: str
    manifest: dict[str, Any] = field(repr=False)
    scenario: dict[str, Any] = field(repr=False)
    scenario_path: Path = field(repr=False)
    process: subprocess.Popen[bytes] = field(repr=False)
    workdir: Path = field(repr=False)
    log_path: Path = field(repr=False)
    datastore_dir: Path = field(repr=False)
    _finalizer: weakref.finalize = field(init=False, repr=False)  # type: ignore[type-arg]

    def __post_init__(self) -> None:
        self._finalizer = weakref.finalize(
            self, _cleanup, self.process, self.workdir, self.datastore_dir
        )

    # lifecycle ---------------------------------------------------------------------------

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the simulator down (idempotent) and remove its working directory."""
        if self._finalizer.alive:
            self._finalizer.detach()
            _end_process(self.process, timeout)
            shutil.rmtree(self.workdir, ignore_errors=True)
            shutil.rmtree(self.datastore_dir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    @property
    def pid(self) -> int:
        return self.process.pid

    def __enter__(self) -> VcsimServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # helpers -----------------------------------------------------------------------------

    def log(self) -> str:
        """What the simulator wrote to stdout/stderr so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this simulator's CA."""
        if self.ca_file is None:
            raise VcsimError("this simulator was started with tls=False")
        return ssl.create_default_context(cafile=self.ca_file)

    def vm_moid(self, name: str) -> str:
        """The moid of the (first) VM with this name."""
        moid: str = self.manifest["vms"][name]
        return moid

    def connect(self, **kwargs: Any) -> Any:
        """``pyVim.connect.SmartConnect`` to this simulator (verified TLS); returns the SI."""
        from pyVim.connect import SmartConnect  # pyVmomi only when needed

        options: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.username,
            "pwd": self.password,
        }
        if self.ca_file is not None:
            options["sslContext"] = self.ssl_context()
        else:
            options["protocol"] = "http"
        options.update(kwargs)
        return SmartConnect(**options)


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    data: dict[str, Any] = json.loads(text)  # written atomically: complete when present
    return data


def _tail(text: str, limit: int = 8000) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]


def start_vcsim(
    scenario: Path | str | Mapping[str, Any],
    *,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    delay_ms: int = 0,
    page_size: int = 0,
    tls: bool = True,
    method_delays: Mapping[str, int] | None = None,
    session_idle_timeout: float | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = START_TIMEOUT,
) -> VcsimServer:
    """Start the simulator on ``scenario`` and return once it serves.

    ``scenario`` is a path, the name of a shipped scenario ("basic", "bulk"), or a mapping
    (written to a file for the simulator). ``delay_ms`` delays every SOAP call;
    ``page_size`` caps every RetrievePropertiesEx page (as well as ``maxObjects``);
    ``method_delays`` adds per-method delays; ``session_idle_timeout`` (seconds) expires idle
    sessions. Raises :class:`VcsimError` (with the simulator's output) if it does not start
    within ``timeout`` seconds.
    """
    binary = build_vcsim()
    workdir = Path(tempfile.mkdtemp(prefix="fleetreport-vcsim-"))
    try:
        if isinstance(scenario, Mapping):
            path = workdir / "scenario.json"
            path.write_text(json.dumps(scenario, ensure_ascii=False, indent=1), encoding="utf-8")
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            path = scenario_path(scenario)
            data = load_scenario(path)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise

    datastore_dir = _datastore_dir()
    manifest_path = workdir / "manifest.json"
    log_path = workdir / "vcsim.log"
    command = [
        str(binary),
        "-scenario", str(path),
        "-manifest", str(manifest_path),
        "-cert-dir", str(workdir),
        "-datastore-dir", str(datastore_dir),
        "-remove-datastore-dir",  # even if this process dies (stdin EOF ends the simulator)
        "-username", username,
        "-password", password,
        "-delay-ms", str(int(delay_ms)),
        "-page-size", str(int(page_size)),
        "-exit-on-stdin-eof",
    ]  # fmt: skip
    if not tls:
        command.append("-no-tls")
    for method, millis in (method_delays or {}).items():
        command += ["-method-delay", f"{method}={int(millis)}"]
    if session_idle_timeout is not None:
        command += ["-session-idle-timeout", f"{float(session_idle_timeout)}s"]
    command += list(extra_args)

    try:
        with open(log_path, "wb") as log:
            # stdout/stderr go to a file, never a pipe nobody drains (a full pipe would hang it)
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=workdir
            )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(datastore_dir, ignore_errors=True)
        raise
    deadline = time.monotonic() + timeout
    pause = 0.002
    manifest: dict[str, Any] | None = None
    try:
        while True:
            manifest = _read_manifest(manifest_path)
            if manifest is not None:
                break
            if process.poll() is not None:
                log_text = log_path.read_text(encoding="utf-8", errors="replace")
                raise VcsimError(
                    f"the vCenter simulator exited with status {process.returncode} before "
                    f"serving ({path}):\n{_tail(log_text)}"
                )
            if time.monotonic() > deadline:
                log_text = log_path.read_text(encoding="utf-8", errors="replace")
                raise VcsimError(
                    f"the vCenter simulator did not start within {timeout:.0f}s ({path}):\n"
                    f"{_tail(log_text)}"
                )
            time.sleep(pause)
            pause = min(pause * 1.5, 0.05)
    except BaseException:
        _cleanup(process, workdir, datastore_dir)
        raise

    parts = urlsplit(manifest["url"])
    return VcsimServer(
        url=manifest["url"],
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (443 if parts.scheme == "https" else 80),
        ca_file=Path(manifest["ca_file"]) if manifest.get("ca_file") else None,
        username=username,
        password=password,
        instance_uuid=manifest["instance_uuid"],
        manifest=manifest,
        scenario=data,
        scenario_path=path,
        process=process,
        workdir=workdir,
        log_path=log_path,
        datastore_dir=datastore_dir,
    )
