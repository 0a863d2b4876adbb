"""A lock file beside the project so two assetmap processes never edit it at once."""

from __future__ import annotations

import getpass
import json
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

from assetmap.core.errors import ProjectLockedError


def lock_path(project: Path) -> Path:
    return project.with_name(project.name + ".lock")


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate the process there; assume it is alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_lock(project: Path) -> dict[str, Any] | None:
    """Who holds the lock, or None when nobody does (a stale lock of a dead process is ignored)."""
    path = lock_path(project)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict):  # unreadable, or valid JSON that is not our object: someone holds it
        return {"user": "unknown", "host": "unknown", "pid": None, "since": "unknown"}
    if info.get("host") == socket.gethostname() and isinstance(info.get("pid"), int) and not _pid_alive(info["pid"]):
        return None
    return info


class ProjectLock:
    """Held while a project is open for editing; released on close (or by the OS on a crash)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.path = lock_path(project)
        self._held = False

    def acquire(self) -> None:
        info = {"user": getpass.getuser(), "host": socket.gethostname(), "pid": os.getpid(),
                "since": datetime.now().isoformat(timespec="seconds")}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = read_lock(self.project)
                if holder is None:  # stale: its process is gone
                    self.path.unlink(missing_ok=True)
                    continue
                if holder.get("pid") == os.getpid() and holder.get("host") == info["host"]:
                    raise ProjectLockedError(f"{self.project.name} is already open in this assetmap window.") from None
                raise ProjectLockedError(
                    f"{self.project.name} is being edited by {holder.get('user')} on {holder.get('host')} "
                    f"(assetmap process {holder.get('pid')}, since {holder.get('since')}). "
                    f"Close it there first, or open it read-only. (If that program is no longer running, "
                    f"delete {self.path.name} beside the project.)"
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(info, fh)
            self._held = True
            return
        raise ProjectLockedError(f"Could not lock {self.project.name}: {self.path} keeps reappearing.")

    def release(self) -> None:
        if self._held:
            self.path.unlink(missing_ok=True)
            self._held = False
