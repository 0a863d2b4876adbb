"""The main window on the sample project: tables, layers, basemap-free map, screenshot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from test_gui_helpers import dispose, js, make_window, open_and_wait, sample_copy, sample_master, window  # noqa: F401

from assetmap.core.project import Project

ARTIFACTS = Path(os.environ.get("ASSETMAP_ARTIFACTS", Path(__file__).resolve().parents[1] / "build" / "test-artifacts"))


def test_sample_project_opens_with_every_asset_in_the_table(qtbot: Any, window: Any, sample_copy: Path) -> None:
    open_and_wait(qtbot, window, sample_copy)
    with Project.open(sample_copy, readonly=True) as project:
        summary = project.summary()
    assert window.table.model.rowCount() == summary["assets"]
    assert window.table.proxy.rowCount() == summary["assets"]
    labels = [window.layers.tree.topLevelItem(i).text(0) for i in range(window.layers.tree.topLevelItemCount())]
    assert labels[0] == f"Neighbourhoods ({summary['neighbourhoods']})"
    assert f"({summary['by_category']['physical']})" in " ".join(labels)
    assert window.status.file.text() == sample_copy.name
    assert not window.banner.isVisible()
    # the page drew every located asset it was sent
    assert js(qtbot, window, "assetmapDesktop.data.assets.rows.length") == summary["assets"]


def test_filters_by_category_text_and_unlocated(qtbot: Any, window: Any, sample_copy: Path) -> None:
    open_and_wait(qtbot, window, sample_copy)
    with Project.open(sample_copy, readonly=True) as project:
        summary = project.summary()
    panel = window.table
    panel.unlocated.setChecked(True)
    assert panel.proxy.rowCount() == summary["unlocated"] > 0
    panel.unlocated.setChecked(False)
    panel.category.setCurrentIndex(panel.category.findData("institutions"))
    assert panel.proxy.rowCount() == summary["by_category"]["institutions"]
    panel.category.setCurrentIndex(0)
    panel.search.setText("library")
    assert 0 < panel.proxy.rowCount() < summary["assets"]


def test_hiding_a_layer_removes_it_from_the_map(qtbot: Any, window: Any, sample_copy: Path) -> None:
    """The sample has no gap results yet: unticking must not rebuild the tree under Qt's feet (it crashed)."""
    from PyQt6 import sip
    from PyQt6.QtCore import Qt

    open_and_wait(qtbot, window, sample_copy)
    tree = window.layers.tree
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    item = next(i for i in items if "Physical" in i.text(0))
    with Project.open(sample_copy, readonly=True) as project:
        summary = project.summary()
        assert project.count("gap_results") == 0

    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=20000) as blocker:
        item.setCheckState(0, Qt.CheckState.Unchecked)
    assert blocker.args == [summary["assets"] - summary["by_category"]["physical"]]
    # the same items, updated in place, and the unticked one stays unticked
    assert not sip.isdeleted(item)
    assert [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())] == items
    assert item.checkState(0) == Qt.CheckState.Unchecked

    # ticking it again (and the neighbourhoods off) redraws every asset
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=20000) as blocker:
        item.setCheckState(0, Qt.CheckState.Checked)
    assert blocker.args == [summary["assets"]]
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=20000):
        items[0].setCheckState(0, Qt.CheckState.Unchecked)
    assert js(qtbot, window, "assetmapDesktop.data.neighbourhoods.length") == 0


def test_map_without_basemap_is_usable_and_screenshot(qtbot: Any, tmp_path: Path, sample_copy: Path) -> None:
    window = make_window(qtbot, tmp_path, basemap=False)
    open_and_wait(qtbot, window, sample_copy)
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmap.ready") is True, timeout=20000)
    assert js(qtbot, window, "assetmapDesktop.markerCount()") > 0
    assert js(qtbot, window, "document.querySelectorAll('.leaflet-tile').length") == 0
    assert js(qtbot, window, "document.querySelectorAll('.am-hoods, path.leaflet-interactive').length") > 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "main-window-sample.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 10000
    dispose(window)


def test_tables_sort_by_value_and_keep_the_selection(qtbot: Any, window: Any, sample_copy: Path) -> None:
    """The models sort themselves: text without case, numbers as numbers, blanks last, selection kept."""
    from PyQt6.QtCore import Qt

    from assetmap.gui.asset_table import ID_ROLE

    open_and_wait(qtbot, window, sample_copy)
    panel = window.table
    names = [panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())]
    assert names == sorted(names, key=str.casefold)  # name order on opening
    chosen = panel.proxy.index(5, 0).data(ID_ROLE)
    panel.select(chosen)
    panel.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # by kind, as a header click does
    kinds = [panel.proxy.index(r, 2).data() for r in range(panel.proxy.rowCount())]
    filled = [k for k in kinds if k]
    assert filled == sorted(filled, key=str.casefold, reverse=True)
    assert kinds[len(filled):] == [""] * (len(kinds) - len(filled))
    assert panel.current_id() == chosen  # the selection followed its row
    panel.search.setText("library")
    assert all("library" in " ".join(panel.proxy.index(r, c).data().lower() for c in (0, 2, 3, 4))
               for r in range(panel.proxy.rowCount()))

    gaps = window.gaps
    results = [{"code": f"C{i}", "name": f"Area {i}", "priority": i, "population": None if i == 3 else 100 * i,
                "imd_decile": 5, "flags": []} for i in range(1, 13)]
    gaps.set_results(results, [], "2026-11-26T10:00")
    assert [gaps.proxy.index(r, 0).data() for r in range(12)] == [str(i) for i in range(1, 13)]  # 10 after 9
    gaps.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    populations = [gaps.proxy.index(r, 2).data() for r in range(12)]
    assert populations[:3] == ["1200", "1100", "1000"] and populations[-1] == ""  # the unknown one last


def test_map_comes_back_after_its_page_process_is_killed(qtbot: Any, window: Any, sample_copy: Path) -> None:
    """Short of memory, the OS may kill the page's process: the map reloads with its data."""
    import signal

    open_and_wait(qtbot, window, sample_copy)
    pid = window.map.web_page().renderProcessPid()
    assert pid > 0
    loads = window.map.page_loads
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=30000) as drawn:
        os.kill(pid, signal.SIGKILL)
    with Project.open(sample_copy, readonly=True) as project:
        assert drawn.args == [project.summary()["assets"]]
    assert window.map.page_loads == loads + 1 and window.map.renderer_restarts == 1
    assert "reloaded" in window.status_bar().currentMessage()
    assert js(qtbot, window, "assetmapDesktop.markerCount()") > 0
