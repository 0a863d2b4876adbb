"""A first-time user on a 1366x768 laptop: what the screenshots of each step showed and was fixed.

Real windows offscreen, real GeoPackage projects. Each test says which step of the walk-through it
comes from; each assertion would fail with the problem back in place.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import shapely
from PyQt6.QtCore import QSettings, Qt
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import QApplication, QMessageBox, QScrollArea
from test_gui_edit import add_hall, fill_form, latlon, on_disk
from test_gui_helpers import (  # noqa: F401
    JS_TIMEOUT,
    dispose,
    js,
    open_and_wait,
    sample_copy,
    sample_master,
    window,
)

from assetmap.core.project import Project
from assetmap.gui.settings import AppSettings

LAPTOP = (1366, 768)


def laptop(qtbot: Any, window: Any, path: Path) -> None:
    """The window as big as a 1366x768 laptop screen, the project opened in it (first run: docks sized)."""
    window.resize(*LAPTOP)
    qtbot.wait(50)
    open_and_wait(qtbot, window, path)
    qtbot.wait(100)  # the first-run dock sizes are set from the event loop


def click_map(qtbot: Any, window: Any, x: float = 380500, y: float = 390500) -> None:
    window.menu_actions.add.trigger()
    window.map.bridge.onMapClick(*latlon(x, y))  # the slot the page calls on a click
    assert window.form.is_new


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: asked.append(a[2]) or button))
    return asked


# --- step 1, the welcome page, and every dialog: sizes that fit the screen --------------------------------------


def test_window_and_dialogs_open_within_the_screen(qtbot: Any, tmp_path: Path, empty_project: Path) -> None:
    """The window opened 1280x820 and the assessment dialog 760 high: taller than a 768-pixel laptop."""
    from assetmap.gui.assessment_dialog import AssessmentDialog
    from assetmap.gui.import_wizard import ImportWizard
    from assetmap.gui.main_window import MainWindow
    from assetmap.gui.screen import available_size

    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.set_basemap(False)
    w = MainWindow(settings)  # no resize: the size the app picks itself
    try:
        room = available_size(w)
        assert w.width() <= room.width() and w.height() <= room.height()
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is w.welcome.sample, timeout=5000)  # the first button
        open_and_wait(qtbot, w, empty_project)
        from assetmap.core.assessments import project_criteria

        criteria = project_criteria(w.doc.project)
        dialog = AssessmentDialog({"id": "x", "name": "Elm Road Hall"}, criteria, None, lambda raw: "", w)
        assert dialog.height() <= room.height() and dialog.width() <= room.width()
        assert dialog.total.text().startswith("Total score: none yet")  # not "0 out of 100" before any score
        wizard = ImportWizard(w.doc, w.jobs, w)
        assert wizard.height() <= room.height() and wizard.width() <= room.width()
    finally:
        dispose(w)


def test_project_opens_zoomed_to_all_of_it(qtbot: Any, tmp_path: Path, sample_copy: Path) -> None:
    """Step 2: the map was fitted while the panels were still being laid out, and a project edited in QGIS
    (which opens with a long message in the status bar) opened zoomed right into one corner."""
    from assetmap.gui.main_window import MainWindow

    with sqlite3.connect(sample_copy) as db:  # categories retyped in QGIS: read as meant, and said so on opening
        db.execute("UPDATE assets SET category = 'Physical spaces' WHERE fid IN "
                   "(SELECT fid FROM assets WHERE category = 'physical' LIMIT 3)")
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.set_basemap(False)
    w = MainWindow(settings)
    try:
        w.resize(*LAPTOP)  # a first run on a laptop
        w.show()
        qtbot.waitExposed(w)
        qtbot.waitUntil(lambda: w.map.ready, timeout=JS_TIMEOUT)  # the page has loaded behind the welcome page
        qtbot.wait(2500)  # and settled, as when someone reads the welcome page before choosing
        open_and_wait(qtbot, w, sample_copy)
        assert "edited outside assetmap" in w.statusBar().currentMessage()
        inside = "assetmap.map.getBounds().pad(0.02).contains(L.latLngBounds(assetmapDesktop.data.bounds))"
        qtbot.waitUntil(lambda: js(qtbot, w, inside) is True, timeout=5000)
    finally:
        dispose(w)


def test_opening_says_what_was_opened(qtbot: Any, window: Any, sample_copy: Path) -> None:
    laptop(qtbot, window, sample_copy)
    assert re.match(r"Opened: \d+ assets\.", window.statusBar().currentMessage())


# --- step 3, finding an asset -------------------------------------------------------------------------------------


def test_asset_table_shows_whole_words_counts_and_says_when_nothing_matches(
        qtbot: Any, window: Any, sample_copy: Path) -> None:
    laptop(qtbot, window, sample_copy)
    panel = window.table
    total = panel.model.rowCount()
    assert panel.count.text() == f"{total} assets" and not panel.empty.isVisible()
    metrics = panel.view.fontMetrics()
    for column in (1, 2):  # Category and Kind read whole ("Physical spac…" before)
        widest = max(metrics.horizontalAdvance(panel.model.index(r, column).data()) for r in range(total))
        assert panel.view.columnWidth(column) >= min(widest, metrics.horizontalAdvance("Allotment or community garden"))
    assert {panel.model.index(r, 6).data() for r in range(total)} <= {"Public", "Private"}
    panel.search.setText("library")
    shown = panel.proxy.rowCount()
    assert 0 < shown < total and panel.count.text() == f"{shown} of {total} shown"
    panel.search.setText("no such asset anywhere")
    assert panel.empty.isVisible() and "No asset matches" in panel.empty.text()
    panel.search.clear()
    assert not panel.empty.isVisible()


def test_an_empty_project_says_how_to_add_assets(qtbot: Any, window: Any, empty_project: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    assert window.table.empty.isVisible() and "Add asset" in window.table.empty.text()
    assert "Import" in window.table.empty.text()


# --- steps 4 and 5: adding a hall by clicking the map, then the form -------------------------------------------


def test_adding_says_so_above_the_map_and_esc_stops_only_what_there_is_to_stop(
        qtbot: Any, window: Any, empty_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_and_wait(qtbot, window, empty_project)
    assert not window.menu_actions.cancel.isEnabled()  # Esc is free for the widgets when nothing is going on
    window.menu_actions.add.trigger()
    assert window.mode_bar.isVisible() and "click the map" in window.mode_text.text()
    assert window.menu_actions.cancel.isEnabled()
    window.menu_actions.cancel.trigger()
    assert not window.mode_bar.isVisible() and not window.controller.mode
    click_map(qtbot, window)
    assert not window.mode_bar.isVisible()
    window.form.editors["name"].input.setText("Half-typed hall")
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.menu_actions.cancel.trigger()  # Esc while typing: asked first, and Cancel keeps the form
    assert asked and window.form.is_new and window.form.editors["name"].value() == "Half-typed hall"
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    window.menu_actions.cancel.trigger()
    assert not window.form.is_new and on_disk(empty_project).empty


def test_adding_asks_before_dropping_changes_typed_into_the_form(
        qtbot: Any, window: Any, empty_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Project.open(empty_project) as project:
        hall = project.add_asset({"name": "Elm Road Hall", "category": "physical"}, shapely.Point(380500, 390500))
    open_and_wait(qtbot, window, empty_project)
    window.doc.select(hall)
    window.form.editors["name"].input.setText("Elm Road Community Hall")
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.menu_actions.add.trigger()
    assert asked and "not saved" in asked[0]
    assert not window.controller.mode and window.form.editors["name"].value() == "Elm Road Community Hall"


def test_new_asset_form_starts_clean_and_always_says_what_is_missing(qtbot: Any, window: Any,
                                                                   empty_project: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    click_map(qtbot, window)
    form = window.form
    assert not any(e.problem.isVisibleTo(form) for e in form.editors.values())  # no wall of red on an empty form
    assert form.hint.isVisibleTo(form) and "Name, Category" in form.hint.text()
    assert not form.save.isEnabled()
    fill_form(window, name="Moss Hall", email="not an email")
    assert form.editors["email"].problem.isVisibleTo(form)  # typed in: its problem shows at once
    assert not form.editors["category"].problem.isVisibleTo(form)
    assert "Category" in form.hint.text() and "E-mail" in form.hint.text()
    # the hint sits outside the scrolling form, next to the buttons: in view however the form is scrolled
    assert not form.scroll_area.isAncestorOf(form.hint) and not form.scroll_area.isAncestorOf(form.save)
    window.menu_actions.save_form.trigger()  # Ctrl+S with problems left: every problem shows, focus goes to the first
    assert form.editors["category"].problem.isVisibleTo(form)
    assert form.editors["category"].input.hasFocus() or QApplication.focusWidget() is form.editors["category"].input
    fill_form(window, category="physical", email="hall@example.org")
    assert form.save.isEnabled() and "press Add asset" in form.hint.text()
    window.menu_actions.save_form.trigger()
    assert list(on_disk(empty_project)["name"]) == ["Moss Hall"]
    assert "Added “Moss Hall”" in window.statusBar().currentMessage()
    assert not form.hint.isVisibleTo(form)


def test_problem_lines_in_the_form_are_never_cut_off(qtbot: Any, window: Any, empty_project: Path) -> None:
    """Step 5 at 1366x768: the category problem wrapped to four lines and showed three."""
    laptop(qtbot, window, empty_project)
    click_map(qtbot, window)
    window.form.save_or_explain()  # show every problem
    qtbot.wait(100)
    shown = [e for e in window.form.editors.values() if e.problem.isVisibleTo(window.form)]
    assert any(e.problem.heightForWidth(e.problem.width()) > 3 * e.problem.fontMetrics().lineSpacing()
               for e in shown)  # the long one: at least four lines in the dock at this size
    for editor in shown:
        label = editor.problem
        assert label.height() >= label.heightForWidth(label.width()), editor.spec.name


def test_ctrl_s_saves_the_asset_form_and_the_status_bar_confirms_each_edit(
        qtbot: Any, window: Any, empty_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Project.open(empty_project) as project:
        hall = project.add_asset({"name": "Elm Road Hall", "category": "physical"}, shapely.Point(380500, 390500))
    open_and_wait(qtbot, window, empty_project)
    assert QKeySequence(QKeySequence.StandardKey.Save) in window.menu_actions.save_form.shortcuts()
    assert window.menu_actions.save_form in window.menuBar().actions()[0].menu().actions()
    window.menu_actions.save_form.trigger()
    assert "Nothing to save" in window.statusBar().currentMessage()
    window.doc.select(hall)
    name = window.form.editors["name"].input
    name.setText("Elm Road Community Hall")
    assert "Ctrl+S" in window.form.hint.text()
    window.activateWindow()
    name.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is name, timeout=5000)
    qtbot.keyClick(name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # the real key
    assets = on_disk(empty_project)
    assert assets.loc[assets["id"] == hall, "name"].iloc[0] == "Elm Road Community Hall"
    assert "Saved the changes to “Elm Road Community Hall”" in window.statusBar().currentMessage()
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    window.menu_actions.delete.trigger()
    assert "Deleted “Elm Road Community Hall”" in window.statusBar().currentMessage()
    assert "Undo" in window.statusBar().currentMessage()


# --- steps 6 and 7: Find gaps, the gap table and the charts ------------------------------------------------------


def test_find_gaps_reports_in_the_status_bar_and_the_gap_table_headings_read_whole(
        qtbot: Any, window: Any, empty_project: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    window.run_gaps()
    qtbot.waitUntil(lambda: "Gap analysis done" in window.statusBar().currentMessage(), timeout=60000)
    assert re.search(r"gaps flagged in \d+ of 2 neighbourhoods", window.statusBar().currentMessage())
    gaps = window.gaps
    headers = gaps.model.headers
    assert "IMD decile" not in headers and any("Deprivation" in h for h in headers)
    metrics = gaps.view.horizontalHeader().fontMetrics()
    for column, title in enumerate(headers):
        tip = gaps.model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        assert tip and len(tip) > len(title), title  # each heading explains itself
        if title.startswith("Within reach of"):
            assert gaps.view.columnWidth(column) >= metrics.horizontalAdvance(title), title


def test_charts_get_room_to_be_read_and_give_it_back(qtbot: Any, window: Any, sample_copy: Path) -> None:
    """Step 7 at 1366x768: four bars visible, the legend and the value axis scrolled out of sight."""
    from PyQt6.QtCharts import QValueAxis

    from assetmap.gui.charts import CHART_CHROME, ROW_HEIGHT

    laptop(qtbot, window, sample_copy)
    results = [{"code": str(i), "name": f"Area {i}", "priority": i,
                "per_1000": {"physical": i * 1.3, "associations": i}}
               for i in range(1, 13)]
    window.charts.set_results(results, [], window.doc.project.taxonomy)
    dock = window.docks[2]
    before = dock.height()
    room = window.stack.height() + dock.height()
    window.tabs.setCurrentWidget(window.charts)
    qtbot.waitUntil(lambda: dock.height() >= room // 2, timeout=5000)
    viewport = window.charts.scroll_area.viewport().height()
    assert viewport >= CHART_CHROME + 5 * ROW_HEIGHT  # at least five neighbourhoods with their legend and axis
    chart = window.charts.view.chart()
    assert chart.legend().alignment() == Qt.AlignmentFlag.AlignTop
    axis = next(a for a in chart.axes() if isinstance(a, QValueAxis))
    assert axis.alignment() == Qt.AlignmentFlag.AlignTop and not chart.title()
    assert axis.max() == int(axis.max())  # nice round ticks
    window.tabs.setCurrentWidget(window.table)
    qtbot.waitUntil(lambda: abs(dock.height() - before) <= 8, timeout=5000)  # the map gets its room back


def test_tabs_and_menus_have_different_alt_keys(qtbot: Any, window: Any, sample_copy: Path) -> None:
    """Alt+A was both the Assets tab and the Analysis menu, Alt+H Charts and Help, Alt+B Buildings twice."""
    open_and_wait(qtbot, window, sample_copy)
    keys = [re.search(r"&(\w)", a.text()).group(1).lower() for a in window.menuBar().actions()]
    keys += [re.search(r"&(\w)", window.tabs.tabText(i)).group(1).lower() for i in range(window.tabs.count())]
    assert len(keys) == len(set(keys)), keys
    window.activateWindow()
    window.table.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table.search, timeout=5000)
    qtbot.keyClick(window.table.search, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentWidget() is window.charts


def test_layers_panel_keeps_the_shading_next_to_the_layers(qtbot: Any, window: Any, sample_copy: Path) -> None:
    laptop(qtbot, window, sample_copy)
    layers = window.layers
    assert layers.tree.verticalScrollBar().maximum() == 0  # every layer in view
    # the shading list sits under the layers, not at the foot of the panel
    assert layers.indicator.geometry().bottom() < layers.height() // 2


# --- the people panel ------------------------------------------------------------------------------------------


def test_people_panel_keeps_its_buttons_in_view_and_speaks_plainly(qtbot: Any, window: Any,
                                                                  empty_project: Path) -> None:
    laptop(qtbot, window, empty_project)
    panel = window.people
    window.tabs.setCurrentWidget(panel)
    scroll = panel.findChild(QScrollArea)
    assert not scroll.isAncestorOf(panel.save) and not scroll.isAncestorOf(panel.new)  # never scrolled away
    assert panel.save.isVisible() and panel.empty.isVisible() and "Import people's skills" in panel.empty.text()
    assert not any(e.problem.isVisibleTo(panel) for e in panel.editors.values())  # a blank form is not an error
    assert not panel.hint.isVisibleTo(panel)
    panel.editors["display_name"].set_value("Asha")
    assert panel.hint.isVisibleTo(panel) and "Consent given" in panel.hint.text()
    panel.editors["consent"].set_value("yes")
    panel.editors["consent_on"].set_value("2024-05-01")
    panel.editors["neighbourhood_code"].set_value("E01000001")
    panel.save.click()
    assert panel.table.rowCount() == 1 and not panel.empty.isVisible()
    cells = [panel.table.item(0, c).text() for c in range(panel.table.columnCount())]
    assert "West" in cells and "E01000001" not in cells and "Yes" in cells  # names and words, not codes


# --- the import wizard ---------------------------------------------------------------------------------------------


def test_import_wizard_names_categories_and_rows_as_the_rest_of_the_app(
        qtbot: Any, window: Any, empty_project: Path, tmp_path: Path) -> None:
    from assetmap.gui.import_wizard import FILE_FILTER, ImportWizard

    assert "*.pbf" in FILE_FILTER and "*.tsv" in FILE_FILTER  # OpenStreetMap extracts and tab-separated text
    source = tmp_path / "clubs.csv"
    source.write_text("Site name,Longitude,Latitude\nOak Club,-2.32,53.44\nElm Club,-2.33,53.43\n", encoding="utf-8")
    open_and_wait(qtbot, window, empty_project)
    wizard = ImportWizard(window.doc, window.jobs, window)
    wizard.show()
    page = wizard.file_page
    labels = [page.category.itemText(i) for i in range(page.category.count())]
    assert "Physical spaces" in labels and "Physical" not in labels
    page.path.setText(str(tmp_path / "missing.csv"))
    assert "no file" in page.error.text()
    page.path.setText(str(source))
    assert page.error.text() == ""
    page.category.setCurrentIndex(page.category.findData("associations"))  # every row a club
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.columns_page, timeout=20000)
    preview = wizard.columns_page.preview
    assert [preview.verticalHeaderItem(r).text() for r in range(preview.rowCount())] == ["2", "3"]  # as in the file
    assert wizard.columns_page.combos["x"].toolTip() and wizard.columns_page.combos["name"].toolTip()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=20000)
    report = wizard.report_page
    assert report.subTitle() and "until you press Import" in report.subTitle()
    assert report.all_good.isVisibleTo(report) and not report.rejects.isVisibleTo(report)
    assert not report.save_rejects.isVisibleTo(report)
    assert "0 " not in report.summary.text()  # no "0 are already in the project"
    wizard.reject()


# --- gap rules ----------------------------------------------------------------------------------------------------


def test_rules_dialog_picks_kinds_by_name_and_explains_each_target(qtbot: Any, window: Any,
                                                                  empty_project: Path) -> None:
    from assetmap.gui.rules_dialog import RulesDialog

    open_and_wait(qtbot, window, empty_project)
    dialog = RulesDialog(window.doc.project, window)
    rules = dialog.rules["rules"]
    kinds_row = next(i for i, r in enumerate(rules) if r.get("kinds"))
    picker = dialog.kinds_picker(kinds_row)
    names = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert any(n.startswith("Village hall") for n in names) and not any("/" in n for n in names)
    for kind in rules[kinds_row]["kinds"]:
        picker.set_checked(kind, False)
    picker.set_checked("physical/village_hall", True)
    dialog.apply_kinds(kinds_row, picker)
    assert dialog.table.cellWidget(kinds_row, 4).text() == "physical/village_hall"
    assert "Village hall" in dialog.table.cellWidget(kinds_row, 4).toolTip()
    dialog.save()
    assert window.doc.project.get_setting("gap_rules")["rules"][kinds_row]["kinds"] == ["physical/village_hall"]
    again = RulesDialog(window.doc.project, window)
    for row, rule in enumerate(again.rules["rules"]):
        target = again.table.cellWidget(row, 2)
        if rule["type"] == "missing_category":
            assert target.suffix() == ""  # a count, not "1 %"
        if rule["type"] == "density":
            assert "neighbourhoods to flag" in target.toolTip()



# --- the toolbar, the Help menu and the export dialog ------------------------------------------------------------


def test_toolbar_buttons_stay_put_and_say_what_they_would_undo(qtbot: Any, window: Any, empty_project: Path) -> None:
    """After each edit the toolbar's Undo read "Undo Add Moss Lane Hall" and every button right of it moved."""
    from PyQt6.QtWidgets import QToolBar

    open_and_wait(qtbot, window, empty_project)
    bar = window.findChild(QToolBar)
    undo = bar.widgetForAction(window.menu_actions.tool_undo)
    export = bar.widgetForAction(window.menu_actions.export)
    x_before = export.x()
    assert not undo.isEnabled() and "Nothing to undo" in undo.toolTip()
    add_hall(qtbot, window, name="Moss Lane Hall")
    qtbot.wait(50)
    assert undo.text() == "Undo" and undo.isEnabled() and export.x() == x_before
    assert "Moss Lane Hall" in undo.toolTip() and "Ctrl+Z" in undo.toolTip()
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    assert on_disk(empty_project).empty  # the button undoes, as Edit ▸ Undo does


def test_help_lists_the_keyboard_shortcuts(window: Any) -> None:
    assert window.menu_actions.keys in window.menuBar().actions()[-1].menu().actions()
    text = window.menu_actions.shortcuts_text()
    for keys, what in (("Ctrl+S", "Save changes"), ("F5", "Find gaps"), ("Ctrl+Shift+A", "Add asset"),
                       ("Esc", "Stop adding"), ("Ctrl+F", "Find")):
        assert re.search(rf"{re.escape(keys)}\b.*\t{what}", text), (keys, what)
    assert "Backspace" not in text and "or Save" not in text  # no media keys


def test_export_dialog_fields_have_alt_keys(qtbot: Any, window: Any, empty_project: Path) -> None:
    from PyQt6.QtWidgets import QFormLayout, QLabel

    from assetmap.gui.export_dialog import ExportDialog

    open_and_wait(qtbot, window, empty_project)
    dialog = ExportDialog(window.doc.project, window.jobs, window)
    form = dialog.findChild(QFormLayout) or dialog.layout()
    labels = [w for w in dialog.findChildren(QLabel) if "&" in w.text()]
    letters = [re.search(r"&(\w)", label.text()).group(1).lower() for label in labels]
    assert len(labels) >= 5 and len(letters) == len(set(letters)) and all(label.buddy() for label in labels)
    assert form is not None and next(label for label in labels if "Save" in label.text()).buddy() is dialog.path
