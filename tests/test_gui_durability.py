"""Nothing lost: an edit survives SIGKILL; a project another process edits opens read-only; headless CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.project import Project

REPO = Path(__file__).resolve().parents[1]

EDIT_THEN_HANG = """
import sys
from PyQt6 import QtWebEngineWidgets
from assetmap.gui.app import make_app
app = make_app()
from assetmap.gui.main_window import MainWindow
from assetmap.gui.document import Document
w = MainWindow()
w.show()
assert w.open_project(__import__("pathlib").Path(sys.argv[1]))
asset_id = w.doc.add_asset({"name": "Survivor Hall", "category": "physical"})
w.doc.update_asset(asset_id, {"description": "confirmed before the crash"})
print("EDITED", asset_id, flush=True)
app.exec()
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": str(REPO), **extra}
    return env


def test_killed_app_keeps_every_confirmed_edit(empty_project: Path, tmp_path: Path) -> None:
    env = _env(tmp_path, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu")
    proc = subprocess.Popen([sys.executable, "-c", EDIT_THEN_HANG, str(empty_project)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("EDITED"), line
        asset_id = line.split()[1]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    with Project.open(empty_project) as project:  # the dead process's lock is stale and ignored
        record = project.asset(asset_id)
    assert record["name"] == "Survivor Hall" and record["description"] == "confirmed before the crash"


def test_project_locked_by_another_process_opens_read_only(qtbot: Any, window: Any, empty_project: Path,
                                                          tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom assetmap.core.project import Project\n"
         "p = Project.open(sys.argv[1])\nprint('locked', flush=True)\ntime.sleep(120)", str(empty_project)],
        stdout=subprocess.PIPE, text=True, env=_env(tmp_path), cwd=tmp_path)
    try:
        assert holder.stdout.readline().strip() == "locked"  # type: ignore[union-attr]
        open_and_wait(qtbot, window, empty_project)
        assert window.doc.readonly
        assert window.banner.isVisible()
        assert "Read-only" in window.banner.text() and f"process {holder.pid}" in window.banner.text()
        assert not window.menu_actions.add.isEnabled() and not window.menu_actions.import_.isEnabled()
        assert window.menu_actions.export.isEnabled()
        assert "(read-only)" in window.windowTitle()
    finally:
        holder.kill()
        holder.wait(30)


def test_headless_gui_command_writes_the_sample_web_map(tmp_path: Path) -> None:
    env = _env(tmp_path)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-m", "assetmap", "gui"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "assetmap-sample.html"
    assert out.is_file() and out.stat().st_size > 100_000
    assert str(out) in result.stdout
    assert (tmp_path / "data" / "assetmap" / "assetmap" / "trafford-sample.gpkg").is_file()
    html = out.read_text(encoding="utf-8")
    assert "Trafford" in html[:20000]
    assert "within 800 m of a place to meet" in html  # shaded and flagged by the sample's gap analysis


def test_headless_gui_command_with_a_project_writes_that_map(tmp_path: Path, empty_project: Path) -> None:
    env = _env(tmp_path)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-m", "assetmap", "gui", str(empty_project)], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "project.html").is_file() and "project.gpkg's web map" in result.stdout
    assert not (tmp_path / "assetmap-sample.html").exists()


def test_read_only_file_opens_with_the_reason_and_outside_edits_are_reported(
        qtbot: Any, window: Any, empty_project: Path) -> None:
    """A file edited in another program (a feature without timestamps) and then made read-only (chmod 444)."""
    import sqlite3

    with Project.open(empty_project) as project:
        asset_id = project.add_asset({"name": "Hall from QGIS", "category": "physical"})
    con = sqlite3.connect(empty_project)
    con.execute("UPDATE assets SET created_at = NULL, updated_at = NULL, visibility = 'Public' WHERE id = ?",
                (asset_id,))
    con.commit()
    con.close()
    empty_project.chmod(0o444)
    try:
        open_and_wait(qtbot, window, empty_project)
        assert window.doc.readonly
        assert window.banner.isVisible() and "the file is read-only" in window.banner.text()
        assert not window.menu_actions.add.isEnabled()
        message = window.statusBar().currentMessage()
        assert "Edits made outside assetmap were checked" in message and "created_at" in message
        assert window.table.model.rowCount() == 1
    finally:
        empty_project.chmod(0o644)
    with Project.open(empty_project, readonly=True) as project:  # a read-only view never wrote the completions
        row = project.connection.execute("SELECT created_at, visibility FROM main.assets").fetchone()
    assert row == (None, "Public")
