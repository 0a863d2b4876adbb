"""The import wizard end to end on a small CSV with one bad row: preview, mapping, report, rejects, import."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.project import Project
from assetmap.gui.import_wizard import ImportWizard

CSV_TEXT = """Site name,Type,Category,Longitude,Latitude,Phone
Moss Lane Hall,village hall,physical,-2.33,53.43,0161 000 0000
Oak Club,youth club,associations,-2.32,53.44,
Bad Row,,,not-a-number,53.44,
"""


def test_import_wizard_reports_the_bad_row_and_imports_the_rest(qtbot: Any, window: Any, empty_project: Path,
                                                                tmp_path: Path) -> None:
    source = tmp_path / "halls.csv"
    source.write_text(CSV_TEXT, encoding="utf-8")
    open_and_wait(qtbot, window, empty_project)
    wizard = ImportWizard(window.doc, window.jobs, window)
    wizard.show()
    wizard.file_page.path.setText(str(source))
    assert wizard.file_page.isComplete()
    wizard.next()  # starts the check off the GUI thread, then moves on by itself
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.columns_page, timeout=20000)
    page = wizard.columns_page
    assert page.preview.rowCount() == 3
    assert page.preview.horizontalHeaderItem(0).text() == "Site name"
    assert page.combos["name"].currentData() == "Site name"
    assert page.combos["x"].currentData() == "Longitude"
    assert page.combos["phone"].currentData() == "Phone"
    page.combos["phone"].setCurrentIndex(0)  # "(none)": the user keeps phone numbers out
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=20000)
    report = wizard.prepared.report
    assert (report.imported, report.rejected) == (2, 1)
    assert "Row 4" in wizard.report_page.rejects.item(0).text()
    assert "2 will be placed on the map" in wizard.report_page.summary.text()
    rejects = wizard.report_page.write_rejects(tmp_path / "rejected.csv")
    with open(rejects, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["row", "reason", "Site name"] and rows[1][0] == "4" and rows[1][2] == "Bad Row"
    with Project.open(empty_project, readonly=True) as project:
        assert project.count("assets") == 0  # nothing written before Import
    with qtbot.waitSignal(wizard.finished, timeout=20000):
        wizard.accept()
    with Project.open(empty_project, readonly=True) as project:
        assets = project.assets()
        assert sorted(assets["name"]) == ["Moss Lane Hall", "Oak Club"]
        assert assets["phone"].isna().all()  # "(none)" was not re-guessed
    assert window.table.model.rowCount() == 2


def test_the_wizard_can_leave_out_rows_far_beyond_the_area_and_keeps_the_nearby_ones(
        qtbot: Any, window: Any, empty_project: Path, tmp_path: Path) -> None:
    """A regional list: the row inside and the one 1.5 km over the boundary stay (within the 2 km margin, the
    longest rule distance), the one 5 km out is left out with its reason, and the report says which are nearby."""
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs(27700, 4326, always_xy=True)
    lines = ["name,type,lat,lon"]
    for name, x in (("Inside Library", 381500), ("Over the Boundary Library", 383500), ("Far Library", 387000)):
        lon, lat = to_wgs84.transform(x, 390500)
        lines.append(f"{name},library,{lat:.7f},{lon:.7f}")
    source = tmp_path / "region.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    open_and_wait(qtbot, window, empty_project)
    wizard = ImportWizard(window.doc, window.jobs, window)
    wizard.show()
    assert "2 km" in wizard.file_page.clip.text() and not wizard.file_page.clip.isChecked()
    wizard.file_page.path.setText(str(source))
    wizard.file_page.clip.setChecked(True)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.columns_page, timeout=20000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=20000)
    report = wizard.prepared.report
    assert (report.imported, report.rejected, report.nearby) == (2, 1, 1)
    assert "more than 2 km outside" in wizard.report_page.rejects.item(0).text()
    assert "1 is nearby, outside the area" in wizard.report_page.summary.text()
    with qtbot.waitSignal(wizard.finished, timeout=20000):
        wizard.accept()
    with Project.open(empty_project, readonly=True) as project:
        assert sorted(project.assets()["name"]) == ["Inside Library", "Over the Boundary Library"]
