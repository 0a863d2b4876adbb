"""Helpers shared by the subcommands: JSON output and a terminal progress bar."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

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
