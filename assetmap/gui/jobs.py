"""Long jobs (import, analysis, export) off the GUI thread, one at a time, with progress and Cancel.

Like Anki's ``taskman``, all background work goes to a single worker thread, so two jobs never write to
the project at once and the order of writes is the order of requests. The core job reports through
``assetmap.core.progress.Progress``; its callback only emits a Qt signal, which Qt queues to the
GUI thread, so the window stays responsive without any ``processEvents``. SQLite connections
belong to the thread that made them, so each job gets its own handle on the project file
(``Project.attach``; the window's handle keeps the lock).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal, pyqtSlot
from PyQt6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from assetmap.core.errors import AssetmapError, Cancelled
from assetmap.core.progress import Progress
from assetmap.core.project.store import Project

log = logging.getLogger(__name__)
JobFn = Callable[[Project | None, Progress], Any]


class JobHandle(QObject):
    """One submitted job: its signals arrive on the GUI thread; ``cancel`` is safe from anywhere."""

    progressed = pyqtSignal(int, int, str)
    succeeded = pyqtSignal(object)
    failed = pyqtSignal(str)
    cancelled = pyqtSignal()
    ended = pyqtSignal()  # after any of the three above

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.progress = Progress(lambda done, total, message: self.progressed.emit(done, total, message))
        self.result: Any = None
        self.error = ""
        self.was_cancelled = False
        self.finished = False

    def cancel(self) -> None:
        self.progress.cancel()


class _Task:
    """One queued job; ``run`` is called on the worker thread."""

    def __init__(self, handle: JobHandle, fn: JobFn, project_path: Path | None, readonly: bool) -> None:
        self.handle, self.fn, self.path, self.readonly = handle, fn, project_path, readonly

    def run(self) -> None:
        handle = self.handle
        project = None
        log.debug("job %r started", handle.title)
        try:
            handle.progress.check()
            project = Project.attach(self.path, readonly=self.readonly) if self.path else None
            handle.result = self.fn(project, handle.progress)
            handle.succeeded.emit(handle.result)
        except Cancelled:
            handle.was_cancelled = True
            handle.cancelled.emit()
        except AssetmapError as exc:
            handle.error = str(exc)
            handle.failed.emit(handle.error)
        except Exception as exc:  # a bug: keep the app alive and say what happened
            log.exception("job %s failed", handle.title)
            handle.error = f"{handle.title} failed unexpectedly: {type(exc).__name__}: {exc}"
            handle.failed.emit(handle.error)
        finally:
            if project is not None:
                project.close()
            handle.finished = True
            log.debug("job %r ended (%s)", handle.title,
                      "cancelled" if handle.was_cancelled else "failed" if handle.error else "done")
            handle.ended.emit()


class ProgressDialog(QDialog):
    """Progress bar, what is happening, and Cancel; modal to its window so edits wait for the job."""

    def __init__(self, handle: JobHandle, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.handle = handle
        self.setWindowTitle(handle.title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.label = QLabel(handle.title)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the job; nothing it was writing is kept.")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.setMinimumWidth(380)
        self._done = False

    def appear(self) -> None:
        if not self._done:
            self.show()

    def show_progress(self, done: int, total: int, message: str) -> None:
        if self.handle.progress.cancelled:
            return
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        if message:
            self.label.setText(message)

    def cancel(self) -> None:
        self.handle.cancel()
        self.label.setText("Cancelling…")
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:  # Esc or the window's close button mean Cancel
        if not self._done:
            self.cancel()

    def finish(self) -> None:
        self._done = True
        self.hide()
        self.deleteLater()


class JobRunner(QObject):
    """Runs jobs one after another on a single worker thread; ``shutdown`` cancels and waits.

    The worker is one long-lived Python thread rather than a QThreadPool: pyproj keeps its PROJ
    context per Python thread state, and pool threads lose theirs between tasks (a second task then
    crashed inside ``proj_create``).
    """

    busyChanged = pyqtSignal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue[_Task | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._active: list[JobHandle] = []
        self._dialogs: dict[JobHandle, ProgressDialog] = {}

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def run(self, title: str, fn: JobFn, *, project: Project | None = None, parent: QWidget | None = None,
            dialog: bool = True) -> JobHandle:
        """Queue ``fn(worker handle, progress)``; shows a progress dialog with Cancel unless ``dialog`` is False."""
        # Deleted on the GUI thread once it has ended (``_ended``): the worker thread, where the last Python
        # reference may go, must never be where a handle and the connections to its signals are destroyed.
        handle = JobHandle(title)
        self._active.append(handle)
        handle.ended.connect(self._handle_ended)  # a bound slot: never called once the runner is gone
        if dialog:
            self._attach_dialog(handle, parent)
        if len(self._active) == 1:
            self.busyChanged.emit(True)
        path = project.path if project is not None else None
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="assetmap-jobs", daemon=True)
            self._thread.start()
        task = _Task(handle, fn, path, bool(project is not None and project.readonly))
        # Queued from the event loop, not now: the caller connects to the handle's signals after ``run``
        # returns, and a quick job finished before that (its result signalled to nobody: the map once
        # waited for ever for a redraw that had been done).
        QTimer.singleShot(0, lambda: self._queue.put(task))
        return handle

    def _work(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            task.run()

    def _attach_dialog(self, handle: JobHandle, parent: QWidget | None) -> None:
        box = ProgressDialog(handle, parent)
        self._dialogs[handle] = box
        handle.progressed.connect(box.show_progress)
        handle.ended.connect(box.finish)  # a bound slot: disconnected if the dialog's parent went first
        QTimer.singleShot(400, box.appear)  # quick jobs finish without a flash of a dialog
        handle.dialog = box  # type: ignore[attr-defined]

    @pyqtSlot()
    def _handle_ended(self) -> None:
        handle = self.sender()
        if isinstance(handle, JobHandle):
            self._ended(handle)

    def _ended(self, handle: JobHandle) -> None:
        if handle in self._active:
            self._active.remove(handle)
        self._dialogs.pop(handle, None)
        handle.deleteLater()  # after every signal it sent: ``ended`` is its last
        if not self._active:
            self.busyChanged.emit(False)

    def cancel_all(self) -> None:
        for handle in list(self._active):
            handle.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel every job and wait for the worker; True when it stopped in time."""
        self.cancel_all()
        thread = self._thread
        if thread is None or not thread.is_alive():
            return True
        self._queue.put(None)
        thread.join(timeout_ms / 1000)
        self._thread = None
        return not thread.is_alive()
