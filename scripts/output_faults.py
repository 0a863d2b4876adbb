"""Every writer against every bad destination: one line and the right exit status, nothing replaced or left behind.

Run ``python3 scripts/output_faults.py`` (as root for every case) for the campaign figures (tried / failed).
``tests/test_output_paths.py`` runs the same catalogue.

Writers: ``export`` (.html, .geojson, .csv), ``gaps --out``, ``report``, ``import --rejects``, ``new``,
``sample``. Destinations: a device node, a FIFO, a symlink, a folder, a path under a regular file, a file
size limit (``ulimit -f``, SIGXFSZ ignored so the write gets EFBIG), a full file system (a 512 KiB tmpfs
filled up), a read-only file system (a tmpfs mounted ``ro``) and a folder that cannot be written (an
immutable folder, ``chattr +i``, which holds even for root; ``chmod 555`` when not root).

A case fails when the writer hangs, prints a traceback or more than one line, exits other than expected
(2 for a destination that is refused before any work, 1 or 2 for a disk that fails the write; ``gaps`` and
``import`` also write the project, which may meet the file size limit first: that refusal counts too), replaces or
changes what the destination pointed at, or leaves a file behind (a temporary file, a lock, a half output).
Conditions that need root (mounts) are reported as not run elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(os.environ.get("ASSETMAP_FUZZ_ROOT") or Path(__file__).resolve().parents[1])
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TIME_LIMIT = 120.0
LIMIT_KIB = 4  # ulimit -f: below every output (the project has enough assets for that), above Python's own probes
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# writer name: (suffix of the output, arguments with {project}, {out}, {asset}, {csv}), --force is added
WRITERS: dict[str, tuple[str, list[str]]] = {
    "export-html": (".html", ["export", "{project}", "--out", "{out}", "--no-basemap"]),
    "export-geojson": (".geojson", ["export", "{project}", "--out", "{out}"]),
    "export-csv": (".csv", ["export", "{project}", "--out", "{out}"]),
    "gaps": (".csv", ["gaps", "{project}", "--out", "{out}"]),
    "report": (".html", ["report", "{project}", "{asset}", "--out", "{out}"]),
    "rejects": (".csv", ["import", "{project}", "{csv}", "--rejects", "{out}"]),
    "new": (".gpkg", ["new", "{out}"]),
    "sample": (".gpkg", ["sample", "{out}"]),
}
REFUSED = ("device", "fifo", "symlink", "folder")  # refused before any work: exit 2
CONDITIONS = (*REFUSED, "under-a-file", "file-size-limit", "disk-full", "read-only-disk", "unwritable-folder")


@dataclass
class Case:
    writer: str
    condition: str
    problems: list[str] = field(default_factory=list)
    skipped: str = ""


def make_project(folder: Path) -> tuple[Path, str, Path]:
    """A project with two neighbourhoods and 202 assets, its first asset's id, and a CSV of 100 bad rows."""
    import geopandas as gpd
    import shapely

    from assetmap.core.project import Project

    squares = gpd.GeoDataFrame(
        {"code": ["E01000001", "E01000002"], "name": ["West", "East"], "population": [1500, 900],
         "imd_decile": [2, 9]},
        geometry=[shapely.box(380000, 390000, 381000, 391000), shapely.box(381000, 390000, 382000, 391000)],
        crs=27700)
    project = folder / "project.gpkg"
    Project.create(project, 27700, name="Faults", neighbourhoods=squares)
    records = [{"name": "Hall", "kind": "physical/village_hall"}, {"name": "Library", "kind": "institutions/library"}]
    records += [{"name": f"Hall {n}", "kind": "physical/village_hall", "description": "x" * 40} for n in range(200)]
    points = [shapely.Point(380500 + n, 390500 + n) for n in range(len(records))]
    with Project.open(project) as opened:
        ids = opened.add_assets(records, points)
    csv = folder / "bad.csv"
    rows = [f"Chapel {n} {'with a long name ' * 3},village hall,many" for n in range(100)]  # rejects > LIMIT_KIB
    csv.write_text("name,kind,capacity\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return project, ids[0], csv


def _run(args: list[str], env: dict[str, str], limit_kib: int | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "assetmap", *args]
    if limit_kib is not None:
        command = ["bash", "-c", f"trap '' XFSZ; ulimit -f {limit_kib}; exec \"$@\"", "bash", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=TIME_LIMIT,
                          stdin=subprocess.DEVNULL)


def _listing(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


@contextlib.contextmanager
def _mounted(folder: Path, options: str) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _can_mount(work: Path) -> str:
    """Empty when tmpfs mounts work here, else why not."""
    if not IS_ROOT:
        return "needs root to mount a tmpfs"
    probe = work / f"probe-{uuid.uuid4().hex[:6]}"
    try:
        with _mounted(probe, "size=64k"):
            return ""
    except (subprocess.CalledProcessError, OSError) as exc:
        return f"mount -t tmpfs failed ({exc})"


def _fill(folder: Path) -> None:
    """Fill a file system to the last byte."""
    with open(folder / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        except OSError:
            pass
        with contextlib.suppress(OSError):
            fh.close()


def run_case(writer: str, condition: str, work: Path, project: Path, asset: str, csv: Path,
             env: dict[str, str]) -> Case:
    case = Case(writer, condition)
    suffix, template = WRITERS[writer]
    here = work / f"{writer}-{condition}"
    here.mkdir()
    out = here / f"out{suffix}"
    work_project = here / "project.gpkg"  # the writers that store into the project get their own copy
    shutil.copy(project, work_project)
    target = here / "target.txt"
    limit = None
    immutable: Path | None = None
    stack = contextlib.ExitStack()
    expect = {2} if condition in REFUSED else {1, 2}
    try:
        if condition == "device":
            if IS_ROOT:
                os.mknod(out, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a null device of our own
            elif writer in ("new", "sample"):
                out = Path(os.devnull)
            else:
                case.skipped = "needs root to make a device node with the writer's suffix"
                return case
        elif condition == "fifo":
            os.mkfifo(out)
        elif condition == "symlink":
            target.write_text("keep", encoding="utf-8")
            out.symlink_to(target)
        elif condition == "folder":
            out.mkdir()
        elif condition == "under-a-file":
            (here / "plain").write_text("a file, not a folder", encoding="utf-8")
            out = here / "plain" / f"out{suffix}"
        elif condition == "file-size-limit":
            limit = LIMIT_KIB
        elif condition in ("disk-full", "read-only-disk"):
            why = _can_mount(work)
            if why:
                case.skipped = why
                return case
            disk = stack.enter_context(_mounted(here / "disk", "size=512k"))
            out = disk / f"out{suffix}"
            out.write_text("the old output", encoding="utf-8")  # --force over it must leave it whole
            if condition == "disk-full":
                _fill(disk)
            else:
                subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True, capture_output=True)
        elif condition == "unwritable-folder":
            folder = here / "locked"
            folder.mkdir()
            out = folder / f"out{suffix}"
            if IS_ROOT:
                if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
                    case.skipped = "chattr +i is not supported here, and root ignores chmod"
                    return case
                immutable = folder
            else:
                folder.chmod(0o555)
        before = {p: _listing(p) for p in {out.parent, here}}
        args = [a.format(project=work_project, out=out, asset=asset, csv=csv) for a in template] + ["--force"]
        try:
            done = _run(args, env, limit)
        except subprocess.TimeoutExpired:
            case.problems.append(f"still running after {TIME_LIMIT:.0f} s")
            return case
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        if "Traceback" in done.stderr:
            case.problems.append("traceback: " + " | ".join(lines[-2:]))
        elif done.returncode not in expect:
            case.problems.append(f"exit {done.returncode} (expected {sorted(expect)}): {' | '.join(lines[-2:])}")
        elif len(lines) != 1:
            case.problems.append(f"{len(lines)} lines on stderr: {' | '.join(lines[:3])}")
        case.problems.extend(_damage(condition, out, target, before))
        return case
    finally:
        if immutable is not None:
            subprocess.run(["chattr", "-i", str(immutable)], capture_output=True)
        stack.close()


def _damage(condition: str, out: Path, target: Path, before: dict[Path, set[str]]) -> list[str]:
    """What the failed write changed that it should not have."""
    found = []
    try:
        mode = os.lstat(out).st_mode
    except OSError:
        mode = None
    if condition == "device" and (mode is None or not stat.S_ISCHR(mode)):
        found.append("the device node was replaced")
    if condition == "fifo" and (mode is None or not stat.S_ISFIFO(mode)):
        found.append("the FIFO was replaced")
    if condition == "symlink":
        if mode is None or not stat.S_ISLNK(mode):
            found.append("the symlink was replaced")
        if target.read_text(encoding="utf-8") != "keep":
            found.append("the symlink's target was overwritten")
    if condition == "folder" and (mode is None or not stat.S_ISDIR(mode) or os.listdir(out)):
        found.append("the folder was replaced or written into")
    if condition in ("disk-full", "read-only-disk"):
        try:
            kept = out.read_text(encoding="utf-8") == "the old output"
        except (OSError, UnicodeDecodeError):
            kept = False
        if not kept:
            found.append("the old output was lost")
    for folder, names in before.items():
        extra = _listing(folder) - names
        if extra:
            found.append(f"left behind in {folder.name}: {', '.join(sorted(extra))}")
    return found


@dataclass
class Setup:
    project: Path
    asset: str
    csv: Path
    env: dict[str, str]


def prepare(work: Path) -> Setup:
    """The project, asset and CSV the writers use, and an environment whose log folder is inside ``work``."""
    home = work / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "st"),
               XDG_DATA_HOME=str(home / "data"), QT_QPA_PLATFORM="offscreen")
    project, asset, csv = make_project(work)
    return Setup(project, asset, csv, env)


def campaign(writers: list[str] | None = None, conditions: list[str] | None = None) -> list[Case]:
    cases = []
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        setup = prepare(work)
        for condition in conditions or CONDITIONS:
            for writer in writers or WRITERS:
                cases.append(run_case(writer, condition, work, setup.project, setup.asset, setup.csv, setup.env))
    return cases


if __name__ == "__main__":
    results = campaign()
    run = [c for c in results if not c.skipped]
    failed = [c for c in run if c.problems]
    print(f"writers x bad destinations: {len(run)} cases, {len(failed)} failed, {len(results) - len(run)} not run")
    for c in failed:
        print(f"  {c.writer:<15} {c.condition:<18} {'; '.join(c.problems)[:300]}")
    for c in results:
        if c.skipped:
            print(f"  not run: {c.writer} {c.condition}: {c.skipped}")
