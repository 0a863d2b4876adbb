"""A lock file beside the project so two assetmap processes never edit it at once.

The lock is an OS lock (``flock``) on the open lock file, taken without waiting. The kernel gives it to
exactly one process however many start together, and takes it back when that process dies, so a lock a
crash left behind is recognised as stale by taking it, not by guessing from its contents: a dead process's
lock, an empty one (a full disk) or garbage is simply taken over, atomically. The file's contents (who, on
which machine, since when) are only for the message to someone who finds it held.

Why not create-exclusive alone: taking over a stale lock then needs a read, a judgement and a delete, and
two processes doing that at once both won (issue 11). Why keep a file at all: its text names the holder.

On a network share a holder on another machine may be invisible to ``flock`` (shares that keep locks on
each client), so a lock naming another machine is still respected, as before. Where there is no ``flock``
(Windows) or the share refuses it (``ENOLCK``), the lock falls back to create-exclusive, with a stale lock
taken over by renaming it aside and checking it was the same file (a rename is atomic).
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import socket
import stat
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from assetmap.core.errors import ProjectLockedError

try:
    import fcntl

    HAVE_FLOCK = True
except ImportError:  # Windows: create-exclusive only
    HAVE_FLOCK = False

MAX_LOCK_BYTES = 4096  # a lock assetmap writes is about 120 bytes; anything far larger is not ours
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}
_ATTEMPTS = 20
_held: dict[str, "ProjectLock"] = {}  # lock files this process holds: a second window must not take them again


def lock_path(project: Path) -> Path:
    return project.with_name(project.name + ".lock")


def _key(path: Path) -> str:
    return os.path.join(os.path.realpath(path.parent), path.name)


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate the process there; assume it is alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def parse_lock(data: bytes) -> dict[str, Any] | None:
    """The holder a lock file names, or None when it is not a lock assetmap wrote (empty, garbage, oversized)."""
    if not data or len(data) > MAX_LOCK_BYTES:
        return None
    try:
        info = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(info, dict):
        return None
    pid, host = info.get("pid"), info.get("host")
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 2**31 or not isinstance(host, str):
        return None
    return {"user": str(info.get("user", "unknown"))[:100], "host": host[:255], "pid": pid,
            "since": str(info.get("since", "unknown"))[:40]}


def _not_a_lock(path: Path, mode: int) -> ProjectLockedError:
    kind = ("a folder" if stat.S_ISDIR(mode) else "a symbolic link" if stat.S_ISLNK(mode)
            else "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return ProjectLockedError(f"{path.name} beside the project is {kind}, not a lock assetmap wrote, so the project "
                              f"cannot be locked for editing; remove {path} and try again (or open it read-only).")


def _open_lock_file(path: Path, flags: int) -> int:
    """Open the lock file as a regular file only: never follow a link, never block on a FIFO."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise _not_a_lock(path, mode)
    extra = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | extra | getattr(os, "O_BINARY", 0), 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):  # it became a link, folder or FIFO meanwhile
            raise _not_a_lock(path, os.lstat(path).st_mode) from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _not_a_lock(path, mode)
    return fd


def _read(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, MAX_LOCK_BYTES + 1)


def _write(fd: int, info: dict[str, Any]) -> None:
    data = json.dumps(info).encode("utf-8")
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (not removed or replaced since it was opened)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def read_lock(project: Path) -> dict[str, Any] | None:
    """Who holds the lock, or None when nobody does (a stale or garbage lock no process holds is ignored).

    For messages only: the check briefly takes a shared lock, so do not call it in a loop beside an opener.
    """
    path = lock_path(project)
    try:
        fd = _open_lock_file(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except ProjectLockedError:
        return {"user": "unknown", "host": "unknown", "pid": None, "since": "unknown"}
    try:
        holder = parse_lock(_read(fd))
        if HAVE_FLOCK:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return holder or {"user": "unknown", "host": "unknown", "pid": None, "since": "unknown"}
            except OSError:
                pass
            else:
                return holder if holder and holder["host"] != socket.gethostname() else None
        if holder is None or (holder["host"] == socket.gethostname() and not _pid_alive(holder["pid"])):
            return None
        return holder
    finally:
        os.close(fd)


class ProjectLock:
    """Held while a project is open for editing; released on close (or by the OS on a crash)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.path = lock_path(project)
        self._fd: int | None = None
        self._held = False

    def _info(self) -> dict[str, Any]:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container)
            user = "unknown"
        return {"user": user, "host": socket.gethostname(), "pid": os.getpid(),
                "since": datetime.now().isoformat(timespec="seconds")}

    def _locked(self, holder: dict[str, Any] | None) -> ProjectLockedError:
        if holder is None:
            return ProjectLockedError(
                f"{self.project.name} is being opened for editing by another assetmap process right now ("
                f"{self.path.name} does not yet say which). Close it there first, or open it read-only.")
        if holder["pid"] == os.getpid() and holder["host"] == socket.gethostname():
            return ProjectLockedError(f"{self.project.name} is already open in this assetmap window.")
        return ProjectLockedError(
            f"{self.project.name} is being edited by {holder['user']} on {holder['host']} "
            f"(assetmap process {holder['pid']}, since {holder['since']}). "
            f"Close it there first, or open it read-only. (If that program is no longer running, "
            f"delete {self.path.name} beside the project.)")

    def acquire(self) -> None:
        """Take the lock or raise ``ProjectLockedError`` (someone holds it) or ``OSError`` (it cannot be written)."""
        key = _key(self.path)
        if key in _held:
            raise ProjectLockedError(f"{self.project.name} is already open in this assetmap window.")
        if not HAVE_FLOCK or not self._acquire_flock():
            self._acquire_exclusive()
        self._held = True
        _held[key] = self

    def _acquire_flock(self) -> bool:
        """Take the OS lock on the lock file (kept open until release); False when this file system has none."""
        for _ in range(_ATTEMPTS):
            fd = _open_lock_file(self.path, os.O_RDWR | os.O_CREAT)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # a live process holds it
                    raise self._locked(parse_lock(_read(fd))) from None
                except OSError as exc:
                    if exc.errno in _NO_LOCKS:
                        os.close(fd)
                        fd = -1
                        return False
                    raise
                if not _same_file(fd, self.path):  # removed by its holder's release, or replaced: start again
                    os.close(fd)
                    fd = -1
                    continue
                holder = parse_lock(_read(fd))
                if holder is not None and holder["host"] != socket.gethostname():
                    raise self._locked(holder)  # another machine's lock on a share that may not show its flock
                try:
                    _write(fd, self._info())  # a dead process's, an empty or a garbage lock: ours now
                except OSError:
                    os.unlink(self.path)  # a failed start leaves no lock (and we hold it, so it is ours to remove)
                    raise
            except BaseException:
                if fd >= 0:
                    os.close(fd)
                raise
            self._fd = fd
            return True
        raise ProjectLockedError(f"Could not lock {self.project.name}: {self.path} keeps being replaced.")

    def _acquire_exclusive(self) -> None:
        """Create the lock file exclusively; take over a dead process's lock by renaming it aside first."""
        for _ in range(_ATTEMPTS):
            try:
                fd = _open_lock_file(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                self._take_over_stale()
                continue
            try:
                _write(fd, self._info())
            except BaseException:
                os.close(fd)
                self.path.unlink(missing_ok=True)
                raise
            os.close(fd)  # nothing to hold open (and Windows could not delete an open file on release)
            return
        raise ProjectLockedError(f"Could not lock {self.project.name}: {self.path} keeps reappearing.")

    def _take_over_stale(self) -> None:
        """Remove the existing lock if its process is gone (else raise), so the next exclusive create can win."""
        try:
            fd = _open_lock_file(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            holder, seen = parse_lock(_read(fd)), os.fstat(fd)
        finally:
            os.close(fd)
        if holder is None or holder["host"] != socket.gethostname() or _pid_alive(holder["pid"]):
            raise self._locked(holder)  # without OS locks an unreadable lock may be one being written
        aside = self.path.with_name(f"{self.path.name}.stale-{uuid.uuid4().hex[:8]}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        moved = os.lstat(aside)
        if (moved.st_dev, moved.st_ino) != (seen.st_dev, seen.st_ino):  # another process's fresh lock: put it back
            try:
                os.link(aside, self.path)
            except OSError:
                pass
        aside.unlink(missing_ok=True)

    def release(self) -> None:
        if not self._held:
            return
        fd, self._fd, self._held = self._fd, None, False
        _held.pop(_key(self.path), None)
        if fd is None:  # create-exclusive: the file is the lock
            self.path.unlink(missing_ok=True)
            return
        try:
            if _same_file(fd, self.path):  # not one someone put in its place after deleting ours
                self.path.unlink(missing_ok=True)
        except OSError:
            pass
        finally:
            os.close(fd)  # releases the OS lock
