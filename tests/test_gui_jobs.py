"""Long jobs: progress and Cancel off the GUI thread, the gap analysis into the gap table, and closing waits."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt
from test_gui_helpers import open_and_wait, sample_copy, sample_master, window  # noqa: F401

from assetmap.core.progress import Progress
from assetmap.gui.jobs import JobRunner


def test_job_reports_progress_and_cancel_stops_it(qtbot: Any) -> None:
    runner = JobRunner()
    worker_threads: list[Any] = []
    release = threading.Event()

    def slow(_project: Any, progress: Progress) -> str:
        worker_threads.append(threading.current_thread())
        n = 0
        while True:  # until cancelled: each update raises Cancelled once Cancel was pressed
            progress.update(n, 1000, f"Step {n}")
            n += 1
            release.wait(0.005)

    handle = runner.run("Slow job", slow)
    with qtbot.waitSignal(handle.progressed, timeout=5000):
        pass
    assert runner.busy
    dialog = handle.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)  # shown after its short delay, window stays responsive
    with qtbot.waitSignal(handle.cancelled, timeout=5000):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert handle.was_cancelled and handle.result is None
    assert worker_threads and worker_threads[0] is not threading.main_thread()


def test_shutdown_cancels_and_waits(qtbot: Any) -> None:
    runner = JobRunner()
    started = threading.Event()

    def forever(_project: Any, progress: Progress) -> None:
        started.set()
        while True:
            progress.update(0, 1, "")
            threading.Event().wait(0.005)

    handle = runner.run("Forever", forever, dialog=False)
    qtbot.waitUntil(started.is_set, timeout=5000)  # it starts once the event loop turns (see JobRunner.run)
    assert runner.shutdown(5000)
    assert handle.finished and handle.was_cancelled


def test_find_gaps_fills_the_gap_table(qtbot: Any, window: Any, sample_copy: Path) -> None:
    open_and_wait(qtbot, window, sample_copy)
    window.menu_actions.gaps.trigger()
    qtbot.waitUntil(lambda: window.gaps.model.rowCount() > 0, timeout=30000)
    with window.doc.project.connection as conn:
        stored = conn.execute("SELECT COUNT(*) FROM gap_results").fetchone()[0]
    assert window.gaps.model.rowCount() == stored == 139
    assert window.gaps.proxy.index(0, 0).data() == "1"  # priority order
    assert "Last run" in window.gaps.note.text()
    assert window.layers.indicator.count() > 1
    results = [json.loads(r[0]) for r in window.doc.project.connection.execute("SELECT result FROM gap_results")]
    outlined = sum(1 for r in results if r["attention"])
    assert 1 <= outlined <= 13  # the top tenth by priority, not every flagged neighbourhood
    qtbot.waitUntil(lambda: "Gaps flagged" in window.layers.gap_note.text(), timeout=10000)
    assert f"of 139 neighbourhoods; the {outlined} that need attention most" in window.layers.gap_note.text()
    # choosing a neighbourhood zooms the map to it
    with qtbot.waitSignal(window.gaps.neighbourhoodSelected, timeout=5000):
        window.gaps.view.selectRow(0)


def test_cancelled_analysis_leaves_the_project_unchanged(qtbot: Any, window: Any, sample_copy: Path) -> None:
    open_and_wait(qtbot, window, sample_copy)
    from assetmap.core.analysis.rules import ensure_project_rules

    ensure_project_rules(window.doc.project)  # the first run copies the rules in; do that beforehand
    before = sample_copy.read_bytes()
    from assetmap.gui import operations

    handle = operations.run_gaps(window)
    handle.cancel()  # before the worker gets far: the first progress update raises Cancelled
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=30000)  # it may already have ended
    assert handle.was_cancelled
    assert window.gaps.model.rowCount() == 0
    assert window.doc.project.connection.execute("SELECT COUNT(*) FROM gap_results").fetchone()[0] == 0
    assert window.doc.project.get_setting("gap_run") is None
    assert sample_copy.read_bytes() == before


def test_a_quick_job_still_reaches_the_handlers_connected_after_run(qtbot: Any) -> None:
    """Handlers are connected after ``run`` returns; a job that finished before that once signalled nobody,
    and the map waited for ever for a redraw already done (a toggle now and then never showed)."""
    import time

    runner = JobRunner()
    got: list[Any] = []
    handles = [runner.run(f"quick {i}", lambda _p, _progress, i=i: i, dialog=False) for i in range(3)]
    time.sleep(0.3)  # the caller is busy a moment: the worker would be done by now
    for handle in handles:
        handle.succeeded.connect(got.append)
    qtbot.waitUntil(lambda: len(got) == 3, timeout=10000)
    assert got == [0, 1, 2]
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    assert runner.shutdown()
