"""Cancel means cancel: an import (read, check, commit), a gap analysis, an export and a report stopped at
any stage leave the project file byte for byte as it was, and leave no output or temporary file.

"As it was" is a digest of every table of the GeoPackage (the assets ordered by id, the import history,
settings, gap results, extents and spatial indexes), read with a separate read-only SQLite connection.
The file imported is a real CSV of 5,000 rows built from the bundled Code-Point Open extract (every
postcode of Trafford with its easting and northing), with a council-style header.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from PyQt6.QtCore import Qt

from assetmap.core.analysis.run import run_gaps
from assetmap.core.assessments.report import write_report
from assetmap.core.assessments.store import add_assessment
from assetmap.core.errors import Cancelled
from assetmap.core.export.tables import write_csv, write_geojson
from assetmap.core.export.webmap import write_webmap
from assetmap.core.imports.pipeline import ImportOptions, commit_import, import_file, prepare_import
from assetmap.core.io.postcodes import load_lookups
from assetmap.core.progress import Progress
from assetmap.core.project import Project

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
CODEPOINT = SAMPLE / "postcodes" / "codepoint_open_trafford.csv"
ROWS = 5000


# --- fixtures: a Trafford project with assets in it, and a big file -------------------------------------------

@pytest.fixture
def trafford(tmp_path: Path) -> Path:
    """Trafford's 139 LSOAs, with the council's libraries already imported (so there is something to keep)."""
    hoods = gpd.read_file(SAMPLE / "boundaries" / "trafford_lsoa_2021.geojson")
    hoods = hoods.rename(columns={"area_code": "code", "area_name": "name"})
    path = tmp_path / "trafford.gpkg"
    Project.create(path, 27700, name="Trafford", neighbourhoods=hoods)
    with Project.open(path) as project:
        report = import_file(project, SAMPLE / "assets" / "trafford_libraries.csv")
    assert report.imported > 10
    return path


@pytest.fixture
def big_csv(tmp_path: Path) -> Path:
    """5,000 noticeboards, one at each of the first 5,000 postcodes of the Code-Point Open extract."""
    out = tmp_path / "Noticeboards register (Sept).csv"
    with open(CODEPOINT, newline="", encoding="utf-8") as src, open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Board ref", "Site Name", "Asset Category", "GRID EASTING", "GRID NORTHING", "Post Code"])
        for n, row in enumerate(csv.reader(src)):
            if n == ROWS:
                break
            writer.writerow([f"NB{n:05d}", f"Noticeboard at {row[0]}", "physical", row[2], row[3], row[0]])
    return out


def digest(path: Path) -> dict[str, tuple[int, str]]:
    """Every table of the file: (rows, sha256 of all rows in order), read as another program would."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            order = '"id"' if "id" in columns else "rowid" if table != "sqlite_sequence" else "name"
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def cancelling(when: Callable[[int, str], bool]) -> tuple[Progress, list[str]]:
    """A Progress that the "user" cancels as soon as ``when(count so far, message)`` is true, as the Cancel
    button does between two updates; returns it with the messages it saw."""
    seen: list[str] = []

    def callback(_done: int, _total: int, message: str) -> None:
        seen.append(message)
        if when(len(seen), message):
            progress.cancel()

    progress = Progress(callback)
    return progress, seen


def nth(text: str, n: int = 1) -> Callable[[int, str], bool]:
    """Cancel at the n-th update whose message starts with ``text``."""
    count = {"n": 0}

    def when(_i: int, message: str) -> bool:
        if message.startswith(text):
            count["n"] += 1
        return count["n"] >= n

    return when


def counted(fn: Callable[[Progress], Any]) -> list[str]:
    """The messages a job gives when nobody cancels (run on a copy: the stages to cancel at)."""
    seen: list[str] = []
    fn(Progress(lambda _d, _t, m: seen.append(m)))
    return seen


# --- import: read, check, commit ----------------------------------------------------------------------------

@pytest.mark.parametrize("stage", [
    ("Reading", 1),  # while the file is read
    ("Checking row", 2),  # while rows are checked (after 500 of them)
    ("Checking asset", 3),  # the commit: validating the records inside the transaction's call
    ("Saving asset", 2),  # the commit: 500 rows written inside the transaction
    ("Saving asset", 10),  # the commit: all 5,000 written, the history record next
])
def test_cancel_at_each_stage_of_an_import_changes_nothing(trafford: Path, big_csv: Path,
                                                           stage: tuple[str, int]) -> None:
    before = digest(trafford)
    progress, seen = cancelling(nth(*stage))
    with Project.open(trafford) as project, pytest.raises(Cancelled):
        prepared = prepare_import(project, big_csv, progress=progress)
        commit_import(project, prepared, progress=progress)
    assert any(m.startswith(stage[0]) for m in seen)
    assert digest(trafford) == before  # assets (count and checksum), the import history, extents, everything
    with Project.open(trafford) as project:  # and the project still takes the file whole
        report = import_file(project, big_csv)
        assert report.imported == ROWS and project.count("assets") == before["assets"][0] + ROWS
    assert digest(trafford)["imports"][0] == before["imports"][0] + 1


def test_cancel_while_the_postcode_lookup_is_read_changes_nothing(trafford: Path, big_csv: Path) -> None:
    """The wizard's read job reads the lookup first (a national one takes a while)."""
    before = digest(trafford)
    progress, seen = cancelling(nth("Reading postcodes"))
    with Project.open(trafford) as project, pytest.raises(Cancelled):
        lookup = load_lookups([CODEPOINT], progress)
        prepared = prepare_import(project, big_csv, ImportOptions(postcodes=lookup), progress)
        commit_import(project, prepared, remember_postcodes=True, progress=progress)
    assert seen == ["Reading postcodes: codepoint_open_trafford.csv"]
    assert digest(trafford) == before  # the lookup was not remembered either


def test_a_cancel_after_the_commit_comes_too_late_and_says_nothing_false(trafford: Path, big_csv: Path) -> None:
    """Once the COMMIT is done, "Imported" is reported without checking: the import is in the file."""
    progress, _seen = cancelling(lambda _i, message: message == "Imported")
    with Project.open(trafford) as project:
        report = commit_import(project, prepare_import(project, big_csv), progress=progress)
    assert progress.cancelled and report.import_id is not None
    with Project.open(trafford, readonly=True) as project:
        assert project.count("assets") >= ROWS


# --- gap analysis ---------------------------------------------------------------------------------------------

def test_cancel_a_gap_analysis_at_any_stage_keeps_the_last_results(trafford: Path, tmp_path: Path) -> None:
    with Project.open(trafford) as project:
        run_gaps(project)  # results to keep
        import_file(project, SAMPLE / "assets" / "trafford_community_hubs.csv")  # what a new run would count
    before = digest(trafford)
    copy = tmp_path / "copy.gpkg"
    shutil.copy(trafford, copy)
    with Project.open(copy) as project:
        stages = counted(lambda p: run_gaps(project, progress=p))
    assert len(stages) > 4
    for n in range(1, len(stages)):  # every update but "stored", which comes after the COMMIT
        progress, _seen = cancelling(lambda i, _m, n=n: i >= n)
        with Project.open(trafford) as project, pytest.raises(Cancelled):
            run_gaps(project, progress=progress)
        assert digest(trafford) == before, stages[n - 1]
    assert digest(copy)["gap_results"] != before["gap_results"]  # an uncancelled run does change them


def test_a_cancelled_first_analysis_does_not_copy_the_rules_in(trafford: Path) -> None:
    before = digest(trafford)
    progress, _seen = cancelling(lambda i, _m: i >= 2)
    with Project.open(trafford) as project, pytest.raises(Cancelled):
        run_gaps(project, progress=progress)
    assert digest(trafford) == before
    with Project.open(trafford) as project:
        assert project.get_setting("gap_rules") is None
        run_gaps(project)
        assert project.get_setting("gap_rules") is not None


# --- export and report ----------------------------------------------------------------------------------------

WRITERS: dict[str, Callable[..., Any]] = {
    "html": lambda project, out, progress: write_webmap(project, out, basemap=False, progress=progress),
    "geojson": lambda project, out, progress: write_geojson(project, out, progress=progress),
    "csv": lambda project, out, progress: write_csv(project, out, progress=progress),
}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_cancel_an_export_at_any_stage_leaves_no_file(trafford: Path, big_csv: Path, tmp_path: Path,
                                                      kind: str) -> None:
    with Project.open(trafford) as project:
        import_file(project, big_csv)  # 5,000 more: the CSV export reports rows as it writes them
    before = digest(trafford)
    folder = tmp_path / "out"
    folder.mkdir()
    with Project.open(trafford, readonly=True) as project:
        stages = counted(lambda p: WRITERS[kind](project, tmp_path / f"first.{kind}", p))
        assert (tmp_path / f"first.{kind}").stat().st_size > 1000
        for n in range(1, len(stages)):  # every update but the last ("Done", after the rename)
            progress, _seen = cancelling(lambda i, _m, n=n: i >= n)
            with pytest.raises(Cancelled):
                WRITERS[kind](project, folder / f"map.{kind}", progress)
            assert list(folder.iterdir()) == [], stages[n - 1]  # no output, no temporary file
    assert digest(trafford) == before


def test_a_cancelled_export_leaves_the_file_it_would_replace_as_it_was(trafford: Path, tmp_path: Path) -> None:
    out = tmp_path / "assets.csv"
    out.write_text("last week's list\n", encoding="utf-8")
    progress, _seen = cancelling(lambda i, _m: i >= 2)
    with Project.open(trafford, readonly=True) as project, pytest.raises(Cancelled):
        write_csv(project, out, progress=progress)
    assert out.read_text(encoding="utf-8") == "last week's list\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assets.csv", "trafford.gpkg"]


def test_cancel_a_report_leaves_no_file(trafford: Path, tmp_path: Path) -> None:
    from test_assess_helpers import full_assessment

    with Project.open(trafford) as project:
        library = str(project.assets()["id"].iloc[0])
        add_assessment(project, library, full_assessment())
    folder = tmp_path / "reports"
    folder.mkdir()
    with Project.open(trafford, readonly=True) as project:
        stages = counted(lambda p: write_report(project, library, tmp_path / "first.html", progress=p))
        for n in range(1, len(stages)):
            progress, _seen = cancelling(lambda i, _m, n=n: i >= n)
            with pytest.raises(Cancelled):
                write_report(project, library, folder / "report.html", progress=progress)
            assert list(folder.iterdir()) == [], stages[n - 1]
    assert "<html" in (tmp_path / "first.html").read_text(encoding="utf-8")


# --- the GUI: the progress dialog's Cancel button reaches the commit ------------------------------------------

def _pause_at(handle: Any, text: str, n: int) -> tuple[threading.Event, threading.Event]:
    """Hold the worker thread at the n-th progress update starting with ``text`` until ``resume`` is set, so the
    test clicks Cancel exactly there (the slot runs on the worker: a direct connection)."""
    paused, resume = threading.Event(), threading.Event()
    count = {"n": 0}

    def hold(_done: int, _total: int, message: str) -> None:
        if message.startswith(text):
            count["n"] += 1
            if count["n"] == n:
                paused.set()
                resume.wait(30)

    handle.progressed.connect(hold, Qt.ConnectionType.DirectConnection)
    return paused, resume


def _hold_the_worker(jobs: Any) -> threading.Event:
    """Queue a job that waits, so the next job cannot start before the test has hooked into it."""
    release = threading.Event()
    jobs.run("Waiting", lambda _p, _progress: release.wait(30), dialog=False)
    return release


def test_the_wizards_cancel_button_stops_the_commit_and_nothing_is_imported(qtbot: Any, trafford: Path,
                                                                            big_csv: Path) -> None:
    from assetmap.gui.document import Document
    from assetmap.gui.import_wizard import ImportWizard
    from assetmap.gui.jobs import JobRunner, ProgressDialog

    jobs = JobRunner()
    doc = Document.open(trafford)
    wizard = ImportWizard(doc, jobs)
    try:
        wizard.file_page.path.setText(str(big_csv))
        wizard.check(then_next=False)
        qtbot.waitUntil(lambda: wizard.prepared is not None, timeout=30000)
        assert wizard.prepared.report.imported == ROWS
        before = digest(trafford)
        release = _hold_the_worker(jobs)
        wizard.accept()  # Import
        dialog = next(d for d in wizard.findChildren(ProgressDialog) if d.handle.title == "Importing")
        paused, resume = _pause_at(dialog.handle, "Saving asset", 3)  # 1,000 rows written in the transaction
        release.set()
        qtbot.waitUntil(paused.is_set, timeout=30000)
        with qtbot.waitSignal(dialog.handle.cancelled, timeout=30000):
            dialog.cancel_button.click()
            resume.set()
        assert not wizard.committed and "nothing was imported" in wizard.report_page.error.text()
        assert digest(trafford) == before
        assert doc.project.count("assets") == before["assets"][0]
    finally:
        jobs.shutdown()
        wizard.deleteLater()
        doc.close()


def test_the_export_dialogs_cancel_button_leaves_no_file(qtbot: Any, trafford: Path, tmp_path: Path) -> None:
    from assetmap.gui.export_dialog import ExportDialog
    from assetmap.gui.jobs import JobRunner

    jobs = JobRunner()
    project = Project.open(trafford, readonly=True)
    dialog = ExportDialog(project, jobs)
    folder = tmp_path / "maps"
    folder.mkdir()
    try:
        dialog.path.setText(str(folder / "trafford.html"))
        release = _hold_the_worker(jobs)
        handle = dialog.run()
        assert handle is not None
        paused, resume = _pause_at(handle, "Writing the page", 1)  # the page built, about to be written
        release.set()
        qtbot.waitUntil(paused.is_set, timeout=30000)
        with qtbot.waitSignal(handle.cancelled, timeout=30000):
            handle.dialog.cancel_button.click()
            resume.set()
        assert list(folder.iterdir()) == [] and dialog.written is None
    finally:
        jobs.shutdown()
        dialog.deleteLater()
        project.close()
