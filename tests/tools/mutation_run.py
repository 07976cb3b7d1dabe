"""Mutation testing of the collectors, the health model and the snapshot codec, with mutmut.

Not part of CI: a whole run takes hours on two cores. docs/mutation-testing.md says how it was
run, what it found and what was decided about every surviving mutant.

    python tests/tools/mutation_run.py run --sample 600 --seed 19   # a stratified sample
    python tests/tools/mutation_run.py run                          # every mutant
    python tests/tools/mutation_run.py report                       # kill rates, survivors

mutmut 3 copies the tree to ``mutants/``, wraps every function of the mutated packages in a
trampoline, runs the suite once to learn which tests reach which function, then forks one worker
per mutant that runs only those tests, fastest first, stopping at the first failure. The
configuration is ``[tool.mutmut]`` in pyproject.toml. mutmut forks, so this runs on Linux and
macOS only; results stay in ``mutants/`` between runs and an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MUTANTS = REPO_ROOT / "mutants"
RECHECKS = MUTANTS / "rechecks.json"
PACKAGES = ("collect", "health", "snapshot")
MUTMUT_VERSION = "3.8.1"

# mutmut's exit-code vocabulary (mutmut.stats.status_by_exit_code), folded into what a reader needs.
STATUS_BY_EXIT_CODE: dict[int | None, str] = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    36: "timeout",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "killed",  # caught by the type checker, which CI runs
    None: "not run",
}


@dataclass(frozen=True)
class MutantResult:
    name: str
    package: str
    module: str
    status: str


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="generate the mutants and run them")
    run.add_argument("--sample", type=int, metavar="N", help="run N mutants per package")
    run.add_argument("--seed", type=int, default=19, help="seed of the sample (default 19)")
    run.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    recheck = commands.add_parser(
        "recheck", help="run each survivor against every test in its covering tests' files"
    )
    recheck.add_argument("names", nargs="*", help="these survivors only (default: all)")
    report = commands.add_parser("report", help="kill rates per package and the survivors")
    report.add_argument("--diffs", action="store_true", help="print each survivor's diff")
    args = parser.parse_args(argv)

    if args.command == "run":
        return run_mutants(args.sample, args.seed, args.max_children)
    if args.command == "recheck":
        return recheck_survivors(args.names)
    return print_report(load_results(), diffs=args.diffs)


def run_mutants(sample: int | None, seed: int, max_children: int) -> int:
    if os.name != "posix":
        print("error: mutmut forks its workers; run this on Linux or macOS", file=sys.stderr)
        return 2
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print(
            f"error: mutmut is not installed; hint: pip install mutmut=={MUTMUT_VERSION}",
            file=sys.stderr,
        )
        return 2
    environment = mutation_environment()
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    if sample is not None:
        if not any(MUTANTS.rglob("*.py.meta")):
            generate_mutants(environment)
        results = load_results()
        names = sampled_names(results, sample, seed)
        done = {r.name for r in results if r.status != "not run"}
        # mutmut runs a named mutant again even when it has a result: name only the rest, so an
        # interrupted run resumes where it stopped.
        waiting = [name for name in names if name not in done]
        print(
            f"{len(names)} sampled mutants (seed {seed}), {len(waiting)} not run yet",
            file=sys.stderr,
        )
        if not waiting:
            return 0
        command += waiting
    return subprocess.run(command, cwd=REPO_ROOT, env=environment, check=False).returncode


def mutation_environment(**extra: str) -> dict[str, str]:
    """This process's environment, with the simulator binary that tests/run_all.sh built (not a
    second build inside mutants/)."""
    environment = {**os.environ, **extra}
    environment.setdefault("FLEETREPORT_CACHE_DIR", str(REPO_ROOT / ".cache"))
    return environment


def sampled_names(results: list[MutantResult], per_package: int, seed: int) -> list[str]:
    """A uniform sample of each package's mutants, the same for the same seed and source.

    Each package's mutants are shuffled once by the seed and the first N taken, so a larger
    sample holds a smaller one and extending a sample reruns nothing.
    """
    by_package: dict[str, list[str]] = {package: [] for package in PACKAGES}
    for result in results:
        by_package[result.package].append(result.name)
    chosen: list[str] = []
    for package in PACKAGES:
        names = sorted(by_package[package])
        random.Random(f"{seed}:{package}").shuffle(names)
        chosen += names[:per_package]
    return chosen


def generate_mutants(environment: dict[str, str]) -> None:
    """mutmut's own first step (copy the tree, write the mutants) without running any test."""
    script = (
        "import os\n"
        "from mutmut.__main__ import copy_src_dir, copy_also_copy_files, setup_source_paths,"
        " create_mutants\n"
        "from mutmut.mutation.trampoline import set_mutant_under_test\n"
        "set_mutant_under_test('mutant_generation')\n"
        "os.makedirs('mutants', exist_ok=True)\n"
        "copy_src_dir(); copy_also_copy_files(); setup_source_paths()\n"
        "create_mutants(os.cpu_count() or 2)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=environment, check=True)


def recheck_survivors(names: list[str]) -> int:
    """Run each survivor again against every test in the files of the tests that reached it.

    mutmut's first pass credits a function to the tests during which it ran. Work done once for
    many tests (a module-scoped fixture that collects a whole pod, a cache) is credited to the
    first of them only, so a mutant in that work meets one test, perhaps one that does not look
    at what the mutant broke. Whole files give it every test that shares the fixture. The run's
    own pytest options and left-out tests apply (``[tool.mutmut]``), so a test the run leaves
    out as a race cannot kill a mutant here; the test that did is recorded beside it.
    """
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text("utf-8"))
    tests_by_function: dict[str, list[str]] = stats["tests_by_mangled_function_name"]
    settings = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    left_out = [arg for arg in settings["pytest_add_cli_args_test_selection"] if arg != "tests"]
    rechecked = load_rechecks()
    survivors = [r.name for r in load_results() if r.status == "survived"]
    for name in names or survivors:
        if name in rechecked:
            continue
        files = sorted({test.split("::")[0] for test in tests_by_function[function_of(name)]})
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-rf"]
        command += [*settings["pytest_add_cli_args"], *left_out, *files]
        outcome = subprocess.run(
            command,
            cwd=MUTANTS,
            env=mutation_environment(MUTANT_UNDER_TEST=name),
            capture_output=True,
            text=True,
            check=False,
        )
        rechecked[name] = None if outcome.returncode == 0 else killer(outcome)
        verdict = f"killed by {rechecked[name]}" if rechecked[name] else "survived"
        print(f"{name}: {verdict} ({len(files)} files)", file=sys.stderr)
        RECHECKS.write_text(json.dumps(rechecked, indent=1, sort_keys=True), "utf-8")
    return 0


def killer(outcome: subprocess.CompletedProcess[str]) -> str:
    """The test whose failure killed the mutant, with pytest's reason (a parameter id may hold
    " - " too, so the line is kept whole), or pytest's exit code when none failed."""
    for line in outcome.stdout.splitlines():
        if line.startswith("FAILED "):
            return line.removeprefix("FAILED ")[:300]
    return f"pytest exit code {outcome.returncode}"


def function_of(mutant_name: str) -> str:
    """mutmut's key for the function a mutant belongs to."""
    from mutmut.utils.format_utils import mangled_name_from_mutant_name

    return mangled_name_from_mutant_name(mutant_name.replace("__init__.", ""))


def load_rechecks() -> dict[str, str | None]:
    """Each rechecked survivor with the test that killed it (None: it survived again)."""
    if not RECHECKS.exists():
        return {}
    loaded: dict[str, str | None] = json.loads(RECHECKS.read_text("utf-8"))
    return loaded


def load_results() -> list[MutantResult]:
    results: list[MutantResult] = []
    rechecks = load_rechecks()
    for meta in sorted((MUTANTS / "fleetreport").rglob("*.py.meta")):
        relative = meta.relative_to(MUTANTS / "fleetreport")
        package = relative.parts[0]
        if package not in PACKAGES:
            continue
        module = str(relative.with_suffix("").with_suffix(""))
        exit_codes: dict[str, int | None] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        for name, code in exit_codes.items():
            status = STATUS_BY_EXIT_CODE.get(code, "suspicious")
            if status == "survived" and rechecks.get(name):
                status = "killed on recheck"
            results.append(MutantResult(name, package, module, status))
    return results


def print_report(results: list[MutantResult], *, diffs: bool) -> int:
    if not results:
        print("error: no results in mutants/; hint: run this script's `run` first", file=sys.stderr)
        return 2
    print(
        "| package | mutants | run | killed | killed on recheck | survived | timeout | no tests"
        " | kill rate |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for package in PACKAGES:
        print(table_row(package, [r for r in results if r.package == package]))
    print(table_row("all three", results))
    rechecks = load_rechecks()
    for result in results:
        if result.status == "killed on recheck":
            print(f"\n{result.name} killed on recheck by {rechecks[result.name]}")
    survivors = [r for r in results if r.status in {"survived", "no tests", "suspicious"}]
    print(f"\n{len(survivors)} mutants not killed:")
    for module, names in grouped(survivors):
        print(f"\n## {module}")
        for name in names:
            print(f"- {name}")
            if diffs:
                print(indented(diff_of(name)))
    return 0


def table_row(label: str, results: list[MutantResult]) -> str:
    counts = Counter(r.status for r in results)
    ran = len(results) - counts["not run"]
    # A timeout is a kill: the mutant made the covering tests hang, which CI would not pass.
    killed = counts["killed"] + counts["killed on recheck"] + counts["timeout"]
    rate = f"{100 * killed / ran:.1f}%" if ran else "-"
    return (
        f"| {label} | {len(results)} | {ran} | {counts['killed']} | {counts['killed on recheck']}"
        f" | {counts['survived']} | {counts['timeout']} | {counts['no tests']} | {rate} |"
    )


def grouped(results: Iterable[MutantResult]) -> Iterator[tuple[str, list[str]]]:
    by_module: dict[str, list[str]] = {}
    for result in results:
        by_module.setdefault(result.module, []).append(result.name)
    for module in sorted(by_module):
        yield module, sorted(by_module[module])


def diff_of(name: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    cwd = Path.cwd()
    os.chdir(REPO_ROOT)
    try:
        return get_diff_for_mutant(name)
    finally:
        os.chdir(cwd)


def indented(text: str) -> str:
    return "\n".join("      " + line for line in text.splitlines()[2:])


if __name__ == "__main__":
    sys.exit(main())
