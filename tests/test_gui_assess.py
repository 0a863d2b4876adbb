"""Asset transfer assessments in the window: the dialog, undo, problems beside fields, the Buildings tab,
the ACV timeline, the score rings on the map and the report job.

Every check of "on disk" reads the GeoPackage through a second, read-only handle.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import shapely
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMessageBox
from test_gui_helpers import js, open_and_wait, window  # noqa: F401
from test_gui_window import ARTIFACTS

from assetmap.core.assessments import add_assessment, assessments_for
from assetmap.core.project import Project

SCORES = {"community_benefit": 5, "organisational_capacity": 4, "financial_sustainability": 3,
          "condition_liabilities": 2, "local_priorities": 4}  # 30+20+12+6+8 = 76 of 100


@pytest.fixture
def hall_project(empty_project: Path) -> tuple[Path, str, str]:
    """The test project with a hall (physical) and a pub (economy), both on the map."""
    with Project.open(empty_project) as project:
        hall = project.add_asset({"name": "Elm Road Hall", "category": "physical", "kind": "physical/village_hall"},
                                 shapely.Point(380500, 390500))
        pub = project.add_asset({"name": "The Bell", "category": "economy"}, shapely.Point(381500, 390500))
    return empty_project, hall, pub


def on_disk(path: Path, asset_id: str) -> list[dict[str, Any]]:
    with Project.open(path, readonly=True) as project:
        return assessments_for(project, asset_id)


def select(qtbot: Any, w: Any, asset_id: str) -> None:
    w.doc.select(asset_id)
    qtbot.waitUntil(lambda: w.form.asset_id == asset_id, timeout=5000)


def fill(dialog: Any, **values: Any) -> None:
    """Set inputs by their JSON key (dots written as __): combos by data, spins by number, lines by text."""
    for key, value in values.items():
        dialog.fields[key.replace("__", ".")].set_value(value)


def fill_valid(dialog: Any) -> None:
    fill(dialog, assessor="Sam Patel", building__floor_area_m2="420", building__year_built="1965",
         condition__roof="poor", condition__structure="good", tenure__type="lease", tenure__lease_years="30",
         market_value="£450,000", transfer_value="1", organisation__name="Friends of Elm Road Hall",
         recommendation="transfer_with_conditions", reasons="Strong benefit; the roof needs a plan.",
         acv__status="listed", acv__nominated_on="2019-12-01", acv__listed_on="2020-01-20",
         **{f"scores__{k}": v for k, v in SCORES.items()})


def test_assess_from_the_form_save_then_undo_and_redo(qtbot: Any, window: Any, hall_project: tuple) -> None:
    path, hall, pub = hall_project
    open_and_wait(qtbot, window, path)
    select(qtbot, window, pub)
    assert not window.form.assess.isVisibleTo(window.form)  # offered prominently for buildings only
    select(qtbot, window, hall)
    assert window.form.assess.isVisibleTo(window.form) and window.form.assess.isEnabled()
    qtbot.mouseClick(window.form.assess, Qt.MouseButton.LeftButton)
    dialog = window.assess_ctl.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.fields["date"].value() == date.today().isoformat()
    fill_valid(dialog)
    assert "Total score: 76 out of 100" == dialog.total.text()
    assert "Dates that follow" in dialog.acv_dates.text() and "2025-01-20" in dialog.acv_dates.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = on_disk(path, hall)
    assert len(stored) == 1 and stored[0]["score"] == 76
    assert stored[0]["tenure"] == {"type": "lease", "lease_years": 30} and stored[0]["market_value"] == 450000
    assert stored[0]["condition"] == {"structure": "good", "roof": "poor"}
    # the history panel and the Buildings tab follow
    assert window.assessments.list.count() == 1 and "76/100" in window.assessments.list.item(0).text()
    assert window.buildings.model.rowCount() == 1
    assert window.menu_actions.report.isEnabled()
    window.menu_actions.undo.trigger()
    assert on_disk(path, hall) == []
    assert window.buildings.model.rowCount() == 0 and window.assessments.list.count() == 0
    window.menu_actions.redo.trigger()
    assert [r["id"] for r in on_disk(path, hall)] == [stored[0]["id"]]


def test_lease_without_years_is_shown_beside_the_field_and_nothing_is_written(
        qtbot: Any, window: Any, hall_project: tuple) -> None:
    path, hall, _ = hall_project
    open_and_wait(qtbot, window, path)
    select(qtbot, window, hall)
    dialog = window.assess_ctl.assess()
    fill_valid(dialog)
    fill(dialog, tenure__lease_years=None, scores__local_priorities=None)
    dialog.save()
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    years = dialog.fields["tenure.lease_years"]
    assert years.problem.isVisibleTo(dialog) and "required for a lease" in years.problem.text().lower()
    assert "missing" in dialog.fields["scores.local_priorities"].problem.text().lower()
    assert not dialog.fields["tenure.type"].problem.text()
    assert "2 problems" in dialog.summary.text()
    assert on_disk(path, hall) == [] and window.doc.undo_stack.count() == 0
    # fixing the field clears its problem as you type; then Save works
    fill(dialog, tenure__lease_years="10", scores__local_priorities=3)
    assert not years.problem.isVisibleTo(dialog) and not dialog.summary.isVisibleTo(dialog)
    dialog.save()
    stored = on_disk(path, hall)
    assert len(stored) == 1 and [f["id"] for f in stored[0]["flags"]] == ["short_lease"]


def test_buildings_tab_compares_and_selects_and_map_rings_show_scores(
        qtbot: Any, window: Any, hall_project: tuple) -> None:
    path, hall, pub = hall_project
    today = date.today()
    listed, notice = today - timedelta(days=400), today - timedelta(days=7)  # interim moratorium ends in 35 days
    with Project.open(path) as project:  # two assessments of the hall (newest counts), one of the pub
        base = {"assessor": "A", "recommendation": "transfer"}
        add_assessment(project, hall, {**base, "date": "2023-01-05", "scores": dict.fromkeys(SCORES, 1)})
        add_assessment(project, hall, {**base, "date": "2024-03-04", "scores": SCORES,
                                       "acv": {"status": "listed", "listed_on": listed.isoformat(),
                                               "sale_notice_on": notice.isoformat(), "community_bid_requested": True}})
        add_assessment(project, pub, {**base, "date": "2024-01-01", "scores": dict.fromkeys(SCORES, 2)})
    open_and_wait(qtbot, window, path)
    window.assess_ctl.show_buildings()
    panel = window.buildings
    assert panel.model.rowCount() == 2
    assert [panel.proxy.index(r, 0).data() for r in range(2)] == ["Elm Road Hall", "The Bell"]  # best first
    assert panel.proxy.index(0, 1).data() == "76" and panel.proxy.index(1, 1).data() == "40"
    interim = (notice + timedelta(weeks=6)).isoformat()
    assert panel.proxy.index(0, 3).data() == "listed"
    assert panel.proxy.index(0, 4).data().startswith(f"{interim} (in 35 days): Interim moratorium ends")
    panel.view.selectRow(1)
    assert window.doc.selected_id == pub and window.form.asset_id == pub
    assert window.table.current_id() == pub  # shared selection
    window.doc.select(hall)
    assert panel.view.selectionModel().selectedRows()[0].data() == "Elm Road Hall"
    # history: newest first, nothing overwritten; timeline with what is due next marked
    assert window.assessments.list.count() == 2 and window.assessments.list.item(0).text().startswith("2024-03-04")
    tree = window.assessments.timeline
    role = Qt.ItemDataRole.UserRole
    states = {tree.topLevelItem(i).data(0, role): tree.topLevelItem(i).data(1, role)
              for i in range(tree.topLevelItemCount())}
    assert states == {"listed_on": "passed", "sale_notice_on": "passed", "interim_moratorium_ends": "next",
                      "full_moratorium_ends": "to come", "protected_period_ends": "to come", "listing_ends": "to come"}
    assert window.assessments.next_due.text() == f"Due next: Interim moratorium ends (last chance for a community " \
                                                 f"group to ask to bid): {interim} (in 35 days)"
    # the map rings each assessed building with its score written beside it
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmapDesktop.scoreLabels()") == {hall: "Score 76", pub: "Score 40"},
                    timeout=20000)
    assert js(qtbot, window, "document.querySelectorAll('.am-score-tip').length") == 2
    window.assess_ctl.show_assessments()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # for people reviewing the layout (kept by CI)
    assert window.grab().save(str(ARTIFACTS / "main-window-assessments.png"))


def test_report_export_job_writes_html_with_the_name(qtbot: Any, window: Any, hall_project: tuple, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path, hall, _ = hall_project
    with Project.open(path) as project:
        add_assessment(project, hall, {"date": "2024-03-04", "assessor": "A", "recommendation": "transfer",
                                       "scores": SCORES})
    open_and_wait(qtbot, window, path)
    select(qtbot, window, hall)
    out = tmp_path / "elm-road-hall.html"
    offered: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: offered.append(a[2]) or QMessageBox.StandardButton.No))
    monkeypatch.setattr("assetmap.gui.assessment_controller.QFileDialog.getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "elm-road-hall"), "")))
    handle = window.assess_ctl.export_report()  # as from Buildings ▸ Export assessment report…
    qtbot.waitUntil(lambda: handle.finished and bool(offered), timeout=30000)
    assert not handle.error
    text = out.read_text(encoding="utf-8")
    assert "Elm Road Hall" in text and "76" in text
    assert offered == ["Wrote elm-road-hall.html. Open it now?"]


def test_report_as_pdf_when_a_chromium_is_there(qtbot: Any, window: Any, hall_project: tuple, tmp_path: Path) -> None:
    from assetmap.core.assessments.pdf import pdf_available

    if not pdf_available():
        pytest.skip("no playwright or Chromium here: the app then offers HTML only")
    path, hall, _ = hall_project
    with Project.open(path) as project:
        add_assessment(project, hall, {"date": "2024-03-04", "assessor": "A", "recommendation": "transfer",
                                       "scores": SCORES})
    open_and_wait(qtbot, window, path)
    out = tmp_path / "hall.pdf"
    handle = window.assess_ctl.run_report(hall, out, offer=False)  # printed on the worker thread
    qtbot.waitUntil(lambda: handle.finished, timeout=60000)
    assert not handle.error and out.read_bytes()[:5] == b"%PDF-"
