"""Helpers shared by the subcommands: JSON output and a terminal progress bar."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from assetmap.cli import UsageError
from assetmap.core.progress import Progress
from assetmap.core.project.atomic import not_a_file, refusal


def print_json(data: Any, *, compact: bool = False) -> None:
    """Print ``data`` as JSON on stdout, indented for people to read, or ``compact``: one line, no spaces.

    Compact output is encoded in one step in C (orjson when installed, else the standard library's encoder,
    which the indented form cannot use) and written at once: a national ``gaps --json`` is tens of MB. Values
    JSON has no type for are written as text (``str``) either way.
    """
    if not compact:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    encoded = _orjson_bytes(data)
    buffer = getattr(sys.stdout, "buffer", None)
    if encoded is not None and buffer is not None and (sys.stdout.encoding or "").lower().replace("-", "") == "utf8":
        sys.stdout.flush()  # whatever was printed before stays before
        buffer.write(encoded + b"\n")
        return
    text = encoded.decode("utf-8") if encoded is not None else json.dumps(
        data, ensure_ascii=False, separators=(",", ":"), default=str)
    sys.stdout.write(text + "\n")


def _json_default(value: Any) -> Any:
    """What the standard library's encoder makes of a value JSON has no type for (with ``default=str``): a
    subclass of float (numpy's float64) is a number, anything else its text."""
    return float(value) if isinstance(value, float) else str(value)


def _orjson_bytes(data: Any) -> bytes | None:
    """``data`` as compact JSON bytes by orjson, exactly as the standard library would write it (dates and
    dataclasses as their text; NaN, which JSON has no word for, is null where the standard library writes
    NaN); None without orjson, or for what only the standard library writes (keys that are not text,
    integers beyond 64 bits, unpaired surrogates)."""
    try:
        import orjson
    except ImportError:
        return None
    try:
        out: bytes = orjson.dumps(data, default=_json_default,
                                  option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    return out


_open_bar = 0  # characters of a progress bar still on stderr's current line (0: the line is finished)


def terminal_progress(label: str, *, quiet: bool = False) -> Progress:
    """A progress bar on stderr that only appears once a job has run for more than a moment."""
    start = time.monotonic()
    shown = False

    def show(done: int, total: int, message: str) -> None:
        nonlocal shown
        global _open_bar
        if quiet or time.monotonic() - start < 0.5:
            return
        width = 30
        frac = done / total if total else 0.0
        bar = "#" * int(frac * width)
        text = f"{label} [{bar:<{width}}] {frac:4.0%} {message[:40]:<40}"
        sys.stderr.write("\r" + text)
        _open_bar = len(text)
        if done >= total and total:
            sys.stderr.write("\n")
            _open_bar = 0
        sys.stderr.flush()
        shown = True

    return Progress(show)


def end_progress_line() -> None:
    """Clear an unfinished progress bar before a message, so the message is a line of its own.

    On a terminal the bar is wiped (the message takes its place); in a log file, where a carriage
    return wipes nothing, the bar's line is ended instead."""
    global _open_bar
    if not _open_bar:
        return
    try:
        if sys.stderr.isatty():
            sys.stderr.write("\r" + " " * _open_bar + "\r")
        else:
            sys.stderr.write("\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    _open_bar = 0


def refuse_overwrite(path: Path, force: bool, option: str = "--out") -> None:
    """Replace an existing output only with --force: a reused name must not wipe last week's map unasked.

    Called before any work, so a refusal (exit 2, the file named) leaves the file and the project untouched.
    Anything there that is not a regular file (a device, FIFO, socket or symbolic link) is refused even with
    --force: replacing it, or writing through it, is never what was meant. ``option`` is "" for a positional.
    """
    label = f"{option} {path}" if option else str(path)
    kind = not_a_file(path)
    if kind == "a folder":
        raise UsageError(f"{label} is a folder: give a file name")
    if kind:
        raise UsageError(f"{label} is {kind}: {refusal(kind)} (nothing was written)")
    for folder in path.parents:  # the nearest one that exists must be a folder
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise UsageError(f"{label}: {folder} is a file, not a folder (nothing was written)")
            break
    if path.exists() and not force:
        raise UsageError(f"{label} already exists: add --force to replace it (nothing was written)")
