"""`make test` against the suite as it was when issue 19 was filed, on the same tests, in one run.

Issue 19 asked for `make test` in half of "today's" time: about 13 minutes for 1,594 tests,
measured on a busy 2-core machine. A figure taken on another day says little on a machine
whose speed moves by tens of percent from day to day (the suite as it was before the issue's
work began took 466 s serially here on 6 December and 319 s the next morning), so this bench
measures both sides back to back, in one run:

1. The baseline commit (by default 68c0bec, the last commit before the issue was filed, whose
   suite has 1,596 tests) is checked out in a temporary git worktree and installed by its own
   Makefile (`make install`: its virtualenv, its dependencies).
2. The tests of the baseline that the working tree still has are listed: the same node id, or
   the same test (name and parameters) moved to another module of the same app. Tests that later
   issues renamed or replaced are left out of both sides and counted.
3. Those tests run the way the baseline's Makefile ran them (`pytest`, one process, the
   migrations run for the test database), then under today's `make test` (workers, shared
   rows, models-built test databases), alternating ``--repeat`` times. A small pytest plugin
   written to the work directory keeps only the listed ids on each side.
4. With ``--full``, each whole suite too, once: the baseline's `pytest` and today's `make test`.

Prints every run's time (pytest's own, in the order run) and the ratio today ÷ baseline on the
same tests for each pair; exits 1 when a pair's ratio is above ``--max-ratio`` (0.5: "halved")
or a run fails.

    .venv/bin/python bench/suite_bench.py [--baseline 68c0bec] [--repeat 2] [--full] [--keep DIR]

Needs git history (a clone, not an archive) and the package index for the baseline's install
(about a minute); runs on SQLite like `make test`. ``--keep DIR`` keeps (and on the next run
reuses) the baseline's worktree and virtualenv in DIR. On two cores: about a minute to install
the baseline, 4 to 5 minutes per pair, 7 more with ``--full``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "68c0bec"

# Keeps only the node ids listed in the file named by $SUITE_BENCH_IDS (as `pytest --co -q`
# prints them: non-ASCII escaped).
PLUGIN = """
import os


def _shown(nodeid):
    return nodeid.encode("ascii", "backslashreplace").decode()


def pytest_collection_modifyitems(config, items):
    path = os.environ.get("SUITE_BENCH_IDS")
    if not path:
        return
    with open(path, encoding="utf-8") as ids:
        wanted = {line for line in ids.read().splitlines() if line}
    kept = [item for item in items if _shown(item.nodeid) in wanted]
    config.hook.pytest_deselected(items=[item for item in items if _shown(item.nodeid) not in wanted])
    items[:] = kept
"""

SUMMARY = re.compile(r"(\d+) passed.* in ([\d.]+)s")


def environment(**extra: str) -> dict[str, str]:
    """The caller's environment on SQLite (as `make test` runs), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(extra)
    return env


def run(command: list[str], cwd: Path, env: dict[str, str], what: str) -> tuple[int, float]:
    """Run a pytest command; (tests passed, pytest's own seconds). Stops the bench on a failure."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    lines = (done.stdout + done.stderr).strip().splitlines()
    summary = next((line for line in reversed(lines) if SUMMARY.search(line)), "")
    if done.returncode != 0 or not summary or "failed" in summary or "error" in summary:
        tail = "\n".join(lines[-30:])
        sys.exit(f"{what}: pytest exited {done.returncode}\n{tail}")
    passed, seconds = SUMMARY.search(summary).groups()
    return int(passed), float(seconds)


def collect(pytest: Path, cwd: Path) -> list[str]:
    done = subprocess.run(
        [str(pytest), "--co", "-q", "-p", "no:cacheprovider"],
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if "::" in line]


def app_of(nodeid: str) -> str:
    """``parindex/remediation`` for ``parindex/remediation/tests/test_views.py::…``; ``tests/browser`` …"""
    return "/".join(nodeid.split("::", 1)[0].split("/")[:2])


def same_tests(baseline: list[str], today: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The baseline's ids and today's ids of the same tests (in the same order), and the
    baseline's ids with no counterpart today."""
    present = set(today)
    by_app_and_name: dict[tuple[str, str], list[str]] = {}
    for nodeid in today:
        by_app_and_name.setdefault((app_of(nodeid), nodeid.split("::", 1)[1]), []).append(nodeid)
    old, new, gone = [], [], []
    for nodeid in baseline:
        if nodeid in present:
            old.append(nodeid)
            new.append(nodeid)
            continue
        moved = by_app_and_name.get((app_of(nodeid), nodeid.split("::", 1)[1]), [])
        if len(moved) == 1:
            old.append(nodeid)
            new.append(moved[0])
        else:
            gone.append(nodeid)
    return old, new, gone


def prepare_baseline(commit: str, where: Path) -> Path:
    """A worktree of ``commit`` at ``where``, installed by its own Makefile; its checkout."""
    checkout = where / "baseline"
    if not (checkout / ".git").exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(checkout), commit], cwd=ROOT, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True, check=True)
    wanted = subprocess.run(["git", "rev-parse", commit], cwd=ROOT, capture_output=True, text=True, check=True)
    if head.stdout != wanted.stdout:
        subprocess.run(["git", "checkout", "--detach", "--quiet", commit], cwd=checkout, check=True)
    install(checkout)
    return checkout


def install(checkout: Path) -> None:
    """``make install`` in ``checkout``; its output only when it fails."""
    done = subprocess.run(["make", "install"], cwd=checkout, env=environment(), capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"make install in {checkout} exited {done.returncode}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="the commit to compare with (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=2, help="pairs of runs on the same tests (default 2)")
    parser.add_argument("--full", action="store_true", help="also each whole suite, once")
    parser.add_argument("--max-ratio", type=float, default=0.5)
    parser.add_argument("--keep", type=Path, help="keep the baseline's worktree and virtualenv here (reused)")
    args = parser.parse_args()

    where = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="parindex-suite-bench-"))
    where.mkdir(parents=True, exist_ok=True)
    install(ROOT)
    try:
        checkout = prepare_baseline(args.baseline, where)
        (where / "suite_bench_ids.py").write_text(PLUGIN, encoding="utf-8")
        old, new, gone = same_tests(
            collect(checkout / ".venv/bin/pytest", checkout), collect(ROOT / ".venv/bin/pytest", ROOT)
        )
        (where / "baseline.ids").write_text("\n".join(old) + "\n", encoding="utf-8")
        (where / "today.ids").write_text("\n".join(new) + "\n", encoding="utf-8")
        moved = sum(1 for a, b in zip(old, new, strict=True) if a != b)
        print(f"baseline {args.baseline}: {len(old) + len(gone)} tests; the same tests today: {len(old)}")
        print(f"  ({moved} moved to another module of their app; {len(gone)} renamed or replaced since, left out)")

        plugin = {"PYTHONPATH": str(where)}
        baseline = [str(checkout / ".venv/bin/pytest"), "-p", "suite_bench_ids"]  # as its Makefile ran it
        today = ["make", "--no-print-directory", "test", "PYTEST_ARGS=-p suite_bench_ids"]
        ratios = []
        for n in range(1, args.repeat + 1):
            env = environment(SUITE_BENCH_IDS=str(where / "baseline.ids"), **plugin)
            passed_old, seconds_old = run(baseline, checkout, env, "baseline")
            env = environment(SUITE_BENCH_IDS=str(where / "today.ids"), **plugin)
            passed_new, seconds_new = run(today, ROOT, env, "make test")
            ratio = seconds_new / seconds_old
            ratios.append(ratio)
            print(
                f"pair {n}: baseline pytest {passed_old} passed in {seconds_old:.1f} s · "
                f"make test {passed_new} passed in {seconds_new:.1f} s · ratio {ratio:.2f}",
                flush=True,
            )
        if args.full:
            passed_old, seconds_old = run(baseline[:1], checkout, environment(), "baseline, whole suite")
            print(f"whole suites: baseline pytest {passed_old} passed in {seconds_old:.1f} s", flush=True)
            passed_new, seconds_new = run(today[:3], ROOT, environment(), "make test, whole suite")
            print(f"              make test {passed_new} passed in {seconds_new:.1f} s", flush=True)
        worst = max(ratios)
        print(f"same tests, today ÷ baseline: {', '.join(f'{r:.2f}' for r in ratios)} (worst {worst:.2f})")
        if worst > args.max_ratio:
            sys.exit(f"above {args.max_ratio}")
    finally:
        if not args.keep:
            subprocess.run(["git", "worktree", "remove", "--force", str(where / "baseline")], cwd=ROOT)
            shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    main()
