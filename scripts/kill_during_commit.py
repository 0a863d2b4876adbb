"""kill -9 during an import's commit, then read-only commands: they must open the project and see the old data.

Run ``python3 scripts/kill_during_commit.py [RUNS]`` for the campaign figures (runs / runs where a read-only
command failed or saw other data than before the import). ``tests/test_crash_recovery.py`` uses the same run.

Each run imports a large generated CSV with a real ``python3 -m assetmap import``, polls for SQLite's
``-journal`` file beside the project (it exists only while the import's transaction is being written), kills
the importer with SIGKILL after a random moment, and counts the run only when the journal is still there: the
transaction was cut off mid-commit, so a hot journal is left for the next opener to roll back.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("ASSETMAP_FUZZ_ROOT") or Path(__file__).resolve().parents[1])
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIG_ROWS = 20_000
BEFORE = ["Old Hall", "Old Library", "Old Chapel"]
READ_ONLY = (["assets", "{project}", "--json"], ["export", "{project}", "--out", "{folder}/out.geojson", "--force"],
             ["imports", "{project}", "--json"])


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assetmap", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def base_project(folder: Path) -> Path:
    """A project holding only the ``BEFORE`` assets."""
    from assetmap.core.project import Project

    project = folder / "base.gpkg"
    Project.create(project, 27700, name="Crash")
    with Project.open(project) as opened:
        opened.add_assets([{"name": name, "kind": "physical/village_hall"} for name in BEFORE], [None] * len(BEFORE))
    return project


def big_csv(folder: Path, rows: int = BIG_ROWS) -> Path:
    path = folder / "big.csv"
    lines = ["name,kind,description,lon,lat"]
    lines += [f"Hall {n},village hall,{'a long description ' * 8}{n},{-2.3 + n * 1e-6:.6f},{53.4 + n * 1e-6:.6f}"
              for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def kill_during_commit(project: Path, csv: Path, rng: random.Random) -> bool:
    """Start an import and SIGKILL it while its journal exists; True when the journal was left behind.

    Half the kills come at a random moment of a transaction, half the moment SQLite starts writing the
    database file itself (its commit: the journal then holds the only copy of the old pages).
    """
    journal = project.with_name(project.name + "-journal")
    at_write = rng.random() < 0.5
    proc = subprocess.Popen([sys.executable, "-m", "assetmap", "import", str(project), str(csv)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)

    def stamp() -> tuple[int, int]:
        st = project.stat()
        return st.st_mtime_ns, st.st_size

    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if not journal.exists():
                time.sleep(0.0002)
                continue
            before, end = stamp(), time.monotonic() + rng.uniform(0, 0.4)
            while journal.exists() and (stamp() == before if at_write else time.monotonic() < end):
                time.sleep(0.0002)
            if journal.exists():
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return proc.returncode == -signal.SIGKILL and journal.exists()


def is_hot(project: Path) -> bool:
    """Whether SQLite must roll the journal back before anyone can read (tried on a copy, so nothing changes)."""
    import sqlite3

    with tempfile.TemporaryDirectory() as name:
        copy = Path(name) / project.name
        shutil.copy(project, copy)
        shutil.copy(project.with_name(project.name + "-journal"), copy.with_name(copy.name + "-journal"))
        conn = sqlite3.connect(copy.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            return "readonly" in str(exc)
        finally:
            conn.close()
    return False


def check_read_only(project: Path, folder: Path) -> list[str]:
    """Problems seen by the read-only commands (empty: they all opened it and saw the data from before)."""
    problems = []
    for template in READ_ONLY:
        args = [a.format(project=project, folder=folder) for a in template]
        done = cli(*args)
        if done.returncode != 0:
            problems.append(f"{args[0]}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
        elif args[0] == "assets":
            names = sorted(a["name"] for a in json.loads(done.stdout))
            if names != sorted(BEFORE):
                problems.append(f"assets: {len(names)} assets, not the {len(BEFORE)} from before the import")
    return problems


def campaign(runs: int, seed: int = 11) -> dict[str, Any]:
    rng = random.Random(seed)
    tried = failed = missed = hot = 0
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        base, csv = base_project(folder), big_csv(folder)
        while tried < runs and missed < 5 * runs:
            project = folder / "p.gpkg"
            for leftover in folder.glob("p.gpkg*"):
                leftover.unlink()
            shutil.copy(base, project)
            if not kill_during_commit(project, csv, rng):
                missed += 1
                continue
            tried += 1
            hot += is_hot(project)
            found = check_read_only(project, folder)
            if found:
                failed += 1
                problems.extend(found)
    return {"tried": tried, "failed": failed, "missed": missed, "hot": hot, "problems": problems}


if __name__ == "__main__":
    result = campaign(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
    print(f"kill -9 during an import's commit: {result['tried']} runs, {result['failed']} where a read-only "
          f"command failed or saw other data ({result['hot']} runs left a hot journal, "
          f"{result['missed']} kills missed the commit)")
    for line in sorted(set(result["problems"])):
        print("   ", line)
