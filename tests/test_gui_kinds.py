""""New kind…" in the asset form and the import wizard, the wizard's choice of one kind for a whole file, and
drafts to sort in the asset table: real widgets offscreen, on real projects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.imports.pipeline import import_file
from assetmap.core.project import Project
from assetmap.core.taxonomy import UNCATEGORISED, default_taxonomy
from assetmap.gui.asset_form import AssetForm
from assetmap.gui.import_wizard import ImportWizard
from assetmap.gui.kind_dialog import ROWS, NewKindDialog


def _fill_new_kind(label: str, category: str, seen: dict[str, Any]) -> None:
    """When the dialog opens (modal), type a kind into it and press Add kind, as a user would."""
    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, NewKindDialog):
            QTimer.singleShot(20, act)
            return
        dialog.label.setText(label)
        dialog.category.setCurrentIndex(dialog.category.findData(category))
        seen["note"] = dialog.id_note.text()
        dialog.ok.click()
    QTimer.singleShot(0, act)


def test_new_kind_in_the_asset_form(qtbot: Any, empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        form = AssetForm(default_taxonomy())
        qtbot.addWidget(form)
        form.set_project(project)
        form.show_new({}, "Click the map")
        assert form.new_kind.isEnabled()
        seen: dict[str, Any] = {}
        _fill_new_kind("Skate park", "physical", seen)
        form.new_kind.click()
        assert seen["note"] == "It will be saved in this project as physical/skate_park."
        assert "physical/skate_park" in project.taxonomy.kinds
        assert form.editors["category"].value() == "physical" and form.editors["kind"].value() == "physical/skate_park"
        assert form.editors["kind"].input.currentText() == "Skate park"
        form.editors["name"].input.setText("Victoria Bowl")
        with qtbot.waitSignal(form.addRequested) as added:
            form.save.click()
        asset_id = project.add_asset(added.args[0])
        assert project.asset(asset_id)["kind"] == "physical/skate_park"
        form.set_project(None)
        assert not form.new_kind.isEnabled() and "physical/skate_park" not in form.taxonomy.kinds


def test_new_kind_dialog_says_what_is_wrong_as_it_is_typed(qtbot: Any, empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        dialog = NewKindDialog(project, category="culture")
        qtbot.addWidget(dialog)
        assert not dialog.ok.isEnabled()
        dialog.label.setText("Library")
        assert "already the name of Library" in dialog.problem.text() and not dialog.ok.isEnabled()
        dialog.label.setText("Community mural")
        assert dialog.problem.text() == "" and dialog.ok.isEnabled()
        assert dialog.id_note.text().endswith("culture/community_mural.")
        assert "culture/community_mural" not in project.taxonomy.kinds  # nothing written before Add kind


def test_a_draft_to_sort_in_the_form_and_the_table(qtbot: Any, window: Any, empty_project: Path,  # noqa: F811
                                                   tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    source.write_text("name,easting,northing\nThe Old Barn,380200,390200\nMoss Lane Hall,380300,390300\n",
                      encoding="utf-8")
    with Project.open(empty_project) as project:
        import_file(project, source)
    open_and_wait(qtbot, window, empty_project)
    table = window.table
    table.category.setCurrentIndex(table.category.findData(UNCATEGORISED))
    assert table.category.currentText() == "To sort" and table.proxy.rowCount() == 1
    index = table.proxy.index(0, 1)
    assert table.proxy.data(index) == "To sort"
    draft = window.doc.assets().set_index("name").loc["The Old Barn", "id"]
    window.doc.select(draft)
    qtbot.waitUntil(lambda: window.form.asset_id == draft)
    form = window.form
    assert "To sort" in form.where.text() and form.editors["category"].input.currentText() == "To sort"
    form.editors["category"].set_value("physical")  # sorting it: a category, then a kind of it
    form.editors["kind"].set_value("physical/building")
    assert form.changes()["category"] == "physical"
    form.save.click()
    qtbot.waitUntil(lambda: table.proxy.rowCount() == 0)
    assert window.doc.asset(draft)["category"] == "physical"


def test_the_wizard_shows_the_files_kind_and_lets_the_user_choose_another(qtbot: Any, window: Any,  # noqa: F811
                                                                          empty_project: Path, tmp_path: Path) -> None:
    source = tmp_path / "defibrillators.csv"
    source.write_text("name,easting,northing\nSt Mary's Primary School,380200,390200\n"
                      "Park Medical Centre,380300,390300\nHale Cricket Club,380400,390400\n", encoding="utf-8")
    open_and_wait(qtbot, window, empty_project)
    wizard = ImportWizard(window.doc, window.jobs, window)
    wizard.show()
    wizard.file_page.path.setText(str(source))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.columns_page, timeout=20000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=20000)
    page = wizard.report_page
    choice = page.kind_choice
    assert choice.combo.itemText(0) == "As the file says: Defibrillator"
    assert "the file is called defibrillators.csv" in choice.why.text()
    assert {r["kind"] for r in wizard.prepared.records} == {"physical/defibrillator"}
    choice.combo.setCurrentIndex(choice.combo.findData(ROWS))  # row by row: the venues' names decide
    assert not page.isComplete()  # Import waits for the new check
    qtbot.waitUntil(lambda: page.isComplete(), timeout=20000)
    assert "institutions/school" in {r["kind"] for r in wizard.prepared.records}
    assert choice.why.text() == "Each row's kind comes from its own type and name."
    seen: dict[str, Any] = {}
    _fill_new_kind("Public access defib", "physical", seen)  # a kind of the project's own, for every row
    choice.new_kind.click()
    assert choice.combo.currentData() == "physical/public_access_defib"
    qtbot.waitUntil(lambda: page.isComplete(), timeout=20000)
    assert {r["kind"] for r in wizard.prepared.records} == {"physical/public_access_defib"}
    assert wizard.prepared.report.theme["source"] == "--kind"
    with qtbot.waitSignal(wizard.finished, timeout=20000):
        wizard.accept()
    assert set(window.doc.assets()["kind"]) == {"physical/public_access_defib"}
