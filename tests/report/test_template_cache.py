"""Compiled templates are kept between runs in the user's cache folder: a second run compiles
none, an edited template (a user's included) is compiled afresh, and a folder that cannot be
used means no cache, never an error or a word on stderr."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jinja2
import pytest
from support.fleet_builders import NOW

from fleetreport.health.build import build_report
from fleetreport.health.report_model import HealthReport
from fleetreport.render import template_cache
from fleetreport.render.html import render_html
from fleetreport.render.summary import summarise
from fleetreport.render.template_cache import (
    CACHE_VARIABLE,
    cache_compiled_templates,
    cache_folder,
    platform_cache_folder,
    settings_tag,
)
from fleetreport.render.templating import environment
from fleetreport.snapshot.model import Snapshot


@pytest.fixture
def cache_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The cache folder named by the variable, in the test's own folder."""
    root = tmp_path / "cache"
    monkeypatch.setenv(CACHE_VARIABLE, str(root))
    return root


@pytest.fixture
def report(snapshot: Snapshot) -> HealthReport:
    return build_report(snapshot)


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja2 compiles from here on."""
    names: list[str] = []
    original = jinja2.Environment.compile

    def counting(
        self: jinja2.Environment, source: str, name: str | None = None, filename: str | None = None
    ) -> object:
        names.append(str(name))
        return original(self, source, name, filename)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def cache_files(root: Path) -> list[Path]:
    return sorted((root / "templates").glob("*.cache"))


def user_cover(folder: Path, text: str) -> Path:
    (folder / "report").mkdir(parents=True, exist_ok=True)
    (folder / "report" / "_cover.html").write_text(
        f'<section id="cover" class="cover">{text}</section>', encoding="utf-8"
    )
    return folder


def test_a_second_run_compiles_no_template_and_writes_the_same_page(
    cache_root: Path, report: HealthReport, compiled: list[str]
) -> None:
    first = render_html(report)
    assert "report/report.html" in compiled
    assert len(cache_files(cache_root)) == len(set(compiled))
    compiled.clear()
    assert render_html(report) == first
    assert compiled == []


def test_an_edited_user_template_is_compiled_afresh(
    cache_root: Path, report: HealthReport, tmp_path: Path, compiled: list[str]
) -> None:
    folder = user_cover(tmp_path / "mine", "Cover one")
    assert "Cover one" in render_html(report, user_templates=folder)
    cover = folder / "report" / "_cover.html"
    stamp = cover.stat()
    user_cover(folder, "Cover two")  # same length; and the same time stamp, below
    os.utime(cover, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    compiled.clear()
    page = render_html(report, user_templates=folder)
    assert "Cover two" in page and "Cover one" not in page
    assert compiled == ["report/_cover.html"]


def test_the_text_templates_are_kept_too(
    cache_root: Path, snapshot: Snapshot, compiled: list[str]
) -> None:
    environment.cache_clear()  # the text templates' environment is made once per process
    try:
        text = summarise(snapshot, now=NOW)
        assert compiled == ["summary.txt"]
        environment.cache_clear()
        assert summarise(snapshot, now=NOW) == text
    finally:
        environment.cache_clear()
    assert compiled == ["summary.txt"]
    assert len(cache_files(cache_root)) == 1


def test_a_damaged_cache_file_is_compiled_again(cache_root: Path, report: HealthReport) -> None:
    first = render_html(report)
    for path in cache_files(cache_root):
        path.write_bytes(path.read_bytes()[:40] + b"\x00garbage")
    assert render_html(report) == first
    assert render_html(report) == first


@pytest.mark.parametrize("where", ["a-file/cache", "a-file"])
def test_a_cache_folder_that_cannot_be_made_means_no_cache_and_no_noise(
    where: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    report: HealthReport,
    capfd: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / where))
    assert cache_folder() is None
    assert 'id="inventory"' in render_html(report)
    assert capfd.readouterr() == ("", "")


def test_a_cache_folder_lost_during_the_run_means_no_cache_and_no_noise(
    cache_root: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    loader = jinja2.DictLoader({"page.html": "{{ 6 * 7 }}"})
    env = cache_compiled_templates(jinja2.Environment(loader=loader, autoescape=True))
    assert env.bytecode_cache is not None
    (cache_root / "templates").rmdir()
    (cache_root / "templates").write_text("a file where the folder was", encoding="utf-8")
    assert env.get_template("page.html").render() == "42"  # neither read nor written
    assert capfd.readouterr() == ("", "")


@pytest.mark.posix
def test_a_folder_others_can_write_to_is_not_used(cache_root: Path) -> None:
    folder = cache_root / "templates"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    assert cache_folder() is None
    folder.chmod(0o700)
    assert cache_folder() == folder


@pytest.mark.linux
@pytest.mark.parametrize(
    ("xdg", "expected"),
    [("{home}/xdg", "{home}/xdg/fleetreport"), (None, "{home}/.cache/fleetreport")],
)
def test_the_cache_folder_is_the_xdg_one_on_linux(
    xdg: str | None, expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(CACHE_VARIABLE, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    if xdg is not None:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg.format(home=home))
    assert platform_cache_folder() == Path(expected.format(home=home))
    assert cache_folder() == Path(expected.format(home=home)) / "templates"


def test_the_cache_folder_is_the_systems_own() -> None:
    folder = platform_cache_folder()
    assert folder is not None
    expected = {
        "win32": ("AppData", "Local", "fleetreport", "Cache"),
        "darwin": ("Library", "Caches", "fleetreport"),
    }.get(sys.platform)
    if expected is None:  # Linux and the other Unix systems: the XDG folder
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        assert folder == (Path(xdg) if xdg else Path.home() / ".cache") / "fleetreport"
    else:
        assert folder.parts[-len(expected) :] == expected


def test_no_home_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_VARIABLE, raising=False)
    monkeypatch.setattr(
        template_cache.platformdirs, "user_cache_dir", lambda *_, **__: "~/.cache/fleetreport"
    )
    assert platform_cache_folder() is None
    assert cache_folder() is None


def test_the_variable_takes_the_place_of_the_platforms_folder(
    cache_root: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(template_cache, "platform_cache_folder", lambda: tmp_path / "not-used")
    assert cache_folder() == cache_root / "templates"
    assert (cache_root / "templates").is_dir()
    assert not (tmp_path / "not-used").exists()


def test_environments_that_compile_differently_keep_apart_files() -> None:
    def made(**options: object) -> jinja2.Environment:
        return jinja2.Environment(autoescape=True, **options)  # type: ignore[arg-type]

    def made_html_only() -> jinja2.Environment:
        return jinja2.Environment(autoescape=jinja2.select_autoescape(["html"]))

    plain = settings_tag(made())
    assert settings_tag(made()) == plain
    assert settings_tag(made(trim_blocks=True)) != plain
    assert settings_tag(made_html_only()) != plain
    with_filter = made()
    with_filter.filters["extra"] = str
    assert settings_tag(with_filter) != plain
