"""Progress and cancellation for long jobs, without any GUI dependency.

A job takes a ``Progress`` and calls ``progress.update(done, total, message)``; that call raises
``Cancelled`` once ``cancel()`` has been called from anywhere (a GUI thread, a signal handler).
The GUI and the CLI each attach their own ``callback`` to display it.

A job that writes checks for cancel up to its point of no return (the COMMIT, the rename of a
finished file) and only then reports "done" with ``notify``, which never raises: a Cancel that
arrives after the work is safely written must not claim that nothing was changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from assetmap.core.errors import Cancelled

ProgressCallback = Callable[[int, int, str], None]


class Progress:
    """A progress sink with a thread-safe cancel flag."""

    def __init__(self, callback: ProgressCallback | None = None) -> None:
        self._callback = callback
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if the user asked to stop."""
        if self._cancel.is_set():
            raise Cancelled("Cancelled by the user; nothing was changed.")

    def update(self, done: int, total: int, message: str = "") -> None:
        self.check()
        self.notify(done, total, message)

    def notify(self, done: int, total: int, message: str = "") -> None:
        """Report without checking for cancel: for after the point of no return (the work is written)."""
        if self._callback is not None:
            self._callback(done, total, message)


def ensure_progress(progress: Progress | None) -> Progress:
    """Let every job accept ``None`` for "no progress reporting"."""
    return progress if progress is not None else Progress()


def sub_progress(parent: Progress, start: float, end: float, total: int) -> Progress:
    """A child job's progress shown as steps ``start``..``end`` of the parent's ``total``.

    Every child update goes through the parent, so cancelling the parent stops the child too.
    """
    scale = 100

    def forward(done: int, sub_total: int, message: str) -> None:
        frac = done / sub_total if sub_total else 1.0
        parent.update(int((start + (end - start) * frac) * scale), total * scale, message)

    return Progress(forward)
