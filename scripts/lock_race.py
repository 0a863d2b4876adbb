"""Lock races: many processes released together each try to open one project for editing; exactly one may win.

Run ``python3 scripts/lock_race.py [ROUNDS]`` for the campaign figures (trials / trials where not exactly one
process won), per starting state of the lock file. ``tests/test_lock_race.py`` runs the same races.

The workers are forked once and reused for every round (starting 20 Pythons per round would take longer than
the race). Each round the parent lays out the lock file (none, a stale one of a dead process, an empty one, a
garbage one), then a barrier releases all workers at once into ``Project.open``. A winner holds the project
until every worker has answered, so a late starter meets a live lock, as it would in real use.
"""

from __future__ import annotations

import getpass
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("ASSETMAP_FUZZ_ROOT") or Path(__file__).resolve().parents[1])
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORKERS = 24
STATES = ("none", "stale", "empty", "garbage")
TIMEOUT = 120.0  # seconds for one round; a worker that hangs (a FIFO lock, say) fails the round


def dead_pid() -> int:
    """The pid of a process that has just exited (not reused for a long while on Linux, which counts up)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def lay_out(project: Path, state: str) -> None:
    """Put the lock file beside ``project`` into one of ``STATES``."""
    lock = project.with_name(project.name + ".lock")
    lock.unlink(missing_ok=True)
    if state == "stale":
        lock.write_text(json.dumps({"user": getpass.getuser(), "host": socket.gethostname(), "pid": dead_pid(),
                                    "since": "2020-01-01T00:00:00"}), encoding="utf-8")
    elif state == "empty":
        lock.write_bytes(b"")
    elif state == "garbage":
        lock.write_text('["not", "a", "lock"]', encoding="utf-8")


def _worker(project: str, rounds: int, start: Any, finish: Any, answers: Any, release: Any) -> None:
    from assetmap.core.errors import AssetmapError
    from assetmap.core.project import Project

    for n in range(rounds):
        start.wait()
        try:
            opened = Project.open(project)
        except AssetmapError as exc:
            answers.put((n, "refused", str(exc)))
        except Exception as exc:  # noqa: BLE001 - a crash is a finding, reported to the parent
            answers.put((n, "crashed", f"{type(exc).__name__}: {exc}"))
        else:
            answers.put((n, "won", "" if opened.readonly else "editing"))
            release[n].wait(TIMEOUT)
            opened.close()
        finish.wait()


def race(project: Path, states: list[str], workers: int = WORKERS) -> list[dict[str, Any]]:
    """One round per entry of ``states``; returns per round the state, the winners and anything odd."""
    ctx = mp.get_context("fork")
    start, finish = ctx.Barrier(workers + 1, timeout=TIMEOUT), ctx.Barrier(workers + 1, timeout=TIMEOUT)
    answers = ctx.Queue()
    release = [ctx.Event() for _ in states]
    procs = [ctx.Process(target=_worker, args=(str(project), len(states), start, finish, answers, release),
                         daemon=True) for _ in range(workers)]
    for p in procs:
        p.start()
    results = []
    lock = project.with_name(project.name + ".lock")
    try:
        for n, state in enumerate(states):
            lay_out(project, state)
            start.wait()
            got = [answers.get(timeout=TIMEOUT) for _ in range(workers)]
            release[n].set()
            finish.wait()
            kinds = Counter(kind for _, kind, _ in got)
            won_editing = sum(1 for _, kind, how in got if kind == "won" and how == "editing")
            odd = sorted({text for _, kind, text in got if kind == "crashed"})
            results.append({"state": state, "winners": won_editing, "refused": kinds["refused"],
                            "crashed": kinds["crashed"], "odd": odd, "lock_left": lock.exists()})
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
    return results


def campaign(rounds: int = 10, workers: int = WORKERS) -> dict[str, tuple[int, int]]:
    """Per state: (trials, trials where not exactly one process got the project for editing)."""
    from assetmap.core.project import Project

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "race.gpkg"
        Project.create(project, 27700, name="Race")
        results = race(project, [s for s in STATES for _ in range(rounds)], workers)
    figures = {}
    for state in STATES:
        rows = [r for r in results if r["state"] == state]
        figures[state] = (len(rows), sum(1 for r in rows if r["winners"] != 1 or r["crashed"] or r["lock_left"]))
    return figures


IMPORT_ROWS = 300
_IMPORTER = """
import sys, time
from pathlib import Path
import assetmap.cli, assetmap.core.imports.pipeline  # loaded before the start, so both begin together
parser = assetmap.cli.build_parser()
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.0005)
sys.exit(assetmap.cli.main(sys.argv[2:]))
"""


def import_csv(path: Path, rows: int = IMPORT_ROWS) -> Path:
    lines = ["name,kind"] + [f"Hall {n},village hall" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_race(folder: Path, trials: int, *, stale: bool = True) -> list[dict[str, Any]]:
    """Two real ``assetmap import`` runs of one file, started together; returns per trial the assets counted."""
    from assetmap.core.project import Project

    csv = import_csv(folder / "halls.csv")
    results = []
    for n in range(trials):
        project = folder / f"import{n}.gpkg"
        Project.create(project, 27700, name="Import race")
        if stale:
            lay_out(project, "stale")
        go = folder / f"go{n}"
        procs = [subprocess.Popen([sys.executable, "-c", _IMPORTER, str(go), "import", str(project), str(csv)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
                 for _ in range(2)]
        import time

        time.sleep(4.0)  # both are waiting for the start file by now
        go.touch()
        outs = [p.communicate(timeout=TIMEOUT) for p in procs]
        with Project.open(project, readonly=True) as opened:
            assets = opened.count("assets")
        results.append({"assets": assets, "codes": [p.returncode for p in procs], "stderr": [e for _, e in outs],
                        "lock_left": project.with_name(project.name + ".lock").exists()})
    return results


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for state, (tried, failed) in campaign(rounds).items():
        print(f"lock {state:<8} {tried} trials of {WORKERS} processes, {failed} not exactly one winner")
    imports = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    with tempfile.TemporaryDirectory() as folder:
        runs = import_race(Path(folder), imports)
    doubled = sum(1 for r in runs if r["assets"] != IMPORT_ROWS or r["lock_left"])
    print(f"import   {len(runs)} trials of 2 imports with a stale lock, {doubled} not exactly {IMPORT_ROWS} assets")
    for r in runs:
        if r["assets"] != IMPORT_ROWS:
            print("   ", r["assets"], r["codes"], [e.strip()[-200:] for e in r["stderr"]])
