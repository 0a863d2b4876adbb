"""An asset's other details in the window: the form shows them, a tick makes one public, edits are saved
and undone on disk; the import wizard lets the user tick which extra columns are public.

Every check of "on disk" opens the GeoPackage with a second, read-only handle, as another program would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.imports.pipeline import import_file
from assetmap.core.project import Project
from assetmap.gui.import_wizard import ImportWizard

REGISTER = ("Site name,Easting,Northing,Postcode,Type,Ward,Keyholder,Parking\n"
            "Brooklands Hall,380300,390300,M33 3SQ,Community centre,Brooklands,Mrs K Holder,Car park at the back\n"
            "Sale Moor Hall,380700,390700,M33 2AB,Village hall,Sale Moor,,\n")


def stored(path: Path, name: str) -> dict[str, Any]:
    with Project.open(path, readonly=True) as project:
        assets = project.assets()
    record = assets[assets["name"] == name].iloc[0]
    return {"details": json.loads(record["details"]) if record["details"] else {},
            "public": json.loads(record["public_details"]) if record["public_details"] else []}


def test_form_makes_a_detail_public_and_edits_it(qtbot: Any, window: Any, empty_project: Path,  # noqa: F811
                                                 tmp_path: Path) -> None:
    source = tmp_path / "register.csv"
    source.write_text(REGISTER, encoding="utf-8")
    with Project.open(empty_project) as project:
        import_file(project, source)
    open_and_wait(qtbot, window, empty_project)
    hall_id = next(r["id"] for r in window.doc.project.assets().to_dict("records") if r["name"] == "Brooklands Hall")
    window.table.view.selectRow(window.table.model.row_of(hall_id))
    form = window.form
    assert form.asset_id == hall_id
    details = form.details
    assert sorted(details.rows) == ["Keyholder", "Parking", "Ward"]
    assert details.rows["Keyholder"][0].text() == "Mrs K Holder"
    assert not any(check.isChecked() for _, check in details.rows.values())  # private until ticked
    assert not form.save.isEnabled()

    tick = details.rows["Parking"][1]
    qtbot.waitUntil(tick.isVisible, timeout=5000)  # Qt shows widgets added to a shown form on its next turn
    form.scroll_area.ensureWidgetVisible(tick)  # the user scrolls down to the details
    qtbot.mouseClick(tick, Qt.MouseButton.LeftButton, pos=tick.rect().center())
    assert details.rows["Parking"][1].isChecked() and form.save.isEnabled()
    form.save.click()
    on_disk = stored(empty_project, "Brooklands Hall")
    assert on_disk["public"] == ["Parking"]
    assert on_disk["details"] == {"Ward": "Brooklands", "Keyholder": "Mrs K Holder", "Parking": "Car park at the back"}

    details.rows["Parking"][0].setText("Car park at the back (6 spaces)")
    details.rows["Keyholder"][0].setText("")  # emptied: the detail is removed
    form.save.click()
    on_disk = stored(empty_project, "Brooklands Hall")
    assert on_disk["details"] == {"Ward": "Brooklands", "Parking": "Car park at the back (6 spaces)"}
    assert on_disk["public"] == ["Parking"]

    window.menu_actions.undo.trigger()
    window.menu_actions.undo.trigger()
    on_disk = stored(empty_project, "Brooklands Hall")
    assert on_disk["public"] == [] and on_disk["details"]["Keyholder"] == "Mrs K Holder"
    assert not form.details.rows["Parking"][1].isChecked()

    other = next(r["id"] for r in window.doc.project.assets().to_dict("records") if r["name"] == "Sale Moor Hall")
    window.table.view.selectRow(window.table.model.row_of(other))
    assert sorted(form.details.rows) == ["Ward"] and not form.details.none.isVisibleTo(form)


def test_import_wizard_ticks_extra_columns_public(qtbot: Any, window: Any, empty_project: Path,  # noqa: F811
                                                  tmp_path: Path) -> None:
    source = tmp_path / "register.csv"
    source.write_text(REGISTER, encoding="utf-8")
    open_and_wait(qtbot, window, empty_project)
    wizard = ImportWizard(window.doc, window.jobs, window)
    wizard.show()
    wizard.file_page.path.setText(str(source))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.columns_page, timeout=20000)
    listed = wizard.columns_page.public_list
    items = {listed.item(i).text(): listed.item(i) for i in range(listed.count())}
    assert sorted(items) == ["Keyholder", "Parking", "Ward"]
    assert all(item.checkState() == Qt.CheckState.Unchecked for item in items.values())
    items["Ward"].setCheckState(Qt.CheckState.Checked)
    wizard.next()  # checks again with the choice before showing the report
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=20000)
    assert wizard.prepared.report.public_columns == ["Ward"]
    with qtbot.waitSignal(wizard.finished, timeout=20000):
        wizard.accept()
    assert stored(empty_project, "Brooklands Hall")["public"] == ["Ward"]
    assert stored(empty_project, "Sale Moor Hall") == {"details": {"Ward": "Sale Moor"}, "public": ["Ward"]}
