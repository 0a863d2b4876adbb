"""A lock file someone else wrote: whatever it holds, opening the project takes it over or says why not, never crashes.

The lock is an OS lock on the lock file (see core/project/lock.py), so a file no process holds is stale
whatever it says, and one that is held blocks whatever it says.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetmap.core.errors import ProjectLockedError, SchemaVersionError
from assetmap.core.project import Project
from assetmap.core.project.lock import MAX_LOCK_BYTES, lock_path, read_lock

GARBAGE = {
    "empty (a full disk)": b"",
    "a JSON list": b"[]",
    "a string": b'"alice"',
    "a number": b"42",
    "null": b"null",
    "broken JSON": b"{not json",
    "a huge pid": json.dumps({"user": "x", "host": socket.gethostname(), "pid": 10**30}).encode(),
    "a pid of true": json.dumps({"user": "x", "host": socket.gethostname(), "pid": True}).encode(),
    "a negative pid": json.dumps({"user": "x", "host": socket.gethostname(), "pid": -1}).encode(),
    "binary": bytes(range(256)) * 4,
    "deep JSON": b"[" * 100_000,
    "oversized": json.dumps({"host": socket.gethostname(), "pid": os.getppid(), "pad": "x" * MAX_LOCK_BYTES}).encode(),
}


def _run(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assetmap", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("content", list(GARBAGE.values()), ids=list(GARBAGE))
def test_a_lock_no_process_holds_is_taken_over_whatever_it_holds(empty_project: Path, content: bytes) -> None:
    lock = lock_path(empty_project)
    lock.write_bytes(content)
    assert read_lock(empty_project) is None
    with Project.open(empty_project) as project:
        assert not project.readonly
        assert json.loads(lock.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not lock.exists()


@pytest.fixture
def held_garbage(empty_project: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the OS lock on a lock file whose text is garbage."""
    lock = lock_path(empty_project)
    lock.write_bytes(b"[1, 2")
    script = textwrap.dedent(f"""
        import fcntl, os, time
        fd = os.open({str(lock)!r}, os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("held", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    yield child
    child.kill()
    child.wait()


def test_a_held_lock_blocks_even_when_it_says_nothing_useful(empty_project: Path,
                                                             held_garbage: subprocess.Popen[str]) -> None:
    assert read_lock(empty_project) == {"user": "unknown", "host": "unknown", "pid": None, "since": "unknown"}
    with pytest.raises(ProjectLockedError, match="another assetmap process"):
        Project.open(empty_project)
    done = _run("gaps", empty_project)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    with Project.open(empty_project, readonly=True) as viewer:  # viewing is still allowed
        assert viewer.count("neighbourhoods") == 2
    assert lock_path(empty_project).read_bytes() == b"[1, 2"  # a refused opener leaves the holder's file alone


def test_a_lock_from_another_machine_is_respected(empty_project: Path) -> None:
    """On a share, flock may not see a holder on another machine: its lock file still counts."""
    lock_path(empty_project).write_text(json.dumps({"user": "bob", "host": "elsewhere.example", "pid": 4242,
                                                    "since": "2026-01-01T09:00:00"}), encoding="utf-8")
    with pytest.raises(ProjectLockedError, match=r"being edited by bob on elsewhere.example \(assetmap process 4242"):
        Project.open(empty_project)


def _special(kind: str, lock: Path, tmp_path: Path) -> None:
    if kind == "FIFO":
        os.mkfifo(lock)
    elif kind == "folder":
        lock.mkdir()
    elif kind == "symbolic link":
        target = tmp_path / "elsewhere.txt"
        target.write_text("keep", encoding="utf-8")
        lock.symlink_to(target)


@pytest.mark.parametrize("kind", ["FIFO", "folder", "symbolic link"])
def test_a_lock_that_is_not_a_regular_file_is_one_clear_line_and_never_hangs(empty_project: Path, tmp_path: Path,
                                                                             kind: str) -> None:
    lock = lock_path(empty_project)
    _special(kind, lock, tmp_path)
    with pytest.raises(ProjectLockedError, match=f"is a {kind}"):
        Project.open(empty_project)
    done = _run("gaps", empty_project, timeout=60)  # a FIFO once hung here for ever
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "Traceback" not in done.stderr
    assert f"remove {lock}" in done.stderr
    assert lock.is_symlink() if kind == "symbolic link" else lock.exists()
    if kind == "symbolic link":
        assert (tmp_path / "elsewhere.txt").read_text(encoding="utf-8") == "keep"
    listed = _run("assets", empty_project, "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


def test_a_failed_start_leaves_no_lock(empty_project: Path) -> None:
    import sqlite3

    con = sqlite3.connect(empty_project)
    con.execute("UPDATE settings SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(SchemaVersionError):
        Project.open(empty_project)
    assert not lock_path(empty_project).exists()
    lock_path(empty_project).write_bytes(b"")  # and a stale one it found is not left either
    with pytest.raises(SchemaVersionError):
        Project.open(empty_project)
    assert not lock_path(empty_project).exists()


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    folder.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def test_a_full_disk_leaves_no_empty_lock(empty_project: Path, tmp_path: Path) -> None:
    """A lock that cannot be written is removed, and the project opens read-only saying why."""
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "1m"):
        pytest.skip("needs root and tmpfs mounts for a full file system (the ENOSPC case of tests/test_output_paths "
                    "uses ulimit instead)")
    try:
        project = disk / "p.gpkg"
        project.write_bytes(empty_project.read_bytes())
        with open(disk / "filler", "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
                    fh.flush()
            except OSError:
                pass
            try:
                fh.close()
            except OSError:
                pass
        with Project.open(project) as opened:
            assert opened.readonly and "No space left" in opened.readonly_reason
        assert not lock_path(project).exists()
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
