"""What the command does with the unexpected: a crash, a closed pipe, a library's warning.

A user sees one line on stderr, and automation can tell the cases apart by the exit status:
1 bad data, 2 bad usage, 70 (EX_SOFTWARE) an internal error, 141 (128 + SIGPIPE, what a shell
reports for ``yes | head``) output cut short by a reader that stopped reading. Tracebacks and
warnings go to a log file in the user's log folder, never to the terminal, where they would bury
the one line that says what to do.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE in sysexits.h: an internal software error
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
LOG_NAME = "assetmap.log"
LOG_BYTES = 1_000_000  # one log of about 1 MB, plus two older ones: a crash loop cannot fill the disk
_LOGGER = "assetmap.cli.failures"


def log_dir() -> Path:
    """The user's log folder: platformdirs' choice when it is installed, else the XDG cache folder."""
    try:
        import platformdirs
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "assetmap"
    return Path(platformdirs.user_log_dir("assetmap", appauthor=False))


def _open_handler() -> tuple[logging.Handler, Path] | None:
    """A rotating file handler in the log folder, or a private temporary folder if that cannot be written."""
    for folder in (log_dir(), Path(tempfile.gettempdir()) / f"assetmap-{os.getuid() if hasattr(os, 'getuid') else 0}"):
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # tracebacks may quote residents' data
            path = folder / LOG_NAME
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.close(fd)
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=2,
                                                           encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        return handler, path
    return None


def _logger() -> tuple[logging.Logger, Path | None]:
    """The log, opened on first use only: a run that has nothing to log leaves no file behind."""
    logger = logging.getLogger(_LOGGER)
    logger.propagate = False  # never to the root logger, whose last-resort handler prints to stderr
    logger.setLevel(logging.INFO)
    for handler in logger.handlers:
        if isinstance(handler, logging.FileHandler):
            return logger, Path(handler.baseFilename)
    opened = _open_handler()
    if opened is None:
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
        return logger, None
    logger.addHandler(opened[0])
    return logger, opened[1]


def close_log() -> None:
    """Release the log file (the next failure opens it again, wherever the log folder is then)."""
    logger = logging.getLogger(_LOGGER)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def log_internal_error(command: str, argv: Sequence[str] | None, exc: BaseException) -> Path | None:
    """Write the traceback to the log; returns the log's path (None when no log could be written)."""
    logger, path = _logger()
    shown = list(argv) if argv is not None else sys.argv[1:]
    logger.error("internal error in `assetmap %s` (arguments %r)", command, shown, exc_info=exc)
    for handler in logger.handlers:
        handler.flush()
    return path


def _log_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None) -> None:
    logger, _ = _logger()
    logger.warning("%s", warnings.formatwarning(message, category, filename, lineno, line).rstrip())


@contextlib.contextmanager
def warnings_to_log() -> Iterator[None]:
    """Send every Python warning (pandas, pyogrio, shapely...) to the log instead of the terminal.

    The filters stay as they are (``-W error`` still turns a warning into an error); only where a
    shown warning goes changes.
    """
    saved = warnings.showwarning
    warnings.showwarning = _log_warning
    try:
        yield
    finally:
        warnings.showwarning = saved


def one_line(text: str) -> str:
    """A message on one line, whatever the exception put in it."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def say(command: str, message: str) -> None:
    """Print ``assetmap COMMAND: message`` on stderr; a closed stderr is not worth a second failure."""
    with contextlib.suppress(OSError, ValueError):
        print(f"assetmap {command}: {one_line(message)}", file=sys.stderr, flush=True)


def quiet_broken_pipe() -> int:
    """The reader stopped reading (``| head``): point stdout at the null device so the interpreter's
    final flush cannot fail again (the Python documentation's recipe for SIGPIPE), and say nothing."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_BROKEN_PIPE


def internal_error_message(path: Path | None) -> str:
    where = f"details in {path}" if path is not None else "no log file could be written"
    return f"internal error, please report it ({where})"
