"""Helpers shared by the subcommands: JSON output and a terminal progress bar."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from assetmap.cli import UsageError
from assetmap.core.progress import Progress


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def terminal_progress(label: str, *, quiet: bool = False) -> Progress:
    """A progress bar on stderr that only appears once a job has run for more than a moment."""
    start = time.monotonic()
    shown = False

    def show(done: int, total: int, message: str) -> None:
        nonlocal shown
        if quiet or time.monotonic() - start < 0.5:
            return
        width = 30
        frac = done / total if total else 0.0
        bar = "#" * int(frac * width)
        sys.stderr.write(f"\r{label} [{bar:<{width}}] {frac:4.0%} {message[:40]:<40}")
        if done >= total and total:
            sys.stderr.write("\n")
        sys.stderr.flush()
        shown = True

    return Progress(show)


def refuse_overwrite(path: Path, force: bool, option: str = "--out") -> None:
    """Replace an existing output only with --force: a reused name must not wipe last week's map unasked.

    Called before any work, so a refusal (exit 2, the file named) leaves the file and the project untouched.
    """
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder: give a file name")
    if path.exists() and not force:
        raise UsageError(f"{option} {path} already exists: add --force to replace it (nothing was written)")
