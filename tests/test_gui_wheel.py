"""A wheel turn over a combo box or spin box scrolls the form around it unless that input has the focus; once
focused (a click or Tab) the wheel changes it. Real QWheelEvents through Qt's delivery, in the real window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QWheelEvent
from PyQt6.QtWidgets import QApplication, QComboBox, QDoubleSpinBox, QScrollArea, QSpinBox, QVBoxLayout, QWidget
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.project import Project
from assetmap.gui import wheel_guard


@pytest.fixture
def hall_project(empty_project: Path) -> tuple[Path, str]:
    with Project.open(empty_project) as project:
        hall = project.add_asset({"name": "Elm Road Hall", "category": "physical", "kind": "physical/village_hall"},
                                 shapely.Point(380500, 390500))
    return empty_project, hall


def wheel_down(widget: QWidget, notches: int = 1) -> None:
    """Turn the wheel towards the user over the middle of ``widget``, as a mouse would."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, widget.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def focus(qtbot: Any, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=5000)


def open_hall(qtbot: Any, w: Any, path: Path, asset_id: str) -> None:
    open_and_wait(qtbot, w, path)
    w.doc.select(asset_id)
    qtbot.waitUntil(lambda: w.form.asset_id == asset_id, timeout=5000)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)


def test_asset_form_scrolls_instead_of_changing_the_category(qtbot: Any, window: Any,  # noqa: F811
                                                              hall_project: tuple[Path, str]) -> None:
    path, hall = hall_project
    open_hall(qtbot, window, path, hall)
    form = window.form
    window.resize(1280, 620)  # a laptop's height: the form is longer than its panel
    qtbot.waitUntil(lambda: form.scroll_area.verticalScrollBar().maximum() > 0, timeout=5000)
    category, kind = form.editors["category"].input, form.editors["kind"].input
    assert category.focusPolicy() == Qt.FocusPolicy.StrongFocus  # a wheel turn does not take the focus either
    focus(qtbot, form.editors["name"].input)
    bar = form.scroll_area.verticalScrollBar()
    bar.setValue(0)
    wheel_down(category, 2)
    assert category.currentData() == "physical" and kind.currentData() == "physical/village_hall"
    assert not window.form_dirty() and not category.hasFocus()
    assert bar.value() > 0  # the form scrolled instead

    focus(qtbot, category)  # clicked or tabbed to: now the wheel is meant for it
    wheel_down(category)
    assert category.currentData() != "physical" and window.form_dirty()


def test_assessment_dialog_scores_and_choices_ignore_a_passing_wheel(qtbot: Any, window: Any,  # noqa: F811
                                                                     hall_project: tuple[Path, str]) -> None:
    path, hall = hall_project
    open_hall(qtbot, window, path, hall)
    dialog = window.assess_ctl.assess(hall)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    score = dialog.fields["scores.community_benefit"].input
    roof = dialog.fields["condition.roof"].input
    assert isinstance(score, QDoubleSpinBox) and isinstance(roof, QComboBox)
    assert score.focusPolicy() == roof.focusPolicy() == Qt.FocusPolicy.StrongFocus
    dialog.fields["scores.community_benefit"].set_value(4)
    focus(qtbot, dialog.fields["assessor"].input)
    bar = dialog.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0
    for widget in (score, roof):
        bar.setValue(0)
        wheel_down(widget, 3)
        assert bar.value() > 0, type(widget).__name__
    assert score.value() == 4 and roof.currentIndex() == 0
    assert dialog.raw()["scores"]["community_benefit"] == 4 and dialog.raw().get("condition", {}).get("roof") is None

    focus(qtbot, score)
    wheel_down(score)
    assert score.value() == 3
    focus(qtbot, roof)
    wheel_down(roof)
    assert roof.currentIndex() == 1
    dialog.reject()


def test_any_form_is_guarded_and_explicit_focus_policies_are_kept(qtbot: Any) -> None:
    """A dialog written later gets the same guard: nothing in it has to ask for it."""
    wheel_guard.install()
    assert wheel_guard.install() is QApplication.instance().findChild(wheel_guard.WheelGuard)  # installed once
    inner = QWidget()
    layout = QVBoxLayout(inner)
    spin, fixed = QSpinBox(), QComboBox()
    spin.setValue(5)
    fixed.addItems(["a", "b"])
    fixed.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # chosen on purpose: left alone
    layout.addWidget(spin)
    layout.addWidget(fixed)
    for i in range(40):
        layout.addWidget(QSpinBox())
    area = QScrollArea()
    area.setWidget(inner)
    area.resize(240, 200)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus and fixed.focusPolicy() == Qt.FocusPolicy.NoFocus
    area.setFocus()
    wheel_down(spin)
    assert spin.value() == 5 and area.verticalScrollBar().value() > 0
